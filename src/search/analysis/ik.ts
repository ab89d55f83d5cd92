import type { Jieba } from "@node-rs/jieba";
import { loadJieba } from "../../common/jieba.ts";
import type { Token, Tokenizer } from "./types.ts";

/**
 * The IK analysis plugin's tokenizers (`ik_smart`, `ik_max_word`), backed by jieba's dictionary and
 * segmenter (@node-rs/jieba) instead of IK's own dictionary.
 *
 * - Chinese (Han) runs: `ik_smart` is jieba's `cut` with HMM (best single segmentation, new words
 *   found by the HMM); `ik_max_word` emits every dictionary word of two or more characters inside the
 *   run (overlapping, like IK; equivalent to jieba's `cutAll` without the single characters a longer
 *   word already covers), plus `cut`'s words, plus single characters no word covers.
 * - Letters and digits (any script but CJK) form whole words, lowercased, joined by IK's connectors
 *   (`# & + - . @ _`, `,` between digits; a trailing `+`/`#` is kept: "c++", "c#"). `ik_max_word`
 *   also emits the pure-letter and pure-digit parts ("hello-world" → hello-world, hello, world).
 * - Kana and Hangul: one token per character (IK's OTHER_CJK). Everything else is dropped.
 *
 * Tokens are ordered by start offset, longer first, each on its own position (as IK numbers them).
 * Types are IK's: CN_WORD, CN_CHAR, ENGLISH, ARABIC, LETTER, OTHER_CJK.
 */

interface Dictionary {
  jieba: Jieba;
  /** Han-only dictionary words of at least two characters. */
  words: Set<string>;
  /** Longest such word, in code points. */
  maxLen: number;
}

let dictionary: Dictionary | undefined;

const HAN_ONLY = /^\p{Script=Han}+$/u;

function loadDictionary(): Dictionary {
  if (dictionary) return dictionary;
  const { jieba, dictionary: dictBytes } = loadJieba();
  const words = new Set<string>();
  let maxLen = 1;
  for (const line of dictBytes.toString("utf8").split("\n")) {
    const space = line.indexOf(" ");
    const word = space < 0 ? line.trim() : line.slice(0, space);
    if (word.length < 2 || !HAN_ONLY.test(word)) continue;
    const len = [...word].length;
    if (len < 2) continue;
    words.add(word);
    if (len > maxLen) maxLen = len;
  }
  dictionary = { jieba, words, maxLen };
  return dictionary;
}

/** Loads jieba and its dictionary now (otherwise done on first use). */
export function preloadIkDictionary(): void {
  loadDictionary();
}

const HAN = /\p{Script=Han}/u;
const OTHER_CJK = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LETTER = /[\p{L}\p{M}]/u;
const DIGIT = /\p{Nd}/u;
const NUMBER = /\p{N}/u;
const LETTER_CONNECTORS = new Set(["#", "&", "+", "-", ".", "@", "_"]);

type CharClass = "han" | "cjk" | "letter" | "digit" | "other";

function classify(ch: string): CharClass {
  if (HAN.test(ch)) return "han";
  if (OTHER_CJK.test(ch)) return "cjk";
  if (DIGIT.test(ch)) return "digit";
  if (LETTER.test(ch) || NUMBER.test(ch)) return "letter";
  return "other";
}

/** Full-width ASCII → ASCII (one UTF-16 unit either way, so offsets hold), then lowercase. */
function regularize(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    out += c >= 0xff01 && c <= 0xff5e ? String.fromCharCode(c - 0xfee0) : ch;
  }
  return out.toLowerCase();
}

interface Lexeme {
  start: number;
  end: number;
  type: string;
}

interface CodePoint {
  ch: string;
  start: number;
  cls: CharClass;
}

function codePoints(text: string): CodePoint[] {
  const cps: CodePoint[] = [];
  let offset = 0;
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    const normalized = c >= 0xff01 && c <= 0xff5e ? String.fromCharCode(c - 0xfee0) : ch;
    cps.push({ ch, start: offset, cls: classify(normalized) });
    offset += ch.length;
  }
  return cps;
}

function letterLexemes(text: string, cps: CodePoint[], from: number, to: number, maxWord: boolean): Lexeme[] {
  const first = cps[from] as CodePoint;
  const last = cps[to - 1] as CodePoint;
  const whole: Lexeme = { start: first.start, end: last.start + last.ch.length, type: "LETTER" };
  const classes = new Set(cps.slice(from, to).map((cp) => cp.cls));
  if (!classes.has("other") && !classes.has("digit")) whole.type = "ENGLISH";
  else if (!classes.has("letter")) {
    const body = regularize(text.slice(whole.start, whole.end));
    whole.type = /^\d+(?:[.,]\d+)*$/u.test(body) ? "ARABIC" : "LETTER";
  }
  if (!maxWord || whole.type !== "LETTER") return [whole];
  const parts: Lexeme[] = [whole];
  let i = from;
  while (i < to) {
    const cls = (cps[i] as CodePoint).cls;
    if (cls !== "letter" && cls !== "digit") {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < to) {
      const c = cps[j] as CodePoint;
      if (c.cls === cls) j++;
      else if (
        cls === "digit" &&
        (c.ch === "." || c.ch === ",") &&
        j + 1 < to &&
        (cps[j + 1] as CodePoint).cls === "digit"
      )
        j += 2;
      else break;
    }
    const end = (cps[j - 1] as CodePoint).start + (cps[j - 1] as CodePoint).ch.length;
    const start = (cps[i] as CodePoint).start;
    if (start !== whole.start || end !== whole.end) {
      parts.push({ start, end, type: cls === "digit" ? "ARABIC" : "ENGLISH" });
    }
    i = j;
  }
  return parts;
}

function hanLexemes(cps: CodePoint[], from: number, to: number, maxWord: boolean): Lexeme[] {
  const dict = loadDictionary();
  const run = cps.slice(from, to);
  const runText = run.map((cp) => cp.ch).join("");
  // Code point index → UTF-16 offset in the original text (plus the end).
  const offsetAt = (k: number) =>
    k < run.length
      ? (run[k] as CodePoint).start
      : (run[k - 1] as CodePoint).start + (run[k - 1] as CodePoint).ch.length;
  const lexeme = (a: number, b: number): Lexeme => ({
    start: offsetAt(a),
    end: offsetAt(b),
    type: b - a > 1 ? "CN_WORD" : "CN_CHAR",
  });
  // jieba's best segmentation, mapped back to code point spans.
  const cut: [number, number][] = [];
  let k = 0;
  for (const word of dict.jieba.cut(runText, true)) {
    const len = [...word].length;
    cut.push([k, k + len]);
    k += len;
  }
  if (k !== run.length) {
    // Should not happen (cut returns a partition of its input); fall back to single characters.
    cut.length = 0;
    for (let c = 0; c < run.length; c++) cut.push([c, c + 1]);
  }
  if (!maxWord) return cut.map(([a, b]) => lexeme(a, b));

  const spans = new Map<string, [number, number]>();
  const add = (a: number, b: number) => spans.set(`${a}:${b}`, [a, b]);
  for (let a = 0; a < run.length; a++) {
    let word = (run[a] as CodePoint).ch;
    for (let b = a + 2; b <= Math.min(run.length, a + dict.maxLen); b++) {
      word += (run[b - 1] as CodePoint).ch;
      if (dict.words.has(word)) add(a, b);
    }
  }
  for (const [a, b] of cut) if (b - a > 1) add(a, b);
  const covered = new Array<boolean>(run.length).fill(false);
  for (const [a, b] of spans.values()) for (let c = a; c < b; c++) covered[c] = true;
  for (let c = 0; c < run.length; c++) if (!covered[c]) add(c, c + 1);
  return [...spans.values()].map(([a, b]) => lexeme(a, b));
}

function segment(text: string, maxWord: boolean): Token[] {
  const cps = codePoints(text);
  const lexemes: Lexeme[] = [];
  let i = 0;
  while (i < cps.length) {
    const cls = (cps[i] as CodePoint).cls;
    if (cls === "han") {
      let j = i + 1;
      while (j < cps.length && (cps[j] as CodePoint).cls === "han") j++;
      lexemes.push(...hanLexemes(cps, i, j, maxWord));
      i = j;
    } else if (cls === "cjk") {
      const cp = cps[i] as CodePoint;
      lexemes.push({ start: cp.start, end: cp.start + cp.ch.length, type: "OTHER_CJK" });
      i++;
    } else if (cls === "letter" || cls === "digit") {
      let j = i + 1;
      while (j < cps.length) {
        const c = cps[j] as CodePoint;
        if (c.cls === "letter" || c.cls === "digit") {
          j++;
          continue;
        }
        const next = cps[j + 1];
        const joins = next !== undefined && (next.cls === "letter" || next.cls === "digit");
        if (
          joins &&
          (LETTER_CONNECTORS.has(c.ch) ||
            (c.ch === "," && (cps[j - 1] as CodePoint).cls === "digit" && next.cls === "digit"))
        ) {
          j += 2;
          continue;
        }
        break;
      }
      // "c++", "c#": keep trailing plus/hash signs.
      while (j < cps.length && ((cps[j] as CodePoint).ch === "+" || (cps[j] as CodePoint).ch === "#")) j++;
      lexemes.push(...letterLexemes(text, cps, i, j, maxWord));
      i = j;
    } else {
      i++;
    }
  }
  lexemes.sort((a, b) => a.start - b.start || b.end - a.end);
  return lexemes.map((lx, position) => ({
    term: regularize(text.slice(lx.start, lx.end)),
    start: lx.start,
    end: lx.end,
    position,
    type: lx.type,
  }));
}

/** IK's `ik_smart`: one segmentation, coarse-grained. */
export function ikSmartTokenizer(): Tokenizer {
  return (text) => segment(text, false);
}

/** IK's `ik_max_word`: every dictionary word, overlapping, each on its own position. */
export function ikMaxWordTokenizer(): Tokenizer {
  return (text) => segment(text, true);
}
