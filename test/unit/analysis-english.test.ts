/**
 * Lucene 8.7 StandardTokenizer / StandardAnalyzer / EnglishAnalyzer / PorterStemmer parity cases.
 * Every expected value below was produced by Lucene 8.7 itself via bench/bm25/LuceneAnalyze.java
 * (`term/start/end/positionIncrement/type`); bench/bm25/analyzer-parity.ts runs the full-corpus comparison.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ENGLISH_STOP_WORDS,
  englishAnalyze,
  englishPossessiveFilter,
  lowercaseFilter,
  porterStemFilter,
  standardAnalyze,
  stopFilter,
} from "../../src/search/analysis/english.ts";
import { porterStem } from "../../src/search/analysis/porter-stemmer.ts";
import {
  standardTokenizer,
  tokenizeAscii,
  tokenizeDfa,
} from "../../src/search/analysis/standard-tokenizer.ts";
import type { Token } from "../../src/search/analysis/types.ts";

/** Formats tokens like LuceneAnalyze.java --types: term/start/end/posInc/type. */
function fmt(tokens: Token[]): string {
  let prev = -1;
  return tokens
    .map((t) => {
      const s = `${t.term}/${t.start}/${t.end}/${t.position - prev}/${t.type}`;
      prev = t.position;
      return s;
    })
    .join(" ");
}

const tok = (text: string, type: string, start: number, end: number, position: number): Token => ({
  term: text.slice(start, end),
  start,
  end,
  position,
  type,
});

describe("porterStem (Lucene PorterStemmer)", () => {
  const cases: [string, string][] = [
    ["caresses", "caress"],
    ["ponies", "poni"],
    ["ties", "ti"],
    ["caress", "caress"],
    ["cats", "cat"],
    ["feed", "feed"],
    ["agreed", "agre"],
    ["plastered", "plaster"],
    ["bled", "bled"],
    ["motoring", "motor"],
    ["sing", "sing"],
    ["conflated", "conflat"],
    ["troubled", "troubl"],
    ["sized", "size"],
    ["hopping", "hop"],
    ["tanned", "tan"],
    ["falling", "fall"],
    ["hissing", "hiss"],
    ["fizzed", "fizz"],
    ["failing", "fail"],
    ["filing", "file"],
    ["happy", "happi"],
    ["sky", "sky"],
    ["relational", "relat"],
    ["conditional", "condit"],
    ["rational", "ration"],
    ["generalization", "gener"],
    ["archaeology", "archaeolog"],
    ["possibly", "possibl"],
    ["hopeful", "hope"],
    ["goodness", "good"],
    ["electrical", "electr"],
    ["adjustable", "adjust"],
    ["effective", "effect"],
    ["mary", "mari"],
  ];
  for (const [word, stem] of cases) {
    it(`${word} → ${stem}`, () => assert.equal(porterStem(word), stem));
  }
  it("leaves words of length <= 2 alone", () => {
    assert.equal(porterStem("is"), "is");
    assert.equal(porterStem("as"), "as");
    assert.equal(porterStem("a"), "a");
  });
});

describe("standardTokenizer (Lucene StandardTokenizer)", () => {
  const tokenize = standardTokenizer();

  it("keeps case, gives UTF-16 offsets, consecutive positions and types", () => {
    const text = "The quick U.S.A. can't O'Neil 1,000.5";
    assert.deepEqual(tokenize(text), [
      tok(text, "<ALPHANUM>", 0, 3, 0),
      tok(text, "<ALPHANUM>", 4, 9, 1),
      tok(text, "<ALPHANUM>", 10, 15, 2),
      tok(text, "<ALPHANUM>", 17, 22, 3),
      tok(text, "<ALPHANUM>", 23, 29, 4),
      tok(text, "<NUM>", 30, 37, 5),
    ]);
    assert.deepEqual(
      tokenize(text).map((t) => t.term),
      ["The", "quick", "U.S.A", "can't", "O'Neil", "1,000.5"],
    );
  });

  it("matches Lucene on words, URLs, e-mails, underscores and mid-letter/mid-num punctuation", () => {
    const line1 =
      "The quick brown fox's 1,000.5 3.14 U.S.A. can't O'Neil foo_bar e-mail test@example.com http://x.org/a";
    assert.equal(
      fmt(standardAnalyze(line1)),
      "the/0/3/1/<ALPHANUM> quick/4/9/1/<ALPHANUM> brown/10/15/1/<ALPHANUM> fox's/16/21/1/<ALPHANUM> " +
        "1,000.5/22/29/1/<NUM> 3.14/30/34/1/<NUM> u.s.a/35/40/1/<ALPHANUM> can't/42/47/1/<ALPHANUM> " +
        "o'neil/48/54/1/<ALPHANUM> foo_bar/55/62/1/<ALPHANUM> e/63/64/1/<ALPHANUM> mail/65/69/1/<ALPHANUM> " +
        "test/70/74/1/<ALPHANUM> example.com/75/86/1/<ALPHANUM> http/87/91/1/<ALPHANUM> " +
        "x.org/94/99/1/<ALPHANUM> a/100/101/1/<ALPHANUM>",
    );
    const line2 = "a1.2 1.a a.1 a:b 1:2 1;2 a;b 1'2 a__b _x_ a_.b ___ x#y 2nd v2.0 192.168.0.1";
    assert.equal(
      fmt(standardAnalyze(line2)),
      "a1.2/0/4/1/<ALPHANUM> 1/5/6/1/<NUM> a/7/8/1/<ALPHANUM> a/9/10/1/<ALPHANUM> 1/11/12/1/<NUM> " +
        "a:b/13/16/1/<ALPHANUM> 1/17/18/1/<NUM> 2/19/20/1/<NUM> 1;2/21/24/1/<NUM> a/25/26/1/<ALPHANUM> " +
        "b/27/28/1/<ALPHANUM> 1'2/29/32/1/<NUM> a__b/33/37/1/<ALPHANUM> _x_/38/41/1/<ALPHANUM> " +
        "a_/42/44/1/<ALPHANUM> b/45/46/1/<ALPHANUM> x/51/52/1/<ALPHANUM> y/53/54/1/<ALPHANUM> " +
        "2nd/55/58/1/<ALPHANUM> v2.0/59/63/1/<ALPHANUM> 192.168.0.1/64/75/1/<NUM>",
    );
  });

  it("emits one token per Han ideograph and Hiragana char; Katakana, Hangul, Thai and emoji as Lucene", () => {
    const line = "中文字 カタカナ ひらがな 한국어 😀👍🏽 🇺🇸 ภาษาไทย Привет";
    assert.equal(
      fmt(standardAnalyze(line)),
      "中/0/1/1/<IDEOGRAPHIC> 文/1/2/1/<IDEOGRAPHIC> 字/2/3/1/<IDEOGRAPHIC> カタカナ/4/8/1/<KATAKANA> " +
        "ひ/9/10/1/<HIRAGANA> ら/10/11/1/<HIRAGANA> が/11/12/1/<HIRAGANA> な/12/13/1/<HIRAGANA> " +
        "한국어/14/17/1/<HANGUL> 😀/18/20/1/<EMOJI> 👍🏽/20/24/1/<EMOJI> 🇺🇸/25/29/1/<EMOJI> " +
        "ภาษาไทย/30/37/1/<SOUTHEAST_ASIAN> привет/38/44/1/<ALPHANUM>",
    );
  });

  it("splits tokens longer than maxTokenLength like Lucene's scan buffer", () => {
    const text = `${"a".repeat(300)} bbbbbbbbbb`;
    assert.deepEqual(
      standardTokenizer(255)(text).map((t) => [t.start, t.end, t.position]),
      [
        [0, 255, 0],
        [255, 300, 1],
        [301, 311, 2],
      ],
    );
  });

  it("ASCII fast path agrees with Lucene's DFA on random ASCII", () => {
    const alphabet = "ab1_.',:;# *\"-Z9\n";
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let n = 0; n < 20000; n++) {
      let s = "";
      const len = 1 + Math.floor(rnd() * 24);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      const max = rnd() < 0.3 ? 1 + Math.floor(rnd() * 5) : 255;
      assert.deepEqual(tokenizeAscii(s, max), tokenizeDfa(s, max), JSON.stringify([s, max]));
    }
  });
});

describe("StandardAnalyzer / EnglishAnalyzer", () => {
  it("lower-cases per code point like Java (İ → i, final Σ → σ)", () => {
    assert.equal(
      fmt(standardAnalyze("İstanbul ΣΟΦΟΣ Straße ÆRØ")),
      "istanbul/0/8/1/<ALPHANUM> σοφοσ/9/14/1/<ALPHANUM> straße/15/21/1/<ALPHANUM> ærø/22/25/1/<ALPHANUM>",
    );
  });

  it("StandardAnalyzer keeps stop words", () => {
    assert.equal(
      fmt(standardAnalyze("the cat is on the mat")),
      "the/0/3/1/<ALPHANUM> cat/4/7/1/<ALPHANUM> is/8/10/1/<ALPHANUM> on/11/13/1/<ALPHANUM> " +
        "the/14/17/1/<ALPHANUM> mat/18/21/1/<ALPHANUM>",
    );
  });

  it("EnglishAnalyzer drops stop words but keeps their position gaps", () => {
    assert.equal(fmt(englishAnalyze("the cat is on the mat")), "cat/4/7/2/<ALPHANUM> mat/18/21/4/<ALPHANUM>");
    assert.deepEqual(
      englishAnalyze("the cat is on the mat").map((t) => t.position),
      [1, 5],
    );
  });

  it("EnglishAnalyzer strips possessives before stop words and stemming", () => {
    assert.equal(
      fmt(englishAnalyze("John's JOHN'S Mary’s dogs' it's")),
      "john/0/6/1/<ALPHANUM> john/7/13/1/<ALPHANUM> mari/14/20/1/<ALPHANUM> dog/21/25/1/<ALPHANUM>",
    );
  });

  it("EnglishAnalyzer matches Lucene on a mixed line", () => {
    const line =
      "The quick brown fox's 1,000.5 3.14 U.S.A. can't O'Neil foo_bar e-mail test@example.com http://x.org/a";
    assert.equal(
      fmt(englishAnalyze(line)),
      "quick/4/9/2/<ALPHANUM> brown/10/15/1/<ALPHANUM> fox/16/21/1/<ALPHANUM> 1,000.5/22/29/1/<NUM> " +
        "3.14/30/34/1/<NUM> u.s.a/35/40/1/<ALPHANUM> can't/42/47/1/<ALPHANUM> o'neil/48/54/1/<ALPHANUM> " +
        "foo_bar/55/62/1/<ALPHANUM> e/63/64/1/<ALPHANUM> mail/65/69/1/<ALPHANUM> test/70/74/1/<ALPHANUM> " +
        "example.com/75/86/1/<ALPHANUM> http/87/91/1/<ALPHANUM> x.org/94/99/1/<ALPHANUM>",
    );
  });

  it("has Lucene's 33 English stop words", () => {
    assert.equal(ENGLISH_STOP_WORDS.size, 33);
    for (const w of ["a", "the", "will", "with", "such", "into"]) assert.ok(ENGLISH_STOP_WORDS.has(w), w);
    assert.ok(!ENGLISH_STOP_WORDS.has("i"));
  });
});

describe("composable filters", () => {
  const tokens = (...terms: string[]): Token[] =>
    terms.map((term, i) => ({
      term,
      start: i * 10,
      end: i * 10 + term.length,
      position: i,
      type: "<ALPHANUM>",
    }));

  it("stopFilter keeps the following positions unchanged", () => {
    const out = stopFilter(ENGLISH_STOP_WORDS)(tokens("to", "be", "or", "not", "to", "be", "question"));
    assert.deepEqual(
      out.map((t) => [t.term, t.position]),
      [["question", 6]],
    );
  });

  it("englishPossessiveFilter strips 's ’s ＇s with either case of s, keeping offsets", () => {
    const out = englishPossessiveFilter(tokens("Bob's", "BOB'S", "Bob’s", "Bob＇s", "Bobs", "s's"));
    assert.deepEqual(
      out.map((t) => t.term),
      ["Bob", "BOB", "Bob", "Bob", "Bobs", "s"],
    );
    assert.equal(out[0]?.end, 5);
  });

  it("lowercaseFilter and porterStemFilter (keyword tokens are not stemmed)", () => {
    const input = lowercaseFilter(tokens("Running", "Ponies"));
    assert.deepEqual(
      input.map((t) => t.term),
      ["running", "ponies"],
    );
    const marked = input.map((t, i) => (i === 1 ? { ...t, keyword: true } : t));
    assert.deepEqual(
      porterStemFilter(marked).map((t) => t.term),
      ["run", "ponies"],
    );
  });
});
