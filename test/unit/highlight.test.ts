import assert from "node:assert/strict";
import { test } from "node:test";
import { EngineError } from "../../src/search/errors.ts";
import { highlightField } from "../../src/search/query/highlight.ts";

type Token = { start: number; end: number; term: string };

/** Roughly the standard analyzer: word tokens, lowercased. */
const standard = (text: string): Token[] =>
  Array.from(text.matchAll(/\w+/g), (m) => ({
    start: m.index,
    end: m.index + m[0].length,
    term: m[0].toLowerCase(),
  }));

/** A toy English stemmer on top of `standard`, so analysed terms differ from the surface text. */
const stemming = (text: string): Token[] =>
  standard(text).map((t) => ({ ...t, term: t.term.replace(/(ning|ing|ed|s)$/, "") }));

function hl(values: string[], terms: string[], options: Record<string, unknown> = {}, analyze = standard) {
  return highlightField({ values, analyze, terms: new Set(terms) }, options);
}

const bold = { pre_tags: ["<b>"], post_tags: ["</b>"] };

function assertRejected(options: Record<string, unknown>, status: number, pattern: RegExp) {
  assert.throws(
    () => hl(["some text"], ["text"], options),
    (err: unknown) => err instanceof EngineError && err.status === status && pattern.test(err.message),
  );
}

test("wraps each matched token in <em> and keeps the sentence around it", () => {
  assert.deepEqual(hl(["The quick brown fox jumps."], ["quick", "fox"]), [
    "The <em>quick</em> brown <em>fox</em> jumps.",
  ]);
});

test("highlights the original surface text of stemmed terms", () => {
  const out = hl(["Running dogs ran; the dog runs and keeps running."], ["run", "dog"], {}, stemming);
  assert.deepEqual(out, [
    "<em>Running</em> <em>dogs</em> ran; the <em>dog</em> <em>runs</em> and keeps <em>running</em>.",
  ]);
});

test("adjacent matches are wrapped separately, overlapping tokens become one span", () => {
  assert.deepEqual(hl(["New York City"], ["new", "york"]), ["<em>New</em> <em>York</em> City"]);
  // a synonym token on the same offsets plus a shingle spanning two words
  const analyze = (text: string): Token[] => [
    ...standard(text),
    { start: 0, end: 3, term: "nyc" },
    { start: 0, end: 8, term: "new york" },
  ];
  assert.deepEqual(hl(["New York City"], ["nyc", "new york"], {}, analyze), ["<em>New York</em> City"]);
});

test("custom pre_tags / post_tags: the unified highlighter uses the first of each", () => {
  const options = { pre_tags: ["<mark>", "<i>"], post_tags: ["</mark>", "</i>"] };
  assert.deepEqual(hl(["one two"], ["one", "two"], options), ["<mark>one</mark> <mark>two</mark>"]);
  // a single string is accepted as a one-element list, as Elasticsearch does
  assert.deepEqual(hl(["one two"], ["two"], { pre_tags: "[", post_tags: "]" }), ["one [two]"]);
});

test("tags_schema styled uses the hlt1 class; explicit tags win over the schema", () => {
  assert.deepEqual(hl(["one two"], ["two"], { tags_schema: "styled" }), ['one <em class="hlt1">two</em>']);
  assert.deepEqual(hl(["one two"], ["two"], { tags_schema: "styled", ...bold }), ["one <b>two</b>"]);
});

test("encoder html escapes the text (as Lucene's SimpleHTMLEncoder) but not the tags", () => {
  const value = `<p class="x">Tom & Jerry's a/b</p>`;
  assert.deepEqual(hl([value], ["tom"], { encoder: "html" }), [
    "&lt;p class=&quot;x&quot;&gt;<em>Tom</em> &amp; Jerry&#x27;s a&#x2F;b&lt;&#x2F;p&gt;",
  ]);
  assert.deepEqual(hl([value], ["tom"]), [`<p class="x"><em>Tom</em> & Jerry's a/b</p>`]);
});

test("fragment_size bounds sentence fragments like ES's BoundedBreakIteratorScanner", () => {
  // expected outputs are those of Elasticsearch's CustomUnifiedHighlighterTests
  const text =
    "The quick brown fox in a long sentence with another quick brown fox. Another sentence with brown fox.";
  assert.deepEqual(
    hl([text], ["quick", "brown", "fox"], { ...bold, fragment_size: 10, number_of_fragments: 10 }),
    [
      "The <b>quick</b> <b>brown</b>",
      "<b>fox</b> in a long",
      "with another <b>quick</b>",
      "<b>brown</b> <b>fox</b>.",
      "sentence with <b>brown</b>",
      "<b>fox</b>.",
    ],
  );
  const small =
    "A short sentence. Followed by a bigger sentence that should be truncated. And a last short sentence.";
  assert.deepEqual(hl([small], ["sentence"], { ...bold, fragment_size: 20 }), [
    "A short <b>sentence</b>.",
    "Followed by a bigger <b>sentence</b>",
    "And a last short <b>sentence</b>",
  ]);
  const fun = "Fun  fun fun  fun  fun  fun  fun  fun  fun  fun";
  assert.deepEqual(hl([fun], ["fun"], { ...bold, fragment_size: 10, number_of_fragments: 10 }), [
    "<b>Fun</b>  <b>fun</b> <b>fun</b>",
    "<b>fun</b>  <b>fun</b>",
    "<b>fun</b>  <b>fun</b>  <b>fun</b>",
    "<b>fun</b>  <b>fun</b>",
  ]);
});

test("short sentences are grouped into one fragment while they fit in fragment_size", () => {
  const text = "Two words. Followed by many words in a big sentence. One. Two. Three. And more words.";
  assert.deepEqual(hl([text], ["one", "two", "three", "words"], { ...bold, fragment_size: 20 }), [
    "<b>Two</b> <b>words</b>.",
    "Followed by many <b>words</b>",
    "<b>One</b>. <b>Two</b>. <b>Three</b>.",
    "And more <b>words</b>.",
  ]);
});

test("number_of_fragments 0 highlights each whole matching value without fragmenting", () => {
  const long = `${"lorem ipsum dolor sit amet. ".repeat(10)}needle at the very end.`;
  const out = hl([long, "no match here", "another needle"], ["needle"], {
    number_of_fragments: 0,
    fragment_size: 20,
  });
  assert.deepEqual(out, [long.replace("needle", "<em>needle</em>").trim(), "another <em>needle</em>"]);
});

test("multi-valued fields: each value is fragmented on its own, fragments come from all values", () => {
  const out = hl(["first value with apple", "nothing", "second apple value. Other sentence"], ["apple"], {
    fragment_size: 200,
  });
  assert.deepEqual(out, ["first value with <em>apple</em>", "second <em>apple</em> value. Other sentence"]);
});

test("number_of_fragments keeps the best-scoring passages, returned in text order", () => {
  const values = [
    "This is a test. Just a test1 highlighting from unified highlighter.",
    "This is the second highlighting value to perform highlighting on a longer text that gets scored lower.",
    "This is highlighting the third short highlighting value.",
    "Just a test4 highlighting from unified highlighter.",
  ];
  // fragment_size 0 = plain sentences, as in Elasticsearch's CustomUnifiedHighlighterTests#testSimple
  const all = hl(values, ["highlighting"], { ...bold, fragment_size: 0 });
  assert.deepEqual(all, [
    "Just a test1 <b>highlighting</b> from unified highlighter.",
    "This is the second <b>highlighting</b> value to perform <b>highlighting</b> on a longer text that gets scored lower.",
    "This is <b>highlighting</b> the third short <b>highlighting</b> value.",
    "Just a test4 <b>highlighting</b> from unified highlighter.",
  ]);
  // Lucene's passage scores rank two matches (even in a long passage) above one: the 2 best are values 2 and 3
  assert.deepEqual(hl(values, ["highlighting"], { ...bold, fragment_size: 0, number_of_fragments: 2 }), [
    all?.[1],
    all?.[2],
  ]);
  // ...and the earlier of two equal single-match passages wins
  assert.deepEqual(
    hl([values[0] as string, values[3] as string], ["highlighting"], { number_of_fragments: 1 }),
    ["Just a test1 <em>highlighting</em> from unified highlighter."],
  );
});

test("order score sorts fragments by score: more and rarer distinct terms first", () => {
  const text = "Cats sleep. Dogs and cats play. A zebra, dogs and cats run.";
  const out = hl([text], ["cats", "dogs", "zebra"], { fragment_size: 30, order: "score" });
  assert.deepEqual(out, [
    "A <em>zebra</em>, <em>dogs</em> and <em>cats</em> run.",
    "<em>Dogs</em> and <em>cats</em> play.",
    "<em>Cats</em> sleep.",
  ]);
  assert.equal(hl([text], ["cats", "dogs", "zebra"], { fragment_size: 30 })?.[0], "<em>Cats</em> sleep.");
});

test("no_match_size returns the start of the first non-empty value, up to a word boundary", () => {
  const values = ["", "The quick brown fox jumps. Over the dog."];
  assert.deepEqual(hl(values, [], { no_match_size: 6 }), ["The quick"]);
  assert.deepEqual(hl(values, ["zebra"], { no_match_size: 100 }), [
    "The quick brown fox jumps. Over the dog.",
  ]);
  assert.deepEqual(hl(values, ["zebra"], { no_match_size: 100, number_of_fragments: 0 }), [
    "The quick brown fox jumps.",
  ]);
  assert.deepEqual(hl(["a < b"], [], { no_match_size: 10, encoder: "html" }), ["a &lt; b"]);
  assert.equal(hl(values, ["zebra"]), undefined);
  // a real match wins over the no-match summary (fragments start at the sentence holding the match)
  assert.deepEqual(hl(values, ["dog"], { no_match_size: 6 }), ["Over the <em>dog</em>."]);
});

test("nothing to highlight gives undefined", () => {
  assert.equal(hl(["some text"], []), undefined);
  assert.equal(hl([], ["text"]), undefined);
  assert.equal(hl(["some text"], ["other"]), undefined);
});

test("boundary_scanner word makes each fragment just the matched word", () => {
  assert.deepEqual(hl(["The quick brown fox."], ["quick", "fox"], { boundary_scanner: "word" }), [
    "<em>quick</em>",
    "<em>fox</em>",
  ]);
});

test("plain and fvh types are accepted; fvh's chars scanner widens to boundary_chars", () => {
  const text = "one two three four five six seven, eight nine ten eleven twelve thirteen";
  assert.deepEqual(hl([text], ["eight"], { type: "plain" }), [text.replace("eight", "<em>eight</em>")]);
  // 18 chars from 6 before the match, then out to the nearest boundary char (default ".,!? \t\n")
  assert.deepEqual(hl([text], ["eight"], { type: "fvh", fragment_size: 18 }), [
    "seven, <em>eight</em> nine ten",
  ]);
  // no boundary char within boundary_max_scan: the raw window is kept
  assert.deepEqual(hl([text], ["eight"], { type: "fvh", fragment_size: 18, boundary_chars: "," }), [
    "even, <em>eight</em> nine t",
  ]);
  assert.deepEqual(hl([text], ["eight"], { type: "fvh", fragment_size: 18, boundary_max_scan: 1 }), [
    "even, <em>eight</em> nine t",
  ]);
});

test("numeric strings and harmless options are accepted", () => {
  const options = {
    fragment_size: "20",
    number_of_fragments: "1",
    require_field_match: false,
    force_source: true,
    phrase_limit: 256,
    highlight_query: { match: { body: "x" } },
    matched_fields: ["body", "body.plain"],
    fragmenter: "simple",
    boundary_scanner_locale: "en-US",
  };
  assert.deepEqual(hl(["Short one. The needle is here."], ["needle"], options), [
    "The <em>needle</em> is here.",
  ]);
});

test("invalid options are rejected with a 400 naming the option", () => {
  assertRejected({ fragment_sise: 10 }, 400, /unknown field \[fragment_sise\]/);
  assertRejected({ number_of_fragments: -1 }, 400, /\[number_of_fragments\].*integer >= 0/);
  assertRejected({ fragment_size: "big" }, 400, /\[fragment_size\]/);
  assertRejected({ order: "random" }, 400, /\[order\].*one of \[none, score\]/);
  assertRejected({ encoder: "xml" }, 400, /\[encoder\].*\[default, html\]/);
  assertRejected({ type: "fast" }, 400, /\[type\].*\[unified, plain, fvh\]/);
  assertRejected({ tags_schema: "bold" }, 400, /\[tags_schema\]/);
  assertRejected({ pre_tags: ["<x>"] }, 400, /pre_tags are set but post_tags are not set/);
  assertRejected({ pre_tags: [], post_tags: [] }, 400, /\[pre_tags\].*non-empty/);
  assertRejected({ require_field_match: "yes" }, 400, /\[require_field_match\].*true or false/);
  assertRejected({ boundary_scanner: "chars" }, 400, /boundary scanner type: chars/);
  assertRejected({ boundary_scanner_locale: "not a locale" }, 400, /\[boundary_scanner_locale\]/);
  assertRejected({ highlight_query: "text" }, 400, /\[highlight_query\].*object/);
});

test("text longer than max_analyzed_offset is an error that says what to raise", () => {
  const text = "word ".repeat(30);
  assertRejected({ max_analyzed_offset: 0 }, 400, /\[max_analyzed_offset\]/);
  assert.throws(
    () => hl([text, text], ["word"], { max_analyzed_offset: 100 }),
    (err: unknown) =>
      err instanceof EngineError &&
      err.type === "illegal_argument_exception" &&
      /\[301\].*\[100\].*index\.highlight\.max_analyzed_offset/.test(err.message),
  );
  // the default limit is Elasticsearch's 1,000,000 characters
  assert.throws(() => hl(["a".repeat(1_000_001)], ["a"]), /max_analyzed_offset/);
  assert.ok(hl([text], ["word"], { max_analyzed_offset: 150 }));
});
