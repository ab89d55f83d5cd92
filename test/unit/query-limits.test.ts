import assert from "node:assert/strict";
import { test } from "node:test";
import { checkJsonDepth, MAX_JSON_DEPTH } from "../../src/search/json-depth.ts";
import { luceneRegExp, wildcardToRegExp } from "../../src/search/query/term-expansion.ts";

const LONG_RUN = `${"a".repeat(1000)}!`;

test("catastrophic regexps and wildcards stay fast (V8's linear engine takes over)", () => {
  for (const matcher of [
    luceneRegExp("(a+)+b"),
    luceneRegExp("(a|a)*b"),
    luceneRegExp("(.*a){5}"),
    luceneRegExp("(A+)+B", true),
    wildcardToRegExp("*a*a*a*a*a*a*a*a*a*a*a*a*b"),
    wildcardToRegExp("*A*A*A*A*A*A*A*A*A*A*A*B", true),
  ]) {
    const started = performance.now();
    assert.equal(matcher.test(LONG_RUN), false);
    assert.ok(performance.now() - started < 1000, `${matcher} took ${performance.now() - started} ms`);
  }
});

test("regexps and wildcards still match as Lucene's do, case-insensitively when asked", () => {
  assert.equal(luceneRegExp("se.rch").test("search"), true);
  assert.equal(luceneRegExp("se.rch").test("SEARCH"), false);
  assert.equal(luceneRegExp("Se.Rch", true).test("sEaRcH"), true);
  assert.equal(luceneRegExp("ab@").test("abxyz"), true);
  assert.equal(wildcardToRegExp("s*h").test("search"), true);
  assert.equal(wildcardToRegExp("S?ARCH", true).test("search"), true);
  assert.equal(wildcardToRegExp("s\\*h").test("search"), false);
});

test("patterns over index.max_regex_length (1000) are refused with Elasticsearch's message", () => {
  assert.throws(
    () => luceneRegExp("a".repeat(1001)),
    /exceeded the allowed maximum of \[1000\].*index\.max_regex_length/,
  );
  assert.throws(() => wildcardToRegExp("a".repeat(1001)), /longer than 1000/);
  assert.throws(() => luceneRegExp("(?=a)"), /does not support/);
  assert.throws(
    () => luceneRegExp("(.*a){20}"),
    (err: Error & { type?: string }) => err.type === "too_complex_to_determinize_exception",
  );
});

test("request JSON nested deeper than 256 levels is refused before parsing; strings do not count", () => {
  const nested = (n: number) => `${'{"bool":{"must":['.repeat(n)}{}${"]}}".repeat(n)}`;
  checkJsonDepth(nested(80));
  assert.throws(
    () => checkJsonDepth(nested(86)),
    (err: Error & { type?: string; status?: number }) => {
      assert.equal(err.type, "parsing_exception");
      assert.equal(err.status, 400);
      assert.match(err.message, /deeper than 256 levels/);
      return true;
    },
  );
  checkJsonDepth(`{"text":"${"[{".repeat(1000)}\\"${"}]".repeat(1000)}"}`);
  assert.equal(MAX_JSON_DEPTH, 256);
});
