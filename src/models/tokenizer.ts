import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadJieba } from "../common/jieba.ts";
import { writeFileAtomicSync } from "./safetensors.ts";

/**
 * The models' tokenizer, fastText style: text → words → (vocabulary id, hashed character n-grams).
 * An out-of-vocabulary word still has n-grams, so the embedder can represent words it never saw.
 */

// ---------------------------------------------------------------------------------------------
// Words

const WORD_RUN = /[\p{L}\p{M}\p{N}]+/gu;
const HAN_RUN = /\p{Script=Han}/u;
/** One piece of a word run: Han, hiragana, katakana, Hangul, or anything else. */
const SCRIPT_PIECE =
  /\p{Script=Han}+|\p{Script_Extensions=Hiragana}+|\p{Script_Extensions=Katakana}+|\p{Script=Hangul}+|[^\p{Script=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script=Hangul}]+/gu;
const ANY_CJK =
  /[\p{Script=Han}\p{Script_Extensions=Hiragana}\p{Script_Extensions=Katakana}\p{Script=Hangul}]/u;
const HIRAGANA = /\p{Script_Extensions=Hiragana}/u;

export interface TokenizeOptions {
  /** Default true. NFKC normalisation applies either way. */
  lowercase?: boolean;
}

/**
 * Splits text into words: NFKC-normalised (full-width forms become ASCII), lowercased, runs of
 * letters, marks and digits; everything else (spaces, punctuation, apostrophes, hyphens) separates
 * words, so "don't" → don, t and "e-mail" → e, mail.
 *
 * CJK has no spaces: Han runs are segmented with jieba (the same instance and dictionary as the
 * engine's IK analyzers). jieba knows no kana or Hangul words and would cut them into single
 * characters, so katakana and Hangul runs (loanwords; Korean words, which spaces already delimit)
 * stay whole, and hiragana (mostly particles and inflections) goes one character per word.
 */
export function tokenizeWords(text: string, options: TokenizeOptions = {}): string[] {
  let normalized = text.normalize("NFKC");
  if (options.lowercase !== false) normalized = normalized.toLowerCase();
  const words: string[] = [];
  for (const [run] of normalized.matchAll(WORD_RUN)) {
    if (!ANY_CJK.test(run)) words.push(run);
    else splitCjkRun(run, words);
  }
  return words;
}

function splitCjkRun(run: string, out: string[]): void {
  for (const [piece] of run.matchAll(SCRIPT_PIECE)) {
    if (HAN_RUN.test(piece)) {
      for (const word of loadJieba().jieba.cut(piece, true)) out.push(word);
    } else if (HIRAGANA.test(piece) && !/\p{Script=Katakana}/u.test(piece)) {
      for (const ch of piece) out.push(ch);
    } else {
      out.push(piece);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary

export interface VocabularyOptions {
  /** Words seen fewer times are left out. Default 1. */
  minCount?: number;
  /** Keep at most this many words, the most frequent. Default unlimited. */
  maxSize?: number;
}

/** Words ↔ ids; id = position in `words`. Unknown words have id -1. */
export class Vocabulary {
  readonly words: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(words: readonly string[]) {
    const ids = new Map<string, number>();
    words.forEach((word, id) => {
      if (word.length === 0 || /[\n\r]/.test(word)) {
        throw new Error(`vocabulary: word ${id} ${JSON.stringify(word)} must be non-empty and on one line`);
      }
      if (ids.has(word))
        throw new Error(
          `vocabulary: word ${JSON.stringify(word)} appears twice (ids ${ids.get(word)} and ${id})`,
        );
      ids.set(word, id);
    });
    this.words = words;
    this.ids = ids;
  }

  /** Most frequent first; ties broken by the word, so the same counts always give the same ids. */
  static fromCounts(counts: ReadonlyMap<string, number>, options: VocabularyOptions = {}): Vocabulary {
    const minCount = options.minCount ?? 1;
    const maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    const kept = [...counts].filter(([, count]) => count >= minCount);
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return new Vocabulary(kept.slice(0, maxSize).map(([word]) => word));
  }

  /** Counts the words of `texts` as `tokenizeWords` splits them, then keeps them as `fromCounts` does. */
  static fromTexts(texts: Iterable<string>, options: VocabularyOptions & TokenizeOptions = {}): Vocabulary {
    const counts = new Map<string, number>();
    for (const text of texts) {
      for (const word of tokenizeWords(text, options)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    return Vocabulary.fromCounts(counts, options);
  }

  get size(): number {
    return this.words.length;
  }

  id(word: string): number {
    return this.ids.get(word) ?? -1;
  }

  /** One word per line, line number (from 0) = id. */
  toText(): string {
    return this.words.length ? `${this.words.join("\n")}\n` : "";
  }

  static fromText(text: string, source = "vocabulary"): Vocabulary {
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    lines.forEach((line, i) => {
      if (line === "") throw new Error(`${source}: line ${i + 1} is empty; expected one word per line`);
    });
    try {
      return new Vocabulary(lines);
    } catch (err) {
      throw new Error(`${source}: ${(err as Error).message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Settings

export interface TokenizerSettings {
  /** Shortest character n-gram of `<word>`. */
  minN: number;
  /** Longest character n-gram of `<word>`. */
  maxN: number;
  /** N-gram hashes are taken modulo this: n-gram ids are in [0, buckets). */
  buckets: number;
  lowercase: boolean;
  /** Words kept per text; the rest are dropped. */
  maxLength: number;
}

export const DEFAULT_TOKENIZER_SETTINGS: Readonly<TokenizerSettings> = Object.freeze({
  minN: 3,
  maxN: 5,
  buckets: 1 << 16,
  lowercase: true,
  maxLength: 128,
});

/** What `tokenizer.json` holds: the settings plus what a reader needs to check it has the right tokenizer. */
export interface TokenizerConfig extends TokenizerSettings {
  type: typeof TOKENIZER_TYPE;
  version: number;
  /** How n-grams become bucket ids, for tools that reimplement it. */
  hash: typeof HASH_NAME;
  vocabSize: number;
}

const TOKENIZER_TYPE = "fasttext-ngram";
const TOKENIZER_VERSION = 1;
const HASH_NAME = "fnv1a32-utf8";
const MAX_N = 32;

function integerIn(value: unknown, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max) {
    throw new Error(
      `tokenizer settings: "${field}" must be an integer in [${min}, ${max}], got ${JSON.stringify(value)}`,
    );
  }
  return value as number;
}

/** Validates settings (missing fields take the defaults), naming the field at fault. */
export function parseTokenizerSettings(input: unknown): TokenizerSettings {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new Error("tokenizer settings: expected an object");
  }
  const raw = {
    ...DEFAULT_TOKENIZER_SETTINGS,
    ...(input as Partial<Record<keyof TokenizerSettings, unknown>>),
  };
  const minN = integerIn(raw.minN, "minN", 1, MAX_N);
  const maxN = integerIn(raw.maxN, "maxN", minN, MAX_N);
  if (typeof raw.lowercase !== "boolean") {
    throw new Error(
      `tokenizer settings: "lowercase" must be a boolean, got ${JSON.stringify(raw.lowercase)}`,
    );
  }
  return {
    minN,
    maxN,
    buckets: integerIn(raw.buckets, "buckets", 1, 0x7fffffff),
    lowercase: raw.lowercase,
    maxLength: integerIn(raw.maxLength, "maxLength", 1, 1 << 20),
  };
}

// ---------------------------------------------------------------------------------------------
// N-gram hashing

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const utf8 = new TextEncoder();

/** FNV-1a, 32 bits, over the UTF-8 bytes of `s` (fastText's hash, minus its sign-extension of bytes >= 0x80). */
export function fnv1a32(s: string): number {
  const bytes = utf8.encode(s);
  let h = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
  return h >>> 0;
}

/**
 * Bucket ids of the character n-grams (minN..maxN code points) of `<word>`, in order of start,
 * then length, as fastText enumerates them. A `<word>` shorter than minN yields itself, so every
 * word has at least one n-gram.
 */
export function wordNgramIds(
  word: string,
  settings: Pick<TokenizerSettings, "minN" | "maxN" | "buckets">,
): Int32Array {
  const bytes = utf8.encode(`<${word}>`);
  // Byte offset where each code point starts, plus the end: n-grams are spans of code points.
  const starts: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (((bytes[i] as number) & 0xc0) !== 0x80) starts.push(i);
  const chars = starts.length;
  starts.push(bytes.length);
  const { minN, maxN, buckets } = settings;
  if (chars < minN) return Int32Array.of(hashBytes(bytes, 0, bytes.length) % buckets);

  const ids: number[] = [];
  for (let i = 0; i < chars; i++) {
    // One pass per start: extend the hash a code point at a time, emitting lengths minN..maxN.
    let h = FNV_OFFSET;
    for (let n = 1; n <= maxN && i + n <= chars; n++) {
      for (let b = starts[i + n - 1] as number; b < (starts[i + n] as number); b++) {
        h = Math.imul(h ^ (bytes[b] as number), FNV_PRIME);
      }
      // Like fastText, the boundary markers alone are no n-gram.
      if (n >= minN && !(n === 1 && (i === 0 || i === chars - 1))) ids.push((h >>> 0) % buckets);
    }
  }
  return Int32Array.from(ids);
}

function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < to; i++) h = Math.imul(h ^ (bytes[i] as number), FNV_PRIME);
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/**
 * One text as model input. Token t has word id `wordIds[t]` (-1 when out of vocabulary) and
 * n-gram bucket ids `ngramIds[ngramOffsets[t] .. ngramOffsets[t + 1])`.
 */
export interface EncodedText {
  length: number;
  tokens: string[];
  wordIds: Int32Array;
  /** length + 1 entries. */
  ngramOffsets: Int32Array;
  ngramIds: Int32Array;
}

const TOKENIZER_FILE = "tokenizer.json";
const VOCAB_FILE = "vocab.txt";
/** Bounds the per-word n-gram cache; past it the cache starts over (a corpus rarely gets there). */
const MAX_CACHED_WORDS = 500_000;

export class ModelTokenizer {
  readonly vocabulary: Vocabulary;
  readonly settings: Readonly<TokenizerSettings>;
  private readonly ngramCache = new Map<string, Int32Array>();

  constructor(vocabulary: Vocabulary, settings: Partial<TokenizerSettings> = {}) {
    this.vocabulary = vocabulary;
    this.settings = Object.freeze(parseTokenizerSettings(settings));
  }

  /** The text's first `maxLength` words (default: the setting) with their ids and n-grams. */
  encode(text: string, maxLength = this.settings.maxLength): EncodedText {
    const tokens = tokenizeWords(text, this.settings);
    if (tokens.length > maxLength) tokens.length = maxLength;
    const length = tokens.length;
    const wordIds = new Int32Array(length);
    const ngramOffsets = new Int32Array(length + 1);
    const perToken: Int32Array[] = new Array(length);
    let total = 0;
    for (let t = 0; t < length; t++) {
      const word = tokens[t] as string;
      wordIds[t] = this.vocabulary.id(word);
      const ngrams = this.ngrams(word);
      perToken[t] = ngrams;
      total += ngrams.length;
      ngramOffsets[t + 1] = total;
    }
    const ngramIds = new Int32Array(total);
    for (let t = 0; t < length; t++) ngramIds.set(perToken[t] as Int32Array, ngramOffsets[t] as number);
    return { length, tokens, wordIds, ngramOffsets, ngramIds };
  }

  /** N-gram bucket ids of one (already tokenized) word; cached, so do not modify the result. */
  ngrams(word: string): Int32Array {
    let ids = this.ngramCache.get(word);
    if (ids === undefined) {
      if (this.ngramCache.size >= MAX_CACHED_WORDS) this.ngramCache.clear();
      ids = wordNgramIds(word, this.settings);
      this.ngramCache.set(word, ids);
    }
    return ids;
  }

  toJSON(): TokenizerConfig {
    return {
      type: TOKENIZER_TYPE,
      version: TOKENIZER_VERSION,
      hash: HASH_NAME,
      ...this.settings,
      vocabSize: this.vocabulary.size,
    };
  }

  /** Rebuilds a tokenizer from `toJSON()` output and its vocabulary; checks they belong together. */
  static fromJSON(config: unknown, vocabulary: Vocabulary, source = "tokenizer config"): ModelTokenizer {
    if (config === null || typeof config !== "object") throw new Error(`${source}: expected a JSON object`);
    const { type, version, hash, vocabSize, ...settings } = config as Record<string, unknown>;
    if (type !== TOKENIZER_TYPE)
      throw new Error(`${source}: "type" must be "${TOKENIZER_TYPE}", got ${JSON.stringify(type)}`);
    if (version !== TOKENIZER_VERSION) {
      throw new Error(
        `${source}: "version" ${JSON.stringify(version)} is not supported; expected ${TOKENIZER_VERSION}`,
      );
    }
    if (hash !== HASH_NAME)
      throw new Error(`${source}: "hash" must be "${HASH_NAME}", got ${JSON.stringify(hash)}`);
    if (vocabSize !== vocabulary.size) {
      throw new Error(
        `${source}: "vocabSize" is ${JSON.stringify(vocabSize)} but the vocabulary has ${vocabulary.size} words`,
      );
    }
    try {
      return new ModelTokenizer(vocabulary, parseTokenizerSettings(settings));
    } catch (err) {
      throw new Error(`${source}: ${(err as Error).message}`);
    }
  }

  /** Writes `tokenizer.json` and `vocab.txt` into `dir` (created if missing), each atomically. */
  save(dir: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileAtomicSync(join(dir, VOCAB_FILE), this.vocabulary.toText());
    writeFileAtomicSync(join(dir, TOKENIZER_FILE), `${JSON.stringify(this.toJSON(), null, 2)}\n`);
  }

  static load(dir: string): ModelTokenizer {
    const configFile = join(dir, TOKENIZER_FILE);
    const vocabFile = join(dir, VOCAB_FILE);
    let config: unknown;
    try {
      config = JSON.parse(readFileSync(configFile, "utf8"));
    } catch (err) {
      throw new Error(`${configFile}: cannot read the tokenizer config (${(err as Error).message})`);
    }
    let vocabText: string;
    try {
      vocabText = readFileSync(vocabFile, "utf8");
    } catch (err) {
      throw new Error(`${vocabFile}: cannot read the vocabulary (${(err as Error).message})`);
    }
    return ModelTokenizer.fromJSON(config, Vocabulary.fromText(vocabText, vocabFile), configFile);
  }
}
