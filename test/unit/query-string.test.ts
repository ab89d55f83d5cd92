import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  parseQueryString,
  parseSimpleQueryString,
  QueryStringError,
  type QueryStringParams,
} from "../../src/search/query/query-string.ts";
import { tokenize } from "../../src/search/query/query-string-lexer.ts";

const qs = (query: string, params: Partial<QueryStringParams> = {}): unknown =>
  parseQueryString({ query, fields: ["title"], ...params });
const sqs = (query: string, params: Partial<QueryStringParams> = {}): unknown =>
  parseSimpleQueryString({ query, fields: ["title"], ...params });
const match = (field: string, query: string, extra: Record<string, unknown> = {}) => ({
  match: { [field]: { query, ...extra } },
});
const throwsQs = (fn: () => unknown, message: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof QueryStringError && message.test(err.message));

describe("query_string: terms, operators and fields", () => {
  test("whitespace is not an operator: a run of bare terms is analysed as one match (scores like should of per-term matches)", () => {
    assert.deepEqual(qs("quick brown fox"), match("title", "quick brown fox"));
    assert.deepEqual(
      qs("quick brown", { default_operator: "AND" }),
      match("title", "quick brown", { operator: "and" }),
    );
    // the run stops before a term that takes a field, a boost, a fuzzy slop or an AND/OR
    assert.deepEqual(qs("a b AND c"), {
      bool: { should: [match("title", "a")], must: [match("title", "b"), match("title", "c")] },
    });
    assert.deepEqual(qs("a b^2"), {
      bool: { should: [match("title", "a"), match("title", "b", { boost: 2 })] },
    });
    assert.deepEqual(qs("a b:c"), { bool: { should: [match("title", "a"), match("b", "c")] } });
  });

  test("AND/OR/NOT, &&/||/!, +/- follow Lucene's addClause rules for both default operators", () => {
    assert.deepEqual(qs("a AND b"), { bool: { must: [match("title", "a"), match("title", "b")] } });
    assert.deepEqual(qs("a && b || !c"), {
      bool: { must: [match("title", "a"), match("title", "b")], must_not: [match("title", "c")] },
    });
    assert.deepEqual(qs("+a -b c"), {
      bool: { must: [match("title", "a")], must_not: [match("title", "b")], should: [match("title", "c")] },
    });
    // with AND as default, `a OR b` makes both optional (Lucene: "a OR b" is not "+a OR b")
    const and = { default_operator: "and" };
    assert.deepEqual(qs("a OR b", and), {
      bool: { should: [match("title", "a", { operator: "and" }), match("title", "b", { operator: "and" })] },
    });
    assert.deepEqual(qs("a NOT b", and), {
      bool: {
        must: [match("title", "a", { operator: "and" })],
        must_not: [match("title", "b", { operator: "and" })],
      },
    });
    // a lone negation stays a bool (compile adds the match-all ES's fixNegativeQuery adds)
    assert.deepEqual(qs("NOT a"), { bool: { must_not: [match("title", "a")] } });
  });

  test("field prefixes, groups and boosts on terms, groups and phrases", () => {
    assert.deepEqual(qs("title:(quick brown)^2 body:fox"), {
      bool: { should: [match("title", "quick brown", { boost: 2 }), match("body", "fox")] },
    });
    assert.deepEqual(qs("(a OR b)^0.5 AND c^3"), {
      bool: {
        must: [
          { bool: { should: [match("title", "a"), match("title", "b")], boost: 0.5 } },
          match("title", "c", { boost: 3 }),
        ],
      },
    });
    assert.deepEqual(qs('"a b"^2', { fields: ["title"] }), {
      match_phrase: { title: { query: "a b", boost: 2 } },
    });
    // an escaped `*` in the field name is a field pattern, which multi_match expands
    assert.deepEqual(qs("city.\\*:london"), { multi_match: { query: "london", fields: ["city.*"] } });
  });

  test("several fields: one multi_match per text part (best_fields dis_max), ^boosts, type and tie_breaker passed on", () => {
    const fields = ["title^3", "body", "name.*"];
    assert.deepEqual(qs("quick brown", { fields }), { multi_match: { query: "quick brown", fields } });
    assert.deepEqual(
      qs("this OR that", { fields: ["title", "body"], type: "most_fields", tie_breaker: 0.3 }),
      {
        bool: {
          should: ["this", "that"].map((query) => ({
            multi_match: { query, type: "most_fields", tie_breaker: 0.3, fields: ["title", "body"] },
          })),
        },
      },
    );
    // the default fields (`*`, filled in by compile.ts) also go through multi_match
    assert.deepEqual(parseQueryString({ query: "fox", fields: ["*"] }), {
      multi_match: { query: "fox", fields: ["*"] },
    });
    assert.deepEqual(parseQueryString({ query: "fox", default_field: "body" }), match("body", "fox"));
  });

  test("phrases: ~slop, phrase_slop default, quote_field_suffix, quote_analyzer, several fields", () => {
    assert.deepEqual(qs('"quick fox"~2'), { match_phrase: { title: { query: "quick fox", slop: 2 } } });
    assert.deepEqual(qs('"quick fox"', { phrase_slop: 1 }), {
      match_phrase: { title: { query: "quick fox", slop: 1 } },
    });
    assert.deepEqual(qs('"quick fox"~', { phrase_slop: 1 }), {
      match_phrase: { title: { query: "quick fox", slop: 1 } },
    });
    assert.deepEqual(qs('"quick fox" fox', { quote_field_suffix: ".exact", quote_analyzer: "keyword" }), {
      bool: {
        should: [
          { match_phrase: { "title.exact": { query: "quick fox", analyzer: "keyword" } } },
          match("title", "fox"),
        ],
      },
    });
    assert.deepEqual(qs('"a \\"b\\""~1', { fields: ["title", "body^2"] }), {
      multi_match: { query: 'a "b"', slop: 1, type: "phrase", fields: ["title", "body^2"] },
    });
  });

  test("fuzzy terms use match fuzziness (analysed like ES normalizes); ~N is capped at 2; fuzzy_* parameters map over", () => {
    assert.deepEqual(qs("quikc~"), match("title", "quikc", { fuzziness: "AUTO" }));
    assert.deepEqual(qs("quikc~1^2"), match("title", "quikc", { fuzziness: 1, boost: 2 }));
    assert.deepEqual(qs("quikc~5"), match("title", "quikc", { fuzziness: 2 }));
    const params = {
      fuzziness: 1,
      fuzzy_prefix_length: 2,
      fuzzy_max_expansions: 10,
      fuzzy_transpositions: false,
    };
    assert.deepEqual(qs("quikc~", { ...params, fuzzy_rewrite: "top_terms_5" }), {
      match: {
        title: {
          query: "quikc",
          fuzziness: 1,
          prefix_length: 2,
          max_expansions: 10,
          fuzzy_transpositions: false,
          fuzzy_rewrite: "top_terms_5",
        },
      },
    });
    assert.deepEqual(qs("quikc~1", { fields: ["title", "body"], tie_breaker: 0.2 }), {
      multi_match: { query: "quikc", fuzziness: 1, tie_breaker: 0.2, fields: ["title", "body"] },
    });
  });

  test("prefix, wildcard and regexp: per concrete field (dis_max over several), case-folded when upper case", () => {
    assert.deepEqual(qs("qui*"), { prefix: { title: { value: "qui" } } });
    assert.deepEqual(qs("Qui*"), { prefix: { title: { value: "Qui", case_insensitive: true } } });
    assert.deepEqual(qs("qu?ck*"), { wildcard: { title: { value: "qu?ck*" } } });
    assert.deepEqual(qs("/qu.ck/", { max_determinized_states: 500, rewrite: "constant_score" }), {
      regexp: { title: { value: "qu.ck", rewrite: "constant_score", max_determinized_states: 500 } },
    });
    assert.deepEqual(qs("qu\\*ck*"), { prefix: { title: { value: "qu*ck" } } });
    assert.deepEqual(qs("qui*", { fields: ["title", "body^2"], tie_breaker: 0.5 }), {
      dis_max: {
        queries: [{ prefix: { title: { value: "qui" } } }, { prefix: { body: { value: "qui", boost: 2 } } }],
        tie_breaker: 0.5,
      },
    });
  });

  test("field patterns: prefix expands through multi_match phrase_prefix; wildcard/regexp/range need concrete fields", () => {
    assert.deepEqual(parseQueryString({ query: "qui*", fields: ["*"] }), {
      multi_match: { query: "qui", type: "phrase_prefix", fields: ["*"] },
    });
    throwsQs(
      () => parseQueryString({ query: "qu?ck", fields: ["*"] }),
      /wildcard query on the field pattern \[\*\]/,
    );
    throwsQs(() => qs("name.\\*:[1 TO 2]"), /range query on the field pattern \[name\.\*\]/);
    assert.deepEqual(parseQueryString({ query: "/a.c/", fields: ["*"], lenient: true }), { match_none: {} });
    assert.deepEqual(parseQueryString({ query: "*qu?ck", fields: ["title", "name.*"], lenient: true }), {
      dis_max: { queries: [{ wildcard: { title: { value: "*qu?ck" } } }, { match_none: {} }] },
    });
  });

  test("ranges: inclusive, exclusive, mixed, open ends, quoted bounds, one-sided >=/< after a field, time_zone", () => {
    assert.deepEqual(qs("year:[2000 TO 2010]"), { range: { year: { gte: "2000", lte: "2010" } } });
    assert.deepEqual(qs("year:{2000 TO 2010]^2"), { range: { year: { gt: "2000", lte: "2010", boost: 2 } } });
    assert.deepEqual(qs("year:[* TO 2010}"), { range: { year: { lt: "2010" } } });
    assert.deepEqual(qs('date:["2020-01-01" TO *]', { time_zone: "+01:00" }), {
      range: { date: { gte: "2020-01-01", time_zone: "+01:00" } },
    });
    assert.deepEqual(qs("age:>=10"), { range: { age: { gte: "10" } } });
    assert.deepEqual(qs("age:>10"), { range: { age: { gt: "10" } } });
    assert.deepEqual(qs("age:<=10"), { range: { age: { lte: "10" } } });
    assert.deepEqual(qs("age:<10"), { range: { age: { lt: "10" } } });
    // without a field (or default_field) `>10` is just text, as in ES
    assert.deepEqual(qs(">10"), match("title", ">10"));
    assert.deepEqual(parseQueryString({ query: ">10", default_field: "age" }), {
      range: { age: { gt: "10" } },
    });
    assert.deepEqual(qs("[a TO c]", { fields: ["title", "tag"] }), {
      dis_max: {
        queries: [{ range: { title: { gte: "a", lte: "c" } } }, { range: { tag: { gte: "a", lte: "c" } } }],
      },
    });
  });

  test("_exists_, field:*, *:* and a bare * on the all-fields pattern", () => {
    assert.deepEqual(qs("_exists_:title"), { exists: { field: "title" } });
    assert.deepEqual(qs("-_exists_:body"), { bool: { must_not: [{ exists: { field: "body" } }] } });
    assert.deepEqual(qs("year:*"), { exists: { field: "year" } });
    assert.deepEqual(qs("*:*"), { match_all: {} });
    assert.deepEqual(parseQueryString({ query: "*", fields: ["*"] }), { match_all: {} });
    assert.deepEqual(qs("*", { fields: ["title", "body^2"] }), {
      dis_max: { queries: [{ exists: { field: "title" } }, { exists: { field: "body", boost: 2 } }] },
    });
  });

  test("escapes: backslashed syntax characters, \\uXXXX, and escape: true quoting the whole query", () => {
    assert.deepEqual(qs("a\\:b \\(c\\) \\u0041"), match("title", "a:b (c) A"));
    assert.deepEqual(qs("wi-fi"), match("title", "wi-fi"));
    // like Lucene's QueryParser.escape, the words AND/OR/NOT stay operators
    assert.deepEqual(qs("title:(x AND y)", { escape: true }), {
      bool: { must: [match("title", "title:(x"), match("title", "y)")] },
    });
    assert.deepEqual(qs("1+1=2 [sic]", { escape: true }), match("title", "1+1=2 [sic]"));
  });

  test("minimum_should_match applies to the top-level bool, like ES; a one-field run is flattened first", () => {
    assert.deepEqual(qs("this that thus", { minimum_should_match: 2 }), {
      bool: {
        should: [match("title", "this"), match("title", "that"), match("title", "thus")],
        minimum_should_match: 2,
      },
    });
    // several fields: the run is one dis_max over fields, where ES cannot apply it either
    assert.deepEqual(qs("this that", { fields: ["title", "body"], minimum_should_match: 2 }), {
      multi_match: { query: "this that", fields: ["title", "body"] },
    });
    assert.deepEqual(qs("this OR that OR thus", { fields: ["title", "body"], minimum_should_match: "60%" }), {
      bool: {
        should: ["this", "that", "thus"].map((query) => ({
          multi_match: { query, fields: ["title", "body"] },
        })),
        minimum_should_match: "60%",
      },
    });
    assert.deepEqual(
      qs("wi-fi", { minimum_should_match: "100%" }),
      match("title", "wi-fi", { minimum_should_match: "100%" }),
    );
  });

  test("boost and _name land on the top-level query, multiplying boosts already there", () => {
    assert.deepEqual(qs("fox^2", { boost: 3, _name: "q" }), match("title", "fox", { boost: 6, _name: "q" }));
    assert.deepEqual(qs("a OR b", { boost: 2 }), {
      bool: { should: [match("title", "a"), match("title", "b")], boost: 2 },
    });
    assert.deepEqual(qs("*:*", { boost: "1.5" }), { match_all: { boost: 1.5 } });
    assert.deepEqual(qs("", { boost: 2 }), { match_none: {} });
    assert.deepEqual(qs("   "), { match_none: {} });
  });

  test("other parameters pass through to the generated queries", () => {
    const params = {
      analyzer: "standard",
      lenient: true,
      auto_generate_synonyms_phrase_query: false,
      default_operator: "AnD",
    };
    assert.deepEqual(qs("fox den", params), {
      match: {
        title: {
          query: "fox den",
          operator: "and",
          analyzer: "standard",
          lenient: true,
          auto_generate_synonyms_phrase_query: false,
        },
      },
    });
    assert.deepEqual(qs("fox den", { type: "phrase", phrase_slop: 2 }), {
      multi_match: { query: "fox den", type: "phrase", slop: 2, fields: ["title"] },
    });
    // accepted and validated although they change nothing here
    const accepted = {
      analyze_wildcard: true,
      enable_position_increments: false,
      allow_leading_wildcard: true,
    };
    assert.deepEqual(qs("fox", accepted), match("title", "fox"));
  });
});

describe("query_string errors", () => {
  test("syntax errors read like Lucene's ParseException: position and what was expected", () => {
    throwsQs(
      () => qs("a AND (b"),
      /^Cannot parse 'a AND \(b': Encountered "<EOF>" at line 1, column 8\.\nWas expecting one of:\n {4}"\)" \.\.\./,
    );
    throwsQs(
      () => qs("a AND"),
      /Encountered "<EOF>" at line 1, column 5\.\nWas expecting one of:\n {4}<NOT> \.\.\./,
    );
    throwsQs(
      () => qs("foo)"),
      /Encountered " "\)" "\) "" at line 1, column 3\.\nWas expecting one of:\n {4}<EOF> \.\.\./,
    );
    throwsQs(
      () => qs("foo^"),
      /Encountered "<EOF>" at line 1, column 4\.\nWas expecting:\n {4}<NUMBER> \.\.\./,
    );
    throwsQs(
      () => qs("title:[1 TO"),
      /Encountered "<EOF>" at line 1, column 11\.\nWas expecting one of:\n {4}<RANGE_GOOP>/,
    );
    throwsQs(() => qs(":a"), /Encountered " ":" ": "" at line 1, column 0\./);
  });

  test("lexical errors: unterminated quotes, trailing backslash, stray ] and bad unicode escapes", () => {
    throwsQs(
      () => qs('"foo bar'),
      /^Cannot parse '"foo bar': Lexical error at line 1, column 9\.\s+Encountered: <EOF> after : "\\"foo bar"/,
    );
    throwsQs(() => qs("foo\\"), /Lexical error .* Encountered: <EOF>/);
    throwsQs(() => qs("foo ] bar"), /Lexical error at line 1, column 5\.\s+Encountered: "\]" \(93\)/);
    throwsQs(() => qs("\\u12x4"), /Non-hex character in Unicode escape sequence: x/);
    throwsQs(
      () => qs("*foo", { allow_leading_wildcard: false }),
      /'\*' or '\?' not allowed as first character in WildcardQuery/,
    );
  });

  test("unknown or malformed parameters name the key, in ES's words", () => {
    throwsQs(() => qs("a", { bogus: 1 }), /^\[query_string\] query does not support \[bogus\]$/);
    throwsQs(() => qs("a", { analyzer: ["x"] }), /^\[query_string\] query does not support \[analyzer\]$/);
    throwsQs(
      () => qs("a", { analyzer: { x: 1 } }),
      /^\[query_string\] unknown token \[START_OBJECT\] after \[analyzer\]$/,
    );
    throwsQs(
      () => parseQueryString({ query: "a", fields: "title" as never }),
      /query does not support \[fields\]/,
    );
    throwsQs(
      () => qs("a", { default_operator: "xor" }),
      /\[default_operator\] must be AND or OR, not \[xor\]/,
    );
    throwsQs(() => qs("a", { type: "best" }), /query type \[best\] does not exist/);
    throwsQs(() => qs("a", { phrase_slop: -1 }), /\[phrase_slop\] must be a non-negative integer/);
    throwsQs(() => qs("a", { lenient: "yes" }), /\[lenient\] must be true or false/);
    throwsQs(() => qs("a", { fields: ["title^x"] }), /invalid boost in field \[title\^x\]/);
    throwsQs(
      () => qs("a", { default_field: "body" }),
      /cannot use \[fields\] parameter in conjunction with \[default_field\]/,
    );
  });

  test("any input either translates or fails with a QueryStringError (nothing else escapes)", () => {
    const alphabet = [
      "a",
      "B",
      " ",
      ":",
      "(",
      ")",
      "[",
      "]",
      "{",
      "}",
      '"',
      "\\",
      "*",
      "?",
      "~",
      "^",
      "2",
      "+",
      "-",
      "!",
      "/",
      "&&",
      "||",
      "AND ",
      "OR ",
      "NOT ",
      "TO ",
      ">",
      "=",
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 2000; i++) {
      const query = Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join("");
      try {
        assert.equal(typeof parseQueryString({ query, fields: ["title", "body"], lenient: true }), "object");
      } catch (err) {
        assert.ok(err instanceof QueryStringError, `${JSON.stringify(query)} threw ${String(err)}`);
      }
      assert.equal(typeof parseSimpleQueryString({ query, fields: ["title", "body"] }), "object", query);
    }
    throwsQs(() => qs(`${"(".repeat(5000)}a${")".repeat(5000)}`), /more than 256 nested groups/);
  });

  test("the lexer splits like Lucene's: longest match, keywords only as whole words, operators inside terms", () => {
    const kinds = (q: string) => tokenize(q).map((t) => `${t.kind}:${t.image}`);
    assert.deepEqual(kinds("wi-fi a&&b && ANDROID AND"), [
      "TERM:wi-fi",
      "TERM:a&&b",
      "AND:&&",
      "TERM:ANDROID",
      "AND:AND",
      "EOF:",
    ]);
    assert.deepEqual(kinds("f* *f f?o * - x"), [
      "PREFIXTERM:f*",
      "WILDTERM:*f",
      "WILDTERM:f?o",
      "STAR:*",
      "BAREOPER:- ",
      "TERM:x",
      "EOF:",
    ]);
    assert.deepEqual(kinds('x^2.5~1 [a TO "b c"}'), [
      "TERM:x",
      "CARAT:^",
      "NUMBER:2.5",
      "FUZZY_SLOP:~1",
      "RANGEIN_START:[",
      "RANGE_GOOP:a",
      "RANGE_TO:TO",
      'RANGE_QUOTED:"b c"',
      "RANGEEX_END:}",
      "EOF:",
    ]); // prettier-ignore
  });
});

describe("simple_query_string", () => {
  test("whitespace uses the default operator; + and | build left-to-right trees like Lucene's SimpleQueryParser", () => {
    assert.deepEqual(sqs("quick brown"), {
      bool: { should: [match("title", "quick"), match("title", "brown")] },
    });
    assert.deepEqual(sqs("quick brown", { default_operator: "and" }), {
      bool: {
        must: [match("title", "quick", { operator: "and" }), match("title", "brown", { operator: "and" })],
      },
    });
    // a change of operator wraps what came before: (a | b) + c
    assert.deepEqual(sqs("a | b + c"), {
      bool: { must: [{ bool: { should: [match("title", "a"), match("title", "b")] } }, match("title", "c")] },
    });
    assert.deepEqual(sqs("a + (b | c)"), {
      bool: { must: [match("title", "a"), { bool: { should: [match("title", "b"), match("title", "c")] } }] },
    });
    assert.deepEqual(sqs("fox"), match("title", "fox"));
  });

  test("- negates with ES's must_not + match_all shape; a double negation cancels", () => {
    const not = (q: unknown) => ({ bool: { must_not: [q], should: [{ match_all: {} }] } });
    assert.deepEqual(sqs("fox -dog"), {
      bool: { should: [match("title", "fox"), not(match("title", "dog"))] },
    });
    assert.deepEqual(sqs("--dog"), match("title", "dog"));
    assert.deepEqual(sqs("-(a b)"), not({ bool: { should: [match("title", "a"), match("title", "b")] } }));
    // `-` inside a word is part of it
    assert.deepEqual(sqs("wi-fi"), match("title", "wi-fi"));
  });

  test("phrases with ~slop, prefix*, fuzzy~N (~ alone is 2, ~0 plain text) and escapes", () => {
    assert.deepEqual(sqs('"quick fox"~2'), { match_phrase: { title: { query: "quick fox", slop: 2 } } });
    assert.deepEqual(sqs("qui*"), { prefix: { title: { value: "qui" } } });
    assert.deepEqual(sqs("quikc~1"), match("title", "quikc", { fuzziness: 1 }));
    assert.deepEqual(sqs("quikc~"), match("title", "quikc", { fuzziness: 2 }));
    assert.deepEqual(sqs("quikc~0"), match("title", "quikc"));
    assert.deepEqual(sqs("a\\+b\\*"), match("title", "a+b*"));
    assert.deepEqual(
      sqs("quikc~1", { fuzzy_prefix_length: 1, fuzzy_max_expansions: 5, fuzzy_transpositions: false }),
      {
        match: {
          title: {
            query: "quikc",
            fuzziness: 1,
            prefix_length: 1,
            max_expansions: 5,
            fuzzy_transpositions: false,
          },
        },
      },
    );
  });

  test("never fails on syntax: unbalanced quotes and parentheses, empty groups, lone operators degrade to terms", () => {
    assert.deepEqual(sqs('"unterminated phrase'), {
      bool: { should: [match("title", "unterminated"), match("title", "phrase")] },
    });
    assert.deepEqual(sqs("(a b"), { bool: { should: [match("title", "a"), match("title", "b")] } });
    assert.deepEqual(sqs("a) () +"), match("title", "a"));
    assert.deepEqual(sqs('"" | ~ *'), {
      bool: { should: [match("title", "~"), match("title", "*")] },
    });
    for (const empty of ["", "   ", "()", "+ | -", '""'])
      assert.deepEqual(sqs(empty), { match_none: {} }, empty);
  });

  test("flags switch operators off: NONE makes one term of everything; names are case-insensitive; numbers are masks", () => {
    assert.deepEqual(sqs("a+b -c*", { flags: "NONE" }), match("title", "a+b -c*"));
    assert.deepEqual(sqs("a b*", { flags: "or|whitespace" }), {
      bool: { should: [match("title", "a"), match("title", "b*")] },
    });
    assert.deepEqual(sqs('"a b"~2', { flags: "PHRASE|WHITESPACE" }), {
      bool: { should: [{ match_phrase: { title: { query: "a b" } } }, match("title", "~2")] },
    });
    assert.deepEqual(sqs("a|b", { flags: 0 }), match("title", "a|b"));
    assert.deepEqual(sqs("a|b", { flags: "ALL" }), {
      bool: { should: [match("title", "a"), match("title", "b")] },
    });
    throwsQs(() => sqs("a", { flags: "AND|BOGUS" }), /Unknown simple_query_string flag \[BOGUS\]/);
  });

  test("several fields: most_fields text, prefix/fuzzy dis_max with tie 1 (ES sums fields), suffixed phrases", () => {
    const fields = ["title^2", "body"];
    assert.deepEqual(sqs("fox", { fields }), { multi_match: { query: "fox", type: "most_fields", fields } });
    assert.deepEqual(sqs("fo*", { fields }), {
      dis_max: {
        queries: [{ prefix: { title: { value: "fo", boost: 2 } } }, { prefix: { body: { value: "fo" } } }],
        tie_breaker: 1,
      },
    });
    assert.deepEqual(sqs("fxo~1", { fields }), {
      multi_match: { query: "fxo", fuzziness: 1, tie_breaker: 1, fields },
    });
    assert.deepEqual(sqs('"a b"', { fields, quote_field_suffix: ".exact" }), {
      multi_match: { query: "a b", type: "phrase", fields: ["title.exact^2", "body.exact"] },
    });
    assert.deepEqual(parseSimpleQueryString({ query: "fo*", fields: ["*"] }), {
      multi_match: { query: "fo", type: "phrase_prefix", tie_breaker: 1, fields: ["*"] },
    });
  });

  test("minimum_should_match, boost and _name apply to the top query; unknown parameters still fail", () => {
    assert.deepEqual(sqs("a b c", { minimum_should_match: "2", boost: 2, _name: "s" }), {
      bool: {
        should: [match("title", "a"), match("title", "b"), match("title", "c")],
        minimum_should_match: "2",
        boost: 2,
        _name: "s",
      },
    });
    assert.deepEqual(
      sqs("a", { locale: "en", lowercase_expanded_terms: true, all_fields: false }),
      match("title", "a"),
    );
    throwsQs(
      () => sqs("a", { default_field: "body" }),
      /^\[simple_query_string\] unsupported field \[default_field\]$/,
    );
    throwsQs(
      () => sqs("a", { phrase_slop: 1 }),
      /^\[simple_query_string\] unsupported field \[phrase_slop\]$/,
    );
    throwsQs(
      () => sqs("a", { fuzzy_max_expansions: "many" }),
      /\[fuzzy_max_expansions\] must be a non-negative integer/,
    );
  });
});
