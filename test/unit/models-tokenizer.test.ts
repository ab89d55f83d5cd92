/**
 * The models' fastText-style tokenizer: word splitting (including CJK), vocabulary ids, hashed
 * character n-grams, persistence and truncation.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import {
  DEFAULT_TOKENIZER_SETTINGS,
  fnv1a32,
  ModelTokenizer,
  parseTokenizerSettings,
  tokenizeWords,
  Vocabulary,
  wordNgramIds,
} from "../../src/models/tokenizer.ts";

const tmpRoot = mkdtempSync(join(tmpdir(), "lodestone-models-tokenizer-"));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));

/** The n-gram strings fastText would build for `word`, to hash independently of the implementation. */
function ngramStrings(word: string, minN: number, maxN: number): string[] {
  const chars = [...`<${word}>`];
  if (chars.length < minN) return [chars.join("")];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i++) {
    for (let n = 1; n <= maxN && i + n <= chars.length; n++) {
      if (n >= minN && !(n === 1 && (i === 0 || i === chars.length - 1)))
        out.push(chars.slice(i, i + n).join(""));
    }
  }
  return out;
}

describe("tokenizeWords", () => {
  it("lowercases, applies NFKC and splits on everything but letters, marks and digits", () => {
    assert.deepEqual(tokenizeWords("Hello, World!  It's state-of-the-art."), [
      "hello",
      "world",
      "it",
      "s",
      "state",
      "of",
      "the",
      "art",
    ]);
    assert.deepEqual(tokenizeWords("ＡＢＣ１２３ ﬁne café Ⅻ"), ["abc123", "fine", "café", "xii"]);
    assert.deepEqual(tokenizeWords("e-mail_address x+y=z 3.14"), [
      "e",
      "mail",
      "address",
      "x",
      "y",
      "z",
      "3",
      "14",
    ]);
    assert.deepEqual(tokenizeWords("Crème Brûlée", { lowercase: false }), ["Crème", "Brûlée"]);
    assert.deepEqual(tokenizeWords("  ... !!! "), []);
    assert.deepEqual(tokenizeWords(""), []);
  });

  it("segments Chinese with jieba and keeps kana and Hangul words whole", () => {
    assert.deepEqual(tokenizeWords("我们中出了一个叛徒"), ["我们", "中出", "了", "一个", "叛徒"]);
    assert.deepEqual(tokenizeWords("iPhone手机2024年发布"), ["iphone", "手机", "2024", "年", "发布"]);
    assert.deepEqual(tokenizeWords("東京タワーに行きました"), [
      "東京",
      "タワー",
      "に",
      "行",
      "き",
      "ま",
      "し",
      "た",
    ]);
    assert.deepEqual(tokenizeWords("한국어 텍스트입니다"), ["한국어", "텍스트입니다"]);
    assert.deepEqual(tokenizeWords("ﾃｽﾄ"), ["テスト"], "half-width katakana normalised");
  });
});

describe("n-grams", () => {
  const settings = { minN: 3, maxN: 5, buckets: 1 << 16 };

  it("hashes the fastText n-grams of <word> with FNV-1a over UTF-8", () => {
    assert.equal(fnv1a32(""), 0x811c9dc5);
    assert.equal(fnv1a32("a"), 0xe40c292c);
    assert.equal(fnv1a32("foobar"), 0xbf9cf968);
    for (const word of ["where", "a", "of", "café", "我们", "텍스트입니다"]) {
      const expected = ngramStrings(word, 3, 5).map((s) => fnv1a32(s) % settings.buckets);
      assert.deepEqual(Array.from(wordNgramIds(word, settings)), expected, word);
    }
    assert.deepEqual(ngramStrings("of", 3, 5), ["<of", "<of>", "of>"]);
    assert.equal(wordNgramIds("where", settings).length, 5 + 4 + 3, "<wh whe her ere re>, 4-grams, 5-grams");
  });

  it("gives a word shorter than minN its whole <word>, and skips lone boundary markers", () => {
    assert.deepEqual(Array.from(wordNgramIds("a", { minN: 4, maxN: 6, buckets: 1000 })), [
      fnv1a32("<a>") % 1000,
    ]);
    const unigrams = Array.from(wordNgramIds("ab", { minN: 1, maxN: 1, buckets: 1 << 20 }));
    assert.deepEqual(
      unigrams,
      ["a", "b"].map((s) => fnv1a32(s) % (1 << 20)),
    );
  });

  it("is deterministic and stays within the bucket range", () => {
    const words = tokenizeWords(
      "the quick brown fox jumps over the lazy dog 我们 東京タワー naïve résumé 12345",
    );
    for (const buckets of [1, 7, 1 << 16, 0x7fffffff]) {
      for (const word of words) {
        const a = wordNgramIds(word, { minN: 2, maxN: 6, buckets });
        const b = wordNgramIds(word, { minN: 2, maxN: 6, buckets });
        assert.deepEqual(a, b);
        assert.ok(a.length > 0);
        for (const id of a) assert.ok(id >= 0 && id < buckets, `${id} in [0, ${buckets})`);
      }
    }
  });
});

describe("Vocabulary", () => {
  it("keeps the most frequent words above minCount, ties broken by the word", () => {
    const counts = new Map([
      ["b", 3],
      ["a", 3],
      ["c", 5],
      ["rare", 1],
      ["d", 2],
    ]);
    assert.deepEqual(Vocabulary.fromCounts(counts).words, ["c", "a", "b", "d", "rare"]);
    assert.deepEqual(Vocabulary.fromCounts(counts, { minCount: 2 }).words, ["c", "a", "b", "d"]);
    assert.deepEqual(Vocabulary.fromCounts(counts, { minCount: 2, maxSize: 2 }).words, ["c", "a"]);
    const vocab = Vocabulary.fromTexts(["The cat sat.", "the CAT ran", "a dog"], { minCount: 2 });
    assert.deepEqual(vocab.words, ["cat", "the"]);
    assert.equal(vocab.id("the"), 1);
    assert.equal(vocab.id("dog"), -1);
  });

  it("rejects duplicate, empty and multi-line words", () => {
    assert.throws(() => new Vocabulary(["a", "b", "a"]), /word "a" appears twice \(ids 0 and 2\)/);
    assert.throws(() => new Vocabulary(["a", ""]), /word 1 "" must be non-empty/);
    assert.throws(() => new Vocabulary(["a\nb"]), /must be non-empty and on one line/);
    assert.throws(() => Vocabulary.fromText("a\n\nb\n", "vocab.txt"), /vocab\.txt: line 2 is empty/);
  });
});

describe("ModelTokenizer", () => {
  const vocab = Vocabulary.fromTexts(["the quick brown fox", "the lazy dog", "搜索 相关性"]);

  it("encodes word ids and CSR n-grams; out-of-vocabulary words still get n-grams", () => {
    const tok = new ModelTokenizer(vocab);
    const enc = tok.encode("The quickest fox, 搜索!");
    assert.deepEqual(enc.tokens, ["the", "quickest", "fox", "搜索"]);
    assert.equal(enc.length, 4);
    assert.deepEqual(Array.from(enc.wordIds), [vocab.id("the"), -1, vocab.id("fox"), vocab.id("搜索")]);
    assert.ok(
      enc.wordIds instanceof Int32Array &&
        enc.ngramOffsets instanceof Int32Array &&
        enc.ngramIds instanceof Int32Array,
    );
    assert.equal(enc.ngramOffsets.length, 5);
    assert.equal(enc.ngramOffsets[0], 0);
    assert.equal(enc.ngramOffsets[4], enc.ngramIds.length);
    enc.tokens.forEach((word, t) => {
      const slice = enc.ngramIds.subarray(enc.ngramOffsets[t], enc.ngramOffsets[t + 1]);
      assert.ok(slice.length > 0, `${word} has n-grams`);
      assert.deepEqual(slice, wordNgramIds(word, tok.settings), word);
    });
    assert.deepEqual(tok.encode("The quickest fox, 搜索!"), enc, "deterministic, also from the cache");
    const empty = tok.encode("?!");
    assert.equal(empty.length, 0);
    assert.deepEqual(Array.from(empty.ngramOffsets), [0]);
    assert.equal(empty.ngramIds.length, 0);
  });

  it("truncates to maxLength (argument, else the setting)", () => {
    const tok = new ModelTokenizer(vocab, { maxLength: 3 });
    const text = "one two three four five";
    assert.deepEqual(tok.encode(text).tokens, ["one", "two", "three"]);
    assert.deepEqual(tok.encode(text, 2).tokens, ["one", "two"]);
    const enc = tok.encode(text, 2);
    assert.equal(enc.wordIds.length, 2);
    assert.equal(enc.ngramOffsets.length, 3);
    assert.equal(enc.ngramIds.length, enc.ngramOffsets[2]);
    assert.equal(tok.encode(text, 100).length, 5);
  });

  it("honours the settings: buckets, n range, lowercase", () => {
    const tok = new ModelTokenizer(vocab, { minN: 2, maxN: 3, buckets: 10, lowercase: false });
    const enc = tok.encode("The fox");
    assert.deepEqual(enc.tokens, ["The", "fox"]);
    assert.equal(enc.wordIds[0], -1, "case kept, so 'The' is not 'the'");
    for (const id of enc.ngramIds) assert.ok(id >= 0 && id < 10);
    assert.equal(enc.ngramOffsets[1], ngramStrings("The", 2, 3).length);
  });

  it("validates settings, naming the field", () => {
    assert.deepEqual(parseTokenizerSettings({}), DEFAULT_TOKENIZER_SETTINGS);
    assert.throws(
      () => new ModelTokenizer(vocab, { minN: 0 }),
      /"minN" must be an integer in \[1, 32\], got 0/,
    );
    assert.throws(
      () => new ModelTokenizer(vocab, { minN: 4, maxN: 3 }),
      /"maxN" must be an integer in \[4, 32\], got 3/,
    );
    assert.throws(() => new ModelTokenizer(vocab, { buckets: 2 ** 31 }), /"buckets" must be an integer/);
    assert.throws(() => new ModelTokenizer(vocab, { maxLength: 1.5 }), /"maxLength" must be an integer/);
    assert.throws(() => parseTokenizerSettings({ lowercase: "yes" }), /"lowercase" must be a boolean/);
  });

  it("round-trips through toJSON/fromJSON and save/load", () => {
    const tok = new ModelTokenizer(vocab, { minN: 2, maxN: 4, buckets: 5000, maxLength: 64 });
    const json = JSON.parse(JSON.stringify(tok.toJSON()));
    assert.deepEqual(json, {
      type: "fasttext-ngram",
      version: 1,
      hash: "fnv1a32-utf8",
      minN: 2,
      maxN: 4,
      buckets: 5000,
      lowercase: true,
      maxLength: 64,
      vocabSize: vocab.size,
    });
    const text = "the brown dog and 相关性 quickly";
    assert.deepEqual(ModelTokenizer.fromJSON(json, vocab).encode(text), tok.encode(text));

    const dir = join(tmpRoot, "tokenizer");
    tok.save(dir);
    assert.equal(readFileSync(join(dir, "vocab.txt"), "utf8"), `${vocab.words.join("\n")}\n`);
    assert.deepEqual(JSON.parse(readFileSync(join(dir, "tokenizer.json"), "utf8")), json);
    const loaded = ModelTokenizer.load(dir);
    assert.deepEqual(loaded.settings, tok.settings);
    assert.deepEqual(loaded.vocabulary.words, vocab.words);
    assert.deepEqual(loaded.encode(text), tok.encode(text));

    writeFileSync(join(dir, "vocab.txt"), "the\nfox\n");
    assert.throws(
      () => ModelTokenizer.load(dir),
      /tokenizer\.json: "vocabSize" is \d+ but the vocabulary has 2 words/,
    );
    assert.throws(
      () => ModelTokenizer.fromJSON({ ...json, type: "bpe" }, vocab),
      /"type" must be "fasttext-ngram"/,
    );
    assert.throws(
      () => ModelTokenizer.fromJSON({ ...json, buckets: 0 }, vocab),
      /"buckets" must be an integer in \[1,/,
    );
    assert.throws(
      () => ModelTokenizer.load(join(tmpRoot, "nowhere")),
      /tokenizer\.json: cannot read the tokenizer config/,
    );
  });

  it("encodes well over 5,000 short texts per second", () => {
    const tok = new ModelTokenizer(Vocabulary.fromTexts(["search relevance ranking query document"]));
    const texts = Array.from(
      { length: 5000 },
      (_, i) => `how to tune search relevance for query ${i} in product catalogue ${i % 13}`,
    );
    const start = performance.now();
    for (const text of texts) tok.encode(text);
    const seconds = (performance.now() - start) / 1000;
    assert.ok(seconds < 1, `5,000 texts took ${seconds.toFixed(3)} s`);
  });
});
