/**
 * The english analyzer's ASCII path memoises token → term by span: it must give what the filter
 * chain gives token by token, also once the memo has started over.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ENGLISH_STOP_WORDS,
  englishAnalyze,
  englishIndexTerms,
  englishPossessiveFilter,
  lowercaseFilter,
  porterStemFilter,
  standardAnalyze,
  standardIndexTerms,
  stopFilter,
} from "../../src/search/analysis/english.ts";
import { tokenizeAscii } from "../../src/search/analysis/standard-tokenizer.ts";
import { TokenCache } from "../../src/search/analysis/token-cache.ts";
import type { TermSink, Token } from "../../src/search/analysis/types.ts";

const chain = (text: string) =>
  [englishPossessiveFilter, lowercaseFilter, stopFilter(ENGLISH_STOP_WORDS), porterStemFilter].reduce(
    (tokens, f) => f(tokens),
    tokenizeAscii(text),
  );

describe("TokenCache", () => {
  it("looks spans up by their chars and computes each distinct token once", () => {
    const computed: string[] = [];
    const cache = new TokenCache((t) => {
      computed.push(t);
      return t === "stop" ? null : t.toUpperCase();
    });
    const text = "ab stop ab abc stop b";
    assert.equal(cache.get(text, 0, 2), "AB");
    assert.equal(cache.get(text, 3, 7), null);
    assert.equal(cache.get(text, 8, 10), "AB");
    assert.equal(cache.get(text, 11, 14), "ABC");
    assert.equal(cache.get(text, 15, 19), null);
    assert.equal(cache.get(text, 20, 21), "B");
    assert.deepEqual(computed, ["ab", "stop", "abc", "b"]);
  });

  it("stays right after it fills up and starts over", () => {
    const cache = new TokenCache((t) => `<${t}>`);
    const words = Array.from({ length: 300_000 }, (_, i) => `w${i.toString(36)}`);
    const text = words.join(" ");
    let at = 0;
    for (const w of words) {
      assert.equal(cache.get(text, at, at + w.length), `<${w}>`);
      at += w.length + 1;
    }
    assert.equal(cache.get(text, 0, words[0]?.length ?? 0), `<${words[0]}>`);
  });
});

describe("englishAnalyze on ASCII", () => {
  it("equals the filter chain, possessives, stop words and numbers included", () => {
    const texts = [
      "The QUICK brown fox's jumps over the lazy dogs' backs, and it's 3.14 or 1,000 of them",
      "Running runners ran; CONNECTIONS connected: a_b __init__ e-mail x86_64 v1.2.3 don't",
      "",
      "the a an of",
    ];
    for (let round = 0; round < 2; round++)
      for (const text of texts) assert.deepEqual(englishAnalyze(text), chain(text), text);
  });
});

describe("indexTerms", () => {
  const texts = [
    "The QUICK brown fox's jumps over the lazy dogs' backs, and it's 3.14 or 1,000 of them",
    "Straße İstanbul ΣΟΦΟΣ naïve café's running runners",
    "",
  ];
  const viaSink = (index: (text: string, sink: TermSink) => void, text: string) => {
    const out: [string, number][] = [];
    index(text, { push: (term, position) => out.push([term, position]) });
    return out;
  };
  const viaTokens = (tokens: Token[]) => tokens.map((t): [string, number] => [t.term, t.position]);

  it("hands over the analyzers' terms and positions", () => {
    for (const text of texts) {
      assert.deepEqual(viaSink(englishIndexTerms, text), viaTokens(englishAnalyze(text)), text);
      assert.deepEqual(viaSink(standardIndexTerms, text), viaTokens(standardAnalyze(text)), text);
    }
  });

  it("memoised tokens carry a key, tokens of non-ASCII text none", () => {
    const keys = new Map<string, Set<number>>();
    englishIndexTerms("Files file FILES filed", {
      push: (term, _position, key) => {
        if (!keys.has(term)) keys.set(term, new Set());
        keys.get(term)?.add(key);
      },
    });
    assert.deepEqual([...keys.keys()], ["file"]);
    assert.ok([...(keys.get("file") ?? [])].every((k) => k >= 0));
    const nonAscii: number[] = [];
    englishIndexTerms("café files", { push: (_term, _position, key) => nonAscii.push(key) });
    assert.deepEqual(nonAscii, [-1, -1]);
  });
});
