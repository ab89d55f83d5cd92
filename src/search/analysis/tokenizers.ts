/**
 * Tokenizer types: standard, whitespace, keyword, letter, lowercase, pattern, ngram, edge_ngram and
 * the IK ones. Offsets are UTF-16; character classes follow Java's (Lucene's CharTokenizer subclasses).
 */
import { type ComponentTypes, componentTypes, type TokenizerFactory } from "./components.ts";
import { lowerCaseTerm } from "./english.ts";
import { ikMaxWordTokenizer, ikSmartTokenizer } from "./ik.ts";
import { javaRegex } from "./java-regex.ts";
import { forEachGram, ngramBounds } from "./ngrams.ts";
import type { Params } from "./params.ts";
import { lookup, settingsError, unknownName } from "./settings-validation.ts";
import { standardTokenizer } from "./standard-tokenizer.ts";
import type { Token, Tokenizer } from "./types.ts";

const SPACE_SEPARATOR = /[\p{Zs}\p{Zl}\p{Zp}]/u;
/** Java's Character.isWhitespace. */
function isJavaWhitespace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c <= 0x20) return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
  return c !== 0xa0 && c !== 0x2007 && c !== 0x202f && SPACE_SEPARATOR.test(ch);
}
const LETTER = /\p{L}/u;
const isLetter = (ch: string) => LETTER.test(ch);

const word = (term: string, start: number, end: number, position: number): Token => ({
  term,
  start,
  end,
  position,
  type: "word",
});

/** Lucene's CharTokenizer: runs of token characters, cut at `maxLen` UTF-16 units. */
function charTokenizer(
  isTokenChar: (ch: string) => boolean,
  maxLen = 255,
  normalize?: (s: string) => string,
): Tokenizer {
  return (text) => {
    const tokens: Token[] = [];
    let start = -1;
    let offset = 0;
    const flush = (end: number) => {
      if (start < 0) return;
      const term = text.slice(start, end);
      tokens.push(word(normalize ? normalize(term) : term, start, end, tokens.length));
      start = -1;
    };
    for (const ch of text) {
      if (isTokenChar(ch)) {
        if (start < 0) start = offset;
        offset += ch.length;
        if (offset - start >= maxLen) flush(offset);
      } else {
        flush(offset);
        offset += ch.length;
      }
    }
    flush(offset);
    return tokens;
  };
}

export const letterTokenizer = charTokenizer(isLetter);
/** Lucene's LowerCaseTokenizer: letter runs, lower-cased. */
export const lowercaseTokenizer = charTokenizer(isLetter, 255, lowerCaseTerm);
export const whitespaceTokenizer = (maxLen: number) => charTokenizer((ch) => !isJavaWhitespace(ch), maxLen);

export const keywordTokenizer: Tokenizer = (text) => [word(text, 0, text.length, 0)];

/** The text between matches (`group` -1, Lucene's default) or the given group of each match. */
export function patternTokenizer(re: RegExp, group: number): Tokenizer {
  return (text) => {
    const tokens: Token[] = [];
    const push = (start: number, end: number) => {
      if (end > start) tokens.push(word(text.slice(start, end), start, end, tokens.length));
    };
    re.lastIndex = 0;
    let last = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (group < 0) push(last, m.index);
      else {
        const span = m.indices?.[group];
        if (span) push(span[0], span[1]);
      }
      last = m.index + m[0].length;
      if (m[0].length === 0) {
        if (re.lastIndex >= text.length) break;
        re.lastIndex++;
      }
    }
    if (group < 0) push(last, text.length);
    return tokens;
  };
}

type TokenChars = (ch: string) => boolean;

const TOKEN_CHAR_CLASSES: Record<string, TokenChars> = {
  letter: isLetter,
  digit: (ch) => /\p{Nd}/u.test(ch),
  whitespace: isJavaWhitespace,
  punctuation: (ch) => /\p{P}/u.test(ch),
  symbol: (ch) => /\p{S}/u.test(ch),
};
const TOKEN_CHAR_NAMES = [...Object.keys(TOKEN_CHAR_CLASSES), "custom"];

/** `token_chars` (and `custom_token_chars`): which characters n-gram tokenizers keep; all when unset. */
function tokenCharsMatcher(
  classes: string[] | undefined,
  custom: string | undefined,
  key: string,
): TokenChars {
  if (!classes || classes.length === 0) return () => true;
  const tests = classes.map((c): TokenChars => {
    if (c === "custom") {
      if (!custom) {
        throw settingsError(`${key}.custom_token_chars`, "token_chars [custom] needs custom_token_chars");
      }
      const set = new Set(custom);
      return (ch) => set.has(ch);
    }
    const test = lookup(TOKEN_CHAR_CLASSES, c);
    if (!test) {
      throw settingsError(
        `${key}.token_chars`,
        `unknown token_chars class ${unknownName(c, TOKEN_CHAR_NAMES)}; known: [${TOKEN_CHAR_NAMES.join(", ")}]`,
      );
    }
    return test;
  });
  return (ch) => tests.some((t) => t(ch));
}

/** Lucene NGramTokenizer / EdgeNGramTokenizer over runs of token characters, code point based. */
function ngramTokenizer(
  minGram: number,
  maxGram: number,
  isTokenChar: TokenChars,
  edgesOnly: boolean,
): Tokenizer {
  return (text) => {
    const tokens: Token[] = [];
    const cps: { ch: string; start: number }[] = [];
    let offset = 0;
    const flushRun = () => {
      forEachGram(cps.length, minGram, maxGram, edgesOnly, (a, n) => {
        const first = cps[a] as { start: number };
        const last = cps[a + n - 1] as { ch: string; start: number };
        const end = last.start + last.ch.length;
        tokens.push(word(text.slice(first.start, end), first.start, end, tokens.length));
      });
      cps.length = 0;
    };
    for (const ch of text) {
      if (isTokenChar(ch)) cps.push({ ch, start: offset });
      else flushRun();
      offset += ch.length;
    }
    flushRun();
    return tokens;
  };
}

/** `max_token_length` of the standard and whitespace tokenizers (and analyzers). */
export const maxTokenLength = (p: Params) => p.int("max_token_length", 255, 1, 1024 * 1024);

const ngramTokenizerType =
  (edgesOnly: boolean): TokenizerFactory =>
  (p, env) => {
    const [min, max] = ngramBounds(p, env, !edgesOnly, edgesOnly ? "EdgeNGram Tokenizer" : "NGram Tokenizer");
    const chars = tokenCharsMatcher(p.list("token_chars"), p.string("custom_token_chars"), p.key);
    return ngramTokenizer(min, max, chars, edgesOnly);
  };

export const TOKENIZERS: ComponentTypes<TokenizerFactory> = componentTypes("tokenizer", {
  standard: (p) => standardTokenizer(maxTokenLength(p)),
  whitespace: (p) => whitespaceTokenizer(maxTokenLength(p)),
  keyword: (p) => {
    p.ignore("buffer_size");
    return keywordTokenizer;
  },
  letter: () => letterTokenizer,
  lowercase: () => lowercaseTokenizer,
  pattern: (p) => {
    const pattern = p.string("pattern", "\\W+");
    const re = javaRegex(pattern, p.string("flags"), `${p.key}.pattern`);
    const group = p.int("group", -1, -1);
    return patternTokenizer(group >= 0 ? new RegExp(re.source, `${re.flags}d`) : re, group);
  },
  ngram: ngramTokenizerType(false),
  edge_ngram: ngramTokenizerType(true),
  ik_max_word: () => ikMaxWordTokenizer(),
  ik_smart: () => ikSmartTokenizer(),
});
