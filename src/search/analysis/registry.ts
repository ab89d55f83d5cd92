/**
 * `index.analysis` settings → analyzers, as Elasticsearch builds them (Lucene 8.7 behaviour): built-in
 * analyzers, tokenizers, char filters and token filters, the index's custom ones, and `_analyze`'s
 * one-off chains. Settings are validated with errors that name the full settings key and list what
 * exists; "almost right" settings (a synonyms filter without a type, unused definitions, misspelt
 * parameters) are accepted with a warning where the intent is clear.
 */
import { readFileSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { asciiFoldingFilter } from "./ascii-folding.ts";
import {
  ENGLISH_STOP_WORDS,
  englishAnalyze,
  englishPossessiveFilter,
  lowerCaseTerm,
  lowercaseFilter,
  porterStemFilter,
  standardAnalyze,
  stopFilter,
} from "./english.ts";
import { ikMaxWordTokenizer, ikSmartTokenizer } from "./ik.ts";
import { standardTokenizer } from "./standard-tokenizer.ts";
import {
  parseSynonyms,
  type SynonymMap,
  SynonymParseError,
  type SynonymPhraseAnalyzer,
  synonymFilter,
  synonymGraphFilter,
} from "./synonyms.ts";
import type { Analyzer, Token, TokenFilter, Tokenizer } from "./types.ts";

// ---------------------------------------------------------------------------------------------------------
// Public API

export class AnalysisSettingsError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(message);
    this.name = "AnalysisSettingsError";
  }
}

export interface AnalysisRegistry {
  /** Analyzer by name: built-ins and the index's custom ones. */
  get(name: string): Analyzer | undefined;
  names(): string[];
  /** Names of the custom filters that are search-time only (`updateable: true`). */
  updateableFilters(): string[];
  /** Custom synonym / synonym_graph filters that no analyzer uses (the index applies them at search time). */
  orphanSynonymFilters(): string[];
}

export interface AnalysisOptions {
  /** Where `*_path` settings (synonyms_path, stopwords_path …) are resolved; paths may not leave it. */
  configDir: string;
  warn(message: string): void;
  /** `index.max_ngram_diff` (default 1). */
  maxNgramDiff?: number;
  /** `index.max_shingle_diff` (default 3). */
  maxShingleDiff?: number;
}

/** Analyzers built here also carry ES's `position_increment_gap` (100 unless configured). */
export interface RegistryAnalyzer extends Analyzer {
  positionIncrementGap: number;
}

/** What buildAnalysisRegistry returns: the registry plus the index's normalizers. */
export interface IndexAnalysisRegistry extends AnalysisRegistry {
  /** Normalizer by name: the index's custom ones and the built-in `lowercase`. */
  getNormalizer(name: string): Analyzer | undefined;
  normalizerNames(): string[];
}

export function buildAnalysisRegistry(analysis: unknown, opts: AnalysisOptions): IndexAnalysisRegistry {
  return new Registry(analysis, opts);
}

/** Build a one-off analyzer from an `_analyze` request body ({tokenizer, filter, char_filter} with names or inline definitions). */
export function buildAdHocAnalyzer(
  spec: { tokenizer?: unknown; filter?: unknown; char_filter?: unknown },
  registry: AnalysisRegistry,
  opts: AnalysisOptions,
): Analyzer {
  const resolver = registry instanceof Registry ? registry.resolverFor(opts) : new Resolver(opts, undefined);
  const noTokenizer = spec.tokenizer === undefined || spec.tokenizer === null;
  if (
    noTokenizer &&
    toList(spec.filter, "filter").length === 0 &&
    toList(spec.char_filter, "char_filter").length === 0
  ) {
    return builtinAnalyzer("standard", resolver) as RegistryAnalyzer;
  }
  const charFilters = toList(spec.char_filter, "char_filter").map((ref, i) =>
    resolver.charFilter(ref, `char_filter[${i}]`),
  );
  const filterRefs = toList(spec.filter, "filter");
  // No tokenizer but filters: a normalizer-like chain over the whole text, as ES does.
  const tokenizer = resolver.tokenizer(noTokenizer ? "keyword" : spec.tokenizer, "tokenizer");
  const filters = filterRefs.map((ref, i) => ({
    def: resolver.filter(ref, `filter[${i}]`),
    key: `filter[${i}]`,
  }));
  return assemble("_anonymous_", charFilters, tokenizer, filters, 100);
}

// ---------------------------------------------------------------------------------------------------------
// Errors, names and parameters

const err = (key: string, message: string) => new AnalysisSettingsError(key, `${key}: ${message}`);

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number;
      prev[j] = Math.min(
        (prev[j] as number) + 1,
        (prev[j - 1] as number) + 1,
        diag + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      diag = tmp;
    }
  }
  return prev[b.length] as number;
}

/** " (did you mean [x]?)" when a candidate is close. */
function didYouMean(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDist = Number.POSITIVE_INFINITY;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const d = levenshtein(w, c.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = c;
    }
  }
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  return best !== undefined && bestDist <= limit && bestDist > 0 ? ` (did you mean [${best}]?)` : "";
}

const show = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A settings list: an array, a single value, or an object with keys 0, 1, … (flattened arrays). */
function toList(value: unknown, key: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  if (isObject(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
      return keys.sort((a, b) => Number(a) - Number(b)).map((k) => value[k]);
    }
    if (typeof value.type === "string") return [value];
    throw err(key, `expected a list but got [${show(value)}]`);
  }
  return [value];
}

class Params {
  private readonly read = new Set<string>(["type"]);

  constructor(
    readonly key: string,
    readonly raw: Record<string, unknown>,
    readonly what: string,
  ) {}

  has(name: string): boolean {
    return this.raw[name] !== undefined && this.raw[name] !== null;
  }

  private take(name: string): unknown {
    this.read.add(name);
    const v = this.raw[name];
    return v === null ? undefined : v;
  }

  ignore(...names: string[]): void {
    for (const n of names) this.read.add(n);
  }

  string(name: string): string | undefined;
  string(name: string, def: string): string;
  string(name: string, def?: string): string | undefined {
    const v = this.take(name);
    if (v === undefined) return def;
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw err(`${this.key}.${name}`, `expected a string but got [${show(v)}]`);
  }

  int(name: string, def: number, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
    const v = this.take(name);
    if (v === undefined) return def;
    const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n)) {
      throw err(`${this.key}.${name}`, `expected an integer but got [${show(v)}]`);
    }
    if (n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
      throw err(`${this.key}.${name}`, `must be ${range} but was [${n}]`);
    }
    return n;
  }

  bool(name: string, def: boolean): boolean {
    const v = this.take(name);
    if (v === undefined) return def;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    throw err(`${this.key}.${name}`, `expected a boolean (true or false) but got [${show(v)}]`);
  }

  list(name: string): string[] | undefined {
    const v = this.take(name);
    if (v === undefined) return undefined;
    const items = Array.isArray(v)
      ? v
      : isObject(v) && Object.keys(v).every((k) => /^\d+$/.test(k))
        ? toList(v, `${this.key}.${name}`)
        : [v];
    return items.map((item, i) => {
      if (typeof item === "string") return item;
      if (typeof item === "number" || typeof item === "boolean") return String(item);
      throw err(`${this.key}.${name}`, `expected a list of strings but element [${i}] is [${show(item)}]`);
    });
  }

  /** Parameters present but never read, with a suggestion among the read ones. */
  unknown(): string[] {
    return Object.keys(this.raw)
      .filter((k) => !this.read.has(k))
      .map((k) => `[${k}]${didYouMean(k, this.read)}`);
  }

  hint(): string {
    const unknown = this.unknown();
    return unknown.length
      ? `; found unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`
      : "";
  }

  warnUnknown(warn: (m: string) => void): void {
    const unknown = this.unknown();
    if (unknown.length) {
      warn(
        `${this.key}: unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} for ${this.what}; ignored`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Character filters with offset correction

/** Output text plus, per output UTF-16 unit, the span of input it came from. */
interface Mapped {
  text: string;
  starts: Int32Array;
  ends: Int32Array;
  sourceLength: number;
}
type MappedCharFilter = (text: string) => Mapped;

class MappedBuilder {
  private readonly parts: string[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  constructor(private readonly src: string) {}

  copy(from: number, to: number): void {
    if (to <= from) return;
    this.parts.push(this.src.slice(from, to));
    for (let i = from; i < to; i++) {
      this.starts.push(i);
      this.ends.push(i + 1);
    }
  }

  replace(from: number, to: number, replacement: string): void {
    const len = replacement.length;
    if (len === 0) return;
    this.parts.push(replacement);
    const span = Math.max(0, to - from);
    for (let k = 0; k < len; k++) {
      this.starts.push(from + Math.min(k, Math.max(0, span - 1)));
      this.ends.push(k === len - 1 ? to : Math.min(from + k + 1, to));
    }
  }

  build(): Mapped {
    return {
      text: this.parts.join(""),
      starts: Int32Array.from(this.starts),
      ends: Int32Array.from(this.ends),
      sourceLength: this.src.length,
    };
  }
}

function mapStart(m: Mapped, off: number): number {
  if (off < m.starts.length) return m.starts[off] as number;
  return m.sourceLength;
}

function mapEnd(m: Mapped, off: number): number {
  if (off <= 0) return m.starts.length ? (m.starts[0] as number) : 0;
  return m.ends[Math.min(off, m.ends.length) - 1] as number;
}

const HTML_BLOCK_TAGS = new Set(
  (
    "address article aside audio blockquote body br canvas caption center dd details dialog dir div dl dt " +
    "fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html iframe " +
    "li main menu nav noframes noscript ol option output p pre section summary table tbody td tfoot th " +
    "thead title tr ul video"
  ).split(" "),
);

const HTML_ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  iexcl: "¡",
  cent: "¢",
  pound: "£",
  curren: "¤",
  yen: "¥",
  brvbar: "¦",
  sect: "§",
  uml: "¨",
  copy: "©",
  ordf: "ª",
  laquo: "«",
  not: "¬",
  shy: "\u00ad",
  reg: "®",
  macr: "¯",
  deg: "°",
  plusmn: "±",
  sup2: "²",
  sup3: "³",
  acute: "´",
  micro: "µ",
  para: "¶",
  middot: "·",
  cedil: "¸",
  sup1: "¹",
  ordm: "º",
  raquo: "»",
  frac14: "¼",
  frac12: "½",
  frac34: "¾",
  iquest: "¿",
  times: "×",
  divide: "÷",
  ndash: "–",
  mdash: "—",
  lsquo: "‘",
  rsquo: "’",
  sbquo: "‚",
  ldquo: "“",
  rdquo: "”",
  bdquo: "„",
  bull: "•",
  hellip: "…",
  prime: "′",
  Prime: "″",
  lsaquo: "‹",
  rsaquo: "›",
  euro: "€",
  trade: "™",
  larr: "←",
  rarr: "→",
  uarr: "↑",
  darr: "↓",
  harr: "↔",
  ensp: "\u2002",
  emsp: "\u2003",
  thinsp: "\u2009",
  zwnj: "\u200c",
  zwj: "\u200d",
  OElig: "Œ",
  oelig: "œ",
  Scaron: "Š",
  scaron: "š",
  Yuml: "Ÿ",
  fnof: "ƒ",
  circ: "ˆ",
  tilde: "˜",
  dagger: "†",
  Dagger: "‡",
  permil: "‰",
};
// Latin-1 letters: &Agrave; … &yuml; (U+00C0–U+00FF, skipping × and ÷ which are above).
"Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml - Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml - oslash ugrave uacute ucirc uuml yacute thorn yuml"
  .split(" ")
  .forEach((name, i) => {
    if (name !== "-") HTML_ENTITIES[name] = String.fromCharCode(0xc0 + i);
  });

function decodeEntity(body: string): string | undefined {
  if (body.startsWith("#")) {
    const hex = body[1] === "x" || body[1] === "X";
    const digits = body.slice(hex ? 2 : 1);
    if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^\d{1,7}$/).test(digits)) return undefined;
    const cp = Number.parseInt(digits, hex ? 16 : 10);
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : undefined;
  }
  return HTML_ENTITIES[body];
}

/** Lucene's HTMLStripCharFilter, closely enough: tags, comments, scripts and styles removed, block tags → newline, entities decoded. */
function htmlStripCharFilter(escapedTags: Set<string>): MappedCharFilter {
  return (src) => {
    const b = new MappedBuilder(src);
    let copied = 0;
    let i = 0;
    const lower = src.toLowerCase();
    while (i < src.length) {
      const ch = src[i];
      if (ch === "<") {
        if (src.startsWith("<!--", i)) {
          const end = src.indexOf("-->", i + 4);
          const stop = end < 0 ? src.length : end + 3;
          b.copy(copied, i);
          copied = i = stop;
          continue;
        }
        if (src.startsWith("<![CDATA[", i)) {
          const end = src.indexOf("]]>", i + 9);
          const stop = end < 0 ? src.length : end;
          b.copy(copied, i);
          b.copy(i + 9, stop);
          copied = i = Math.min(src.length, stop + 3);
          continue;
        }
        if (src[i + 1] === "!" || src[i + 1] === "?") {
          const end = src.indexOf(">", i + 2);
          const stop = end < 0 ? src.length : end + 1;
          b.copy(copied, i);
          copied = i = stop;
          continue;
        }
        const m = /^<(\/?)([a-zA-Z][a-zA-Z0-9:_-]*)(?=[\s/>])(?:[^>"']|"[^"]*"|'[^']*')*>/u.exec(
          src.slice(i, i + 4096),
        );
        if (m) {
          const name = (m[2] ?? "").toLowerCase();
          const stop = i + m[0].length;
          if (escapedTags.has(name)) {
            i = stop;
            continue;
          }
          b.copy(copied, i);
          let end = stop;
          if (!m[1] && (name === "script" || name === "style")) {
            const close = lower.indexOf(`</${name}`, stop);
            const closeEnd = close < 0 ? -1 : src.indexOf(">", close);
            end = closeEnd < 0 ? src.length : closeEnd + 1;
          }
          if (HTML_BLOCK_TAGS.has(name)) b.replace(i, end, "\n");
          copied = i = end;
          continue;
        }
      } else if (ch === "&") {
        const m = /^&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});?/u.exec(
          src.slice(i, i + 40),
        );
        const decoded = m ? decodeEntity(m[1] ?? "") : undefined;
        if (m && decoded !== undefined && (m[0].endsWith(";") || /^#/.test(m[1] ?? ""))) {
          b.copy(copied, i);
          b.replace(i, i + m[0].length, decoded);
          copied = i = i + m[0].length;
          continue;
        }
      }
      i++;
    }
    b.copy(copied, src.length);
    return b.build();
  };
}

/** ES mapping rule escapes: \\ \" \' \n \t \r \b \f \uXXXX. */
function parseMappingString(s: string, key: string, rule: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = s[++i];
    if (n === undefined) throw err(key, `invalid mapping rule [${rule}]: dangling backslash`);
    if (n === "u") {
      const hex = s.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw err(key, `invalid mapping rule [${rule}]: bad \\u escape`);
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
      continue;
    }
    out += ({ n: "\n", t: "\t", r: "\r", b: "\b", f: "\f" } as Record<string, string>)[n] ?? n;
  }
  return out;
}

function mappingCharFilter(rules: string[], key: string): MappedCharFilter {
  const map = new Map<string, string>();
  let maxLen = 0;
  for (const rule of rules) {
    const m = /^(.*)\s*=>\s*(.*)\s*$/su.exec(rule);
    if (!m) throw err(key, `invalid mapping rule [${rule}]; expected "from => to"`);
    const from = parseMappingString((m[1] ?? "").trim(), key, rule);
    const to = parseMappingString((m[2] ?? "").trim(), key, rule);
    if (from.length === 0) throw err(key, `invalid mapping rule [${rule}]: cannot map the empty string`);
    map.set(from, to);
    maxLen = Math.max(maxLen, from.length);
  }
  return (src) => {
    const b = new MappedBuilder(src);
    let copied = 0;
    let i = 0;
    while (i < src.length) {
      let found = 0;
      for (let len = Math.min(maxLen, src.length - i); len > 0; len--) {
        if (map.has(src.slice(i, i + len))) {
          found = len;
          break;
        }
      }
      if (!found) {
        i++;
        continue;
      }
      b.copy(copied, i);
      b.replace(i, i + found, map.get(src.slice(i, i + found)) as string);
      copied = i = i + found;
    }
    b.copy(copied, src.length);
    return b.build();
  };
}

/** Java replacement syntax: $1, ${name}, \x literal. */
function javaReplacement(template: string, m: RegExpExecArray): string {
  let out = "";
  for (let i = 0; i < template.length; i++) {
    const c = template[i] as string;
    if (c === "\\" && i + 1 < template.length) {
      out += template[++i];
    } else if (c === "$") {
      if (template[i + 1] === "{") {
        const close = template.indexOf("}", i);
        const name = template.slice(i + 2, close);
        out += m.groups?.[name] ?? "";
        i = close;
      } else {
        let j = i + 1;
        while (
          j < template.length &&
          /\d/.test(template[j] as string) &&
          Number(template.slice(i + 1, j + 1)) < m.length
        )
          j++;
        out += j > i + 1 ? (m[Number(template.slice(i + 1, j))] ?? "") : "$";
        i = j - 1;
      }
    } else out += c;
  }
  return out;
}

function patternReplaceCharFilter(re: RegExp, replacement: string): MappedCharFilter {
  return (src) => {
    const b = new MappedBuilder(src);
    re.lastIndex = 0;
    let copied = 0;
    for (let m = re.exec(src); m; m = re.exec(src)) {
      b.copy(copied, m.index);
      b.replace(m.index, m.index + m[0].length, javaReplacement(replacement, m));
      copied = m.index + m[0].length;
      if (m[0].length === 0) {
        if (re.lastIndex >= src.length) break;
        b.copy(copied, copied + 1);
        copied++;
        re.lastIndex = copied;
      }
    }
    b.copy(copied, src.length);
    return b.build();
  };
}

// ---------------------------------------------------------------------------------------------------------
// Java regular expressions → JavaScript

const POSIX: Record<string, string> = {
  Lower: "a-z",
  Upper: "A-Z",
  ASCII: "\\x00-\\x7F",
  Alpha: "a-zA-Z",
  Digit: "0-9",
  Alnum: "a-zA-Z0-9",
  Punct: "!-\\/:-@\\[-`{-~",
  Graph: "!-~",
  Print: "\\x20-\\x7E",
  Blank: "\\t\\x20",
  Cntrl: "\\x00-\\x1F\\x7F",
  XDigit: "0-9a-fA-F",
  Space: "\\t\\n\\x0B\\f\\r\\x20",
};

const JAVA_PROPS: Record<string, string> = {
  javaLowerCase: "\\p{Lowercase}",
  javaUpperCase: "\\p{Uppercase}",
  javaWhitespace: "\\s",
  javaLetter: "\\p{L}",
  javaDigit: "\\p{Nd}",
  javaLetterOrDigit: "\\p{L}\\p{Nd}",
  javaAlphabetic: "\\p{Alphabetic}",
  IsAlphabetic: "\\p{Alphabetic}",
  IsIdeographic: "\\p{Ideographic}",
  IsLetter: "\\p{L}",
  IsDigit: "\\p{Nd}",
  IsWhite_Space: "\\p{White_Space}",
  IsWhiteSpace: "\\p{White_Space}",
  IsPunctuation: "\\p{P}",
  IsUppercase: "\\p{Uppercase}",
  IsLowercase: "\\p{Lowercase}",
  IsControl: "\\p{Cc}",
  IsHex_Digit: "\\p{Hex_Digit}",
};

const REGEX_SYNTAX = new Set("^$\\.*+?()[]{}|/".split(""));

function javaRegex(pattern: string, flagsSetting: string | undefined, key: string, extraFlags = "g"): RegExp {
  let flags = "";
  let comments = false;
  let literal = false;
  let unicodeClasses = false;
  for (const f of (flagsSetting ?? "")
    .split("|")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (f === "CASE_INSENSITIVE") flags += "i";
    else if (f === "MULTILINE") flags += "m";
    else if (f === "DOTALL") flags += "s";
    else if (f === "COMMENTS") comments = true;
    else if (f === "LITERAL") literal = true;
    else if (f === "UNICODE_CHARACTER_CLASS") unicodeClasses = true;
    else if (f === "UNICODE_CASE" || f === "CANON_EQ" || f === "UNIX_LINES") continue;
    else {
      throw err(
        key.replace(/\.pattern$/, ".flags"),
        `unknown regex flag [${f}]; known: [CANON_EQ, CASE_INSENSITIVE, COMMENTS, DOTALL, LITERAL, MULTILINE, UNICODE_CASE, UNICODE_CHARACTER_CLASS, UNIX_LINES]`,
      );
    }
  }
  let source = "";
  if (literal) source = pattern.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  else {
    let i = 0;
    // Leading inline flags: (?i), (?is) …
    for (let m = /^\(\?([imsxuU]+)\)/.exec(pattern); m; m = /^\(\?([imsxuU]+)\)/.exec(pattern.slice(i))) {
      for (const f of m[1] ?? "") {
        if (f === "i" || f === "m" || f === "s") flags += f;
        else if (f === "x") comments = true;
        else if (f === "U") unicodeClasses = true;
      }
      i += m[0].length;
    }
    let inClass = 0;
    while (i < pattern.length) {
      const c = pattern[i] as string;
      if (comments && !inClass && /\s/.test(c)) {
        i++;
        continue;
      }
      if (comments && !inClass && c === "#") {
        const nl = pattern.indexOf("\n", i);
        i = nl < 0 ? pattern.length : nl + 1;
        continue;
      }
      if (c === "\\") {
        const n = pattern[i + 1];
        if (n === undefined) throw err(key, `invalid pattern [${pattern}]: trailing backslash`);
        if (n === "Q") {
          const end = pattern.indexOf("\\E", i + 2);
          const lit = pattern.slice(i + 2, end < 0 ? pattern.length : end);
          source += lit.replace(inClass ? /[\\^$.*+?()[\]{}|/-]/g : /[\\^$.*+?()[\]{}|/]/g, "\\$&");
          i = end < 0 ? pattern.length : end + 2;
          continue;
        }
        if (n === "p" || n === "P") {
          let name: string;
          let len: number;
          if (pattern[i + 2] === "{") {
            const close = pattern.indexOf("}", i + 2);
            if (close < 0) throw err(key, `invalid pattern [${pattern}]: unclosed \\${n}{`);
            name = pattern.slice(i + 3, close);
            len = close + 1 - i;
          } else {
            name = pattern[i + 2] ?? "";
            len = 3;
          }
          const negate = n === "P";
          const posix = POSIX[name] ?? POSIX[name.replace(/^Is/, "")];
          if (posix !== undefined) {
            if (inClass && negate)
              throw err(key, `invalid pattern [${pattern}]: \\P{${name}} inside [] is not supported`);
            source += inClass ? posix : `[${negate ? "^" : ""}${posix}]`;
          } else {
            let js = JAVA_PROPS[name];
            if (js === undefined) {
              if (/^In/.test(name)) {
                throw err(
                  key,
                  `invalid pattern [${pattern}]: Unicode blocks (\\p{${name}}) are not supported; use scripts (\\p{IsLatin})`,
                );
              }
              const bare = name.replace(/^Is/, "");
              const m = /^(?:script|sc)=(.+)$/i.exec(bare);
              const g = /^(?:general_category|gc)=(.+)$/i.exec(bare);
              if (m) js = `\\p{Script=${m[1]}}`;
              else if (g) js = `\\p{gc=${g[1]}}`;
              else if (/^[A-Z][a-z&]?$/.test(bare)) js = `\\p{${bare.replace("&", "")}}`;
              else js = `\\p{Script=${bare}}`;
            }
            if (negate) {
              if (js.startsWith("\\p{") && js.indexOf("\\p{", 1) < 0) js = js.replace("\\p{", "\\P{");
              else if (!inClass) js = `[^${js}]`;
              else throw err(key, `invalid pattern [${pattern}]: \\P{${name}} inside [] is not supported`);
            } else if (!inClass && js.includes("\\p{") && js.indexOf("\\p{", 1) > 0) js = `[${js}]`;
            source += js;
          }
          i += len;
          continue;
        }
        if (n === "h")
          source += inClass
            ? "\\t \\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000"
            : "[\\t \\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000]";
        else if (n === "A") source += "^";
        else if (n === "z" || n === "Z") source += "$";
        else if (n === "R") source += "(?:\\r\\n|[\\n\\v\\f\\r\\u0085\\u2028\\u2029])";
        else if (n === "e") source += "\\x1B";
        else if (n === "a") source += "\\x07";
        else if (n === "x" && pattern[i + 2] === "{") {
          const close = pattern.indexOf("}", i);
          source += `\\u{${pattern.slice(i + 3, close)}}`;
          i = close + 1;
          continue;
        } else if (n === "G" || n === "X")
          throw err(key, `invalid pattern [${pattern}]: \\${n} is not supported`);
        else if (unicodeClasses && n === "w")
          source += inClass ? "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}" : "[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}]";
        else if (unicodeClasses && n === "W")
          source += inClass ? "\\W" : "[^\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}]";
        else if (unicodeClasses && n === "d") source += "\\p{Nd}";
        else if (unicodeClasses && n === "D") source += "\\P{Nd}";
        else if (n === "-") source += inClass ? "\\-" : "-";
        else if (/[a-zA-Z0-9]/.test(n) || REGEX_SYNTAX.has(n)) source += c + n;
        else source += `\\u{${(n.codePointAt(0) ?? 0).toString(16)}}`;
        i += 2;
        continue;
      }
      if (c === "[") {
        if (inClass && pattern[i - 1] !== "\\") {
          throw err(key, `invalid pattern [${pattern}]: nested character classes are not supported`);
        }
        inClass++;
        source += c;
        i++;
        if (pattern[i] === "^") {
          source += "^";
          i++;
        }
        continue;
      }
      if (c === "]" && inClass) {
        inClass--;
        source += c;
        i++;
        continue;
      }
      if (inClass && c === "&" && pattern[i + 1] === "&") {
        throw err(key, `invalid pattern [${pattern}]: class intersection (&&) is not supported`);
      }
      if (!inClass && (c === "*" || c === "+" || c === "?" || c === "}") && pattern[i + 1] === "+") {
        source += c; // possessive → greedy
        i += 2;
        continue;
      }
      if (!inClass && pattern.startsWith("(?>", i)) {
        source += "(?:"; // atomic → plain group
        i += 3;
        continue;
      }
      source += c;
      i++;
    }
  }
  const all = [...new Set(`${flags}${extraFlags}u`)].join("");
  try {
    return new RegExp(source, all);
  } catch (e) {
    try {
      return new RegExp(source, all.replace("u", ""));
    } catch {
      throw err(key, `invalid pattern [${pattern}]: ${(e as Error).message}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Tokenizers

const SPACE_SEPARATOR = /[\p{Zs}\p{Zl}\p{Zp}]/u;
/** Java's Character.isWhitespace. */
function isJavaWhitespace(ch: string): boolean {
  const c = ch.charCodeAt(0);
  if (c <= 0x20) return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20);
  return c !== 0xa0 && c !== 0x2007 && c !== 0x202f && SPACE_SEPARATOR.test(ch);
}
const LETTER = /\p{L}/u;

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
      tokens.push({
        term: normalize ? normalize(term) : term,
        start,
        end,
        position: tokens.length,
        type: "word",
      });
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

const keywordTokenizer: Tokenizer = (text) => [
  { term: text, start: 0, end: text.length, position: 0, type: "word" },
];

function patternTokenizer(re: RegExp, group: number): Tokenizer {
  return (text) => {
    const tokens: Token[] = [];
    const push = (start: number, end: number) => {
      if (end > start)
        tokens.push({ term: text.slice(start, end), start, end, position: tokens.length, type: "word" });
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

function tokenCharsMatcher(
  classes: string[] | undefined,
  custom: string | undefined,
  key: string,
): TokenChars {
  if (!classes || classes.length === 0) return () => true;
  const tests: TokenChars[] = [];
  for (const c of classes) {
    if (c === "letter") tests.push((ch) => LETTER.test(ch));
    else if (c === "digit") tests.push((ch) => /\p{Nd}/u.test(ch));
    else if (c === "whitespace") tests.push(isJavaWhitespace);
    else if (c === "punctuation") tests.push((ch) => /\p{P}/u.test(ch));
    else if (c === "symbol") tests.push((ch) => /\p{S}/u.test(ch));
    else if (c === "custom") {
      if (!custom) throw err(`${key}.custom_token_chars`, "token_chars [custom] needs custom_token_chars");
      const set = new Set(custom);
      tests.push((ch) => set.has(ch));
    } else {
      throw err(
        `${key}.token_chars`,
        `unknown token_chars class [${c}]${didYouMean(c, ["letter", "digit", "whitespace", "punctuation", "symbol", "custom"])}; known: [letter, digit, whitespace, punctuation, symbol, custom]`,
      );
    }
  }
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
      for (let a = 0; a < cps.length; a++) {
        if (edgesOnly && a > 0) break;
        for (let n = minGram; n <= maxGram && a + n <= cps.length; n++) {
          const first = cps[a] as { start: number };
          const last = cps[a + n - 1] as { ch: string; start: number };
          const end = last.start + last.ch.length;
          tokens.push({
            term: text.slice(first.start, end),
            start: first.start,
            end,
            position: tokens.length,
            type: "word",
          });
        }
      }
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

// ---------------------------------------------------------------------------------------------------------
// Token filters

/** Drops tokens without keeping their positions (Lucene filters that are not FilteringTokenFilters). */
function dropCollapsing(tokens: Token[], keep: (t: Token, i: number) => boolean): Token[] {
  const out: Token[] = [];
  let prevIn = -1;
  let lastOut = -1;
  tokens.forEach((t, i) => {
    const inc = t.position - prevIn;
    prevIn = t.position;
    if (!keep(t, i)) return;
    lastOut += inc;
    out.push(lastOut === t.position ? t : { ...t, position: lastOut });
  });
  return out;
}

const mapTerms =
  (fn: (term: string) => string, respectKeyword = false): TokenFilter =>
  (tokens) =>
    tokens.map((t) => {
      if (respectKeyword && t.keyword) return t;
      const term = fn(t.term);
      return term === t.term ? t : { ...t, term };
    });

function upperCaseTerm(term: string): string {
  let out = "";
  for (const ch of term) {
    const u = ch.toUpperCase();
    out += u.length === ch.length ? u : ch; // Character.toUpperCase is 1:1 (ß stays ß)
  }
  return out;
}

/** Lucene's EnglishMinimalStemmer (plural "s" only). */
function minimalEnglishStem(w: string): string {
  const n = w.length;
  if (n < 3 || w[n - 1] !== "s") return w;
  switch (w[n - 2]) {
    case "u":
    case "s":
      return w;
    case "e":
      if (n > 3 && w[n - 3] === "i" && w[n - 4] !== "a" && w[n - 4] !== "e") return `${w.slice(0, n - 3)}y`;
      if (w[n - 3] === "i" || w[n - 3] === "a" || w[n - 3] === "o" || w[n - 3] === "e") return w;
      return w.slice(0, n - 1);
    default:
      return w.slice(0, n - 1);
  }
}

const VOWEL = /[aeiou]/;
/**
 * An approximation of KStem (`light_english`, `kstem`) without its dictionary: plurals, -ies/-ied,
 * and -ed/-ing with consonant undoubling. Conservative: it leaves a word alone when unsure.
 */
function lightEnglishStem(w: string): string {
  if (w.length < 4 || !/^[a-z]+$/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  if (w.endsWith("sses")) return w.slice(0, -2);
  if (/(?:ch|sh|x|z)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) return w.slice(0, -1);
  if (w.endsWith("ied") && w.length > 4) return `${w.slice(0, -3)}y`;
  const suffix = w.endsWith("ing") ? 3 : w.endsWith("ed") && !w.endsWith("eed") ? 2 : 0;
  if (suffix) {
    const stem = w.slice(0, -suffix);
    if (stem.length < 3 || !VOWEL.test(stem)) return w;
    if (/([b-df-hj-np-tv-z])\1$/.test(stem) && !/(?:ll|ss|zz)$/.test(stem)) return stem.slice(0, -1);
    return stem;
  }
  return w;
}

/** Lucene ShingleFilter (token_separator, filler_token for holes, output_unigrams …). */
function shingleFilter(o: {
  min: number;
  max: number;
  outputUnigrams: boolean;
  ifNoShingles: boolean;
  separator: string;
  filler: string;
}): TokenFilter {
  return (tokens) => {
    if (tokens.length === 0) return tokens;
    const byPos = new Map<number, Token>();
    for (const t of tokens) if (!byPos.has(t.position)) byPos.set(t.position, t);
    const maxPos = Math.max(...byPos.keys());
    const out: Token[] = [];
    let shingles = 0;
    for (const t of tokens) {
      if (o.outputUnigrams) out.push(t);
      if (byPos.get(t.position) !== t) continue;
      for (let size = o.min; size <= o.max; size++) {
        const lastPos = t.position + size - 1;
        if (lastPos > maxPos) break;
        const last = byPos.get(lastPos);
        if (!last) continue;
        const words: string[] = [];
        for (let p = t.position; p <= lastPos; p++) words.push(byPos.get(p)?.term ?? o.filler);
        out.push({
          term: words.join(o.separator),
          start: t.start,
          end: last.end,
          position: t.position,
          positionLength: size,
          type: "shingle",
        });
        shingles++;
      }
    }
    if (!o.outputUnigrams && shingles === 0 && o.ifNoShingles) return tokens;
    return out;
  };
}

function ngramFilter(min: number, max: number, preserveOriginal: boolean, edgesOnly: boolean): TokenFilter {
  return (tokens) => {
    const out: Token[] = [];
    for (const t of tokens) {
      const cps = [...t.term];
      let emitted = false;
      for (let a = 0; a < cps.length && (!edgesOnly || a === 0); a++) {
        for (let n = min; n <= max && a + n <= cps.length; n++) {
          out.push({ ...t, term: cps.slice(a, a + n).join("") });
          emitted = true;
        }
      }
      if (preserveOriginal && (cps.length < min || cps.length > max || !emitted)) out.push(t);
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Component definitions

interface TokenizerDef {
  id: string;
  tokenize: Tokenizer;
}

interface CharFilterDef {
  id: string;
  apply: MappedCharFilter;
  normalizing: boolean;
}

/** The part of an analyzer before a filter: what synonym rules are analyzed with. */
interface Chain {
  id: string;
  describe: string;
  analyzer: string;
  charFilters: MappedCharFilter[];
  tokenizer: Tokenizer;
  /** Each preceding filter as used to parse synonyms: a filter, null (skipped) or an error message. */
  filters: (TokenFilter | null | { error: string })[];
}

interface FilterDef {
  id: string;
  type: string;
  isSynonym: boolean;
  updateable: boolean;
  normalizing: boolean;
  create(chain: Chain): TokenFilter;
  /** The filter as applied to synonym rules when it precedes a synonym filter. */
  forSynonyms(): TokenFilter | null | { error: string };
}

const simpleFilter = (id: string, type: string, filter: TokenFilter, normalizing = false): FilterDef => ({
  id,
  type,
  isSynonym: false,
  updateable: false,
  normalizing,
  create: () => filter,
  forSynonyms: () => filter,
});

interface Env {
  opts: AnalysisOptions;
  /** Component name (custom) or type (built-in / inline). */
  name: string;
  readFile(key: string, path: string): string;
  readWords(key: string, path: string): string[];
}

function resolveConfigPath(configDir: string, path: string, key: string): string {
  const base = resolve(configDir);
  const full = resolve(base, path);
  const inside = (p: string, dir: string) => {
    const rel = relative(dir, p);
    return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
  };
  if (!inside(full, base)) {
    throw err(
      key,
      `path [${path}] resolves to [${full}], outside the config directory [${base}]; use a path relative to it`,
    );
  }
  try {
    const real = realpathSync(full);
    const realBase = realpathSync(base);
    if (!inside(real, realBase)) {
      throw err(key, `path [${path}] resolves (through a link) outside the config directory [${base}]`);
    }
    return real;
  } catch (e) {
    if (e instanceof AnalysisSettingsError) throw e;
    throw err(
      key,
      `cannot read [${path}] (resolved to [${full}] in the config directory): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

function makeEnv(opts: AnalysisOptions, name: string): Env {
  const readFile = (key: string, path: string) => {
    const full = resolveConfigPath(opts.configDir, path, key);
    try {
      const text = readFileSync(full, "utf8");
      return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    } catch (e) {
      throw err(key, `cannot read [${path}]: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  };
  return {
    opts,
    name,
    readFile,
    readWords: (key, path) =>
      readFile(key, path)
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0 && !l.startsWith("#")),
  };
}

const NAMED_STOPWORDS: Record<string, ReadonlySet<string>> = {
  _english_: ENGLISH_STOP_WORDS,
  _none_: new Set(),
};

/** ES Analysis.parseWords: `_english_` / `_none_` / a list (which may contain `_english_`) / a file. */
function stopwordsParam(
  p: Params,
  env: Env,
  def: ReadonlySet<string>,
  ignoreCase: boolean,
): ReadonlySet<string> {
  let words: string[] | undefined;
  const list = p.list("stopwords");
  if (list) {
    words = [];
    for (const w of list) {
      if (/^_\w+_$/.test(w)) {
        const named = NAMED_STOPWORDS[w];
        if (!named) {
          throw err(
            `${p.key}.stopwords`,
            `unsupported stop word set [${w}]${didYouMean(w, Object.keys(NAMED_STOPWORDS))}; supported: [${Object.keys(NAMED_STOPWORDS).join(", ")}] or a list of words`,
          );
        }
        words.push(...named);
      } else words.push(w);
    }
  }
  const path = p.string("stopwords_path");
  if (path !== undefined) {
    const fromFile = env.readWords(`${p.key}.stopwords_path`, path);
    words = words ? [...words, ...fromFile] : fromFile;
  }
  const set = words ? new Set(words) : def;
  return ignoreCase ? new Set([...set].map((w) => w.toLowerCase())) : set;
}

function stopTokenFilter(words: ReadonlySet<string>, ignoreCase: boolean): TokenFilter {
  if (!ignoreCase) return stopFilter(words);
  return (tokens) => tokens.filter((t) => !words.has(t.term.toLowerCase()));
}

function keywordMarker(
  words: ReadonlySet<string>,
  pattern: RegExp | undefined,
  ignoreCase: boolean,
): TokenFilter {
  return (tokens) =>
    tokens.map((t) => {
      const term = ignoreCase ? t.term.toLowerCase() : t.term;
      const hit = words.has(term) || (pattern?.test(t.term) ?? false);
      return hit && !t.keyword ? { ...t, keyword: true } : t;
    });
}

const STEMMERS: Record<string, TokenFilter> = {
  english: porterStemFilter,
  porter: porterStemFilter,
  light_english: mapTerms(lightEnglishStem, true),
  kstem: mapTerms(lightEnglishStem, true),
  minimal_english: mapTerms(minimalEnglishStem, true),
  possessive_english: englishPossessiveFilter,
};

/** Java's Character.toLowerCase with Turkish dotted/dotless i. */
const turkishLower = (term: string) => term.replace(/I/g, "ı").replace(/İ/g, "i").toLocaleLowerCase("tr");

function synonymFilterType(graph: boolean) {
  return (p: Params, env: Env): FilterDef => {
    const type = graph ? "synonym_graph" : "synonym";
    const inline = p.list("synonyms");
    const path = p.string("synonyms_path");
    const expand = p.bool("expand", true);
    const lenient = p.bool("lenient", false);
    const updateable = p.bool("updateable", false);
    const ignoreCase = p.bool("ignore_case", false);
    const format = p.string("format", "solr");
    p.ignore("tokenizer");
    if (format !== "solr" && format !== "wordnet") {
      throw err(`${p.key}.format`, `unknown synonyms format [${format}]; supported: [solr, wordnet]`);
    }
    if (!inline && path === undefined) {
      throw err(
        `${p.key}.synonyms`,
        `${type} requires either \`synonyms\` or \`synonyms_path\` to be configured${p.hint()}`,
      );
    }
    if (inline && path !== undefined) {
      env.opts.warn(`${p.key}: both synonyms and synonyms_path are set; the inline synonyms are used`);
    }
    const rulesKey = inline ? `${p.key}.synonyms` : `${p.key}.synonyms_path`;
    const rules = inline ?? env.readFile(rulesKey, path as string);
    const cache = new Map<string, SynonymMap>();
    const buildMap = (chain: Chain): SynonymMap => {
      const cached = cache.get(chain.id);
      if (cached) return cached;
      const analyze = chainPhraseAnalyzer(chain, rulesKey, env.name);
      const skipped: string[] = [];
      let map: SynonymMap;
      try {
        map = parseSynonyms(rules, {
          expand,
          lenient,
          format: format as "solr" | "wordnet",
          analyze,
          onSkip: (m) => skipped.push(m),
        });
      } catch (e) {
        if (e instanceof SynonymParseError) {
          throw err(
            rulesKey,
            `failed to build synonyms${chain.analyzer ? ` for analyzer [${chain.analyzer}]` : ""}: ${e.message}. Rule words are analyzed with the chain before the filter (${chain.describe}); set "lenient": true to skip such rules`,
          );
        }
        throw e;
      }
      if (skipped.length) {
        env.opts.warn(
          `${rulesKey}: lenient: ${skipped.length} synonym phrase${skipped.length > 1 ? "s" : ""} ignored${chain.analyzer ? ` in analyzer [${chain.analyzer}]` : ""}, e.g. ${skipped[0]}`,
        );
      }
      cache.set(chain.id, map);
      return map;
    };
    return {
      id: "",
      type,
      isSynonym: true,
      updateable,
      normalizing: false,
      create: (chain) => (graph ? synonymGraphFilter : synonymFilter)(buildMap(chain), { ignoreCase }),
      // A synonym filter before another one is skipped while parsing the later one's rules (as ES does).
      forSynonyms: () => null,
    };
  };
}

function chainPhraseAnalyzer(chain: Chain, key: string, filterName: string): SynonymPhraseAnalyzer {
  const filters: TokenFilter[] = [];
  for (const f of chain.filters) {
    if (f === null) continue;
    if ("error" in f) throw err(key, `${f.error}, which precedes synonym filter [${filterName}]`);
    filters.push(f);
  }
  return (phrase) => {
    let text = phrase;
    for (const cf of chain.charFilters) text = cf(text).text;
    let tokens = chain.tokenizer(text);
    for (const f of filters) tokens = f(tokens);
    let prev = -1;
    for (const t of tokens) {
      const inc = t.position - prev;
      if (inc !== 1) {
        throw new Error(
          `term: [${phrase}] analyzed to a token ([${t.term}]) with position increment != 1 (got: ${inc})`,
        );
      }
      prev = t.position;
    }
    return tokens.map((t) => t.term);
  };
}

type TokenizerFactory = (p: Params, env: Env) => Tokenizer;
type CharFilterFactory = (p: Params, env: Env) => { apply: MappedCharFilter; normalizing: boolean };
type FilterFactory = (p: Params, env: Env) => FilterDef | TokenFilter;

function ngramBounds(p: Params, env: Env, limitDiff: boolean, what: string): [number, number] {
  const min = p.int("min_gram", 1, 1);
  const max = p.int("max_gram", 2, 1);
  if (max < min) throw err(`${p.key}.max_gram`, `max_gram [${max}] must not be less than min_gram [${min}]`);
  const limit = env.opts.maxNgramDiff ?? 1;
  if (limitDiff && max - min > limit) {
    throw err(
      `${p.key}.max_gram`,
      `The difference between max_gram and min_gram in ${what} must be less than or equal to: [${limit}] but was [${max - min}]. This limit can be set by changing the [index.max_ngram_diff] index level setting.`,
    );
  }
  return [min, max];
}

const TOKENIZER_TYPES: Record<string, TokenizerFactory> = {
  standard: (p) => standardTokenizer(p.int("max_token_length", 255, 1, 1024 * 1024)),
  whitespace: (p) =>
    charTokenizer((ch) => !isJavaWhitespace(ch), p.int("max_token_length", 255, 1, 1024 * 1024)),
  keyword: (p) => {
    p.ignore("buffer_size");
    return keywordTokenizer;
  },
  letter: () => charTokenizer((ch) => LETTER.test(ch)),
  lowercase: () => charTokenizer((ch) => LETTER.test(ch), 255, lowerCaseTerm),
  pattern: (p) => {
    const pattern = p.string("pattern", "\\W+");
    const re = javaRegex(pattern, p.string("flags"), `${p.key}.pattern`);
    const group = p.int("group", -1, -1);
    return patternTokenizer(group >= 0 ? new RegExp(re.source, `${re.flags}d`) : re, group);
  },
  ngram: (p, env) => {
    const [min, max] = ngramBounds(p, env, true, "NGram Tokenizer");
    const chars = tokenCharsMatcher(p.list("token_chars"), p.string("custom_token_chars"), p.key);
    return ngramTokenizer(min, max, chars, false);
  },
  edge_ngram: (p, env) => {
    const [min, max] = ngramBounds(p, env, false, "EdgeNGram Tokenizer");
    const chars = tokenCharsMatcher(p.list("token_chars"), p.string("custom_token_chars"), p.key);
    return ngramTokenizer(min, max, chars, true);
  },
  ik_max_word: () => ikMaxWordTokenizer(),
  ik_smart: () => ikSmartTokenizer(),
};

const CHAR_FILTER_TYPES: Record<string, CharFilterFactory> = {
  html_strip: (p) => ({
    apply: htmlStripCharFilter(new Set((p.list("escaped_tags") ?? []).map((t) => t.toLowerCase()))),
    normalizing: false,
  }),
  mapping: (p, env) => {
    const inline = p.list("mappings");
    const path = p.string("mappings_path");
    if (!inline && path === undefined) {
      throw err(
        `${p.key}.mappings`,
        `mapping requires either \`mappings\` or \`mappings_path\` to be configured${p.hint()}`,
      );
    }
    const key = inline ? `${p.key}.mappings` : `${p.key}.mappings_path`;
    const rules = inline ?? env.readWords(key, path as string);
    return { apply: mappingCharFilter(rules, key), normalizing: true };
  },
  pattern_replace: (p) => {
    const pattern = p.string("pattern");
    if (pattern === undefined)
      throw err(`${p.key}.pattern`, `pattern_replace requires a \`pattern\`${p.hint()}`);
    const re = javaRegex(pattern, p.string("flags"), `${p.key}.pattern`);
    return { apply: patternReplaceCharFilter(re, p.string("replacement", "")), normalizing: true };
  },
};

const FILTER_TYPES: Record<string, FilterFactory> = {
  lowercase: (p) => {
    const language = p.string("language");
    if (language === undefined) return { ...simpleFilter("", "lowercase", lowercaseFilter, true) };
    if (language === "turkish") return simpleFilter("", "lowercase", mapTerms(turkishLower), true);
    throw err(
      `${p.key}.language`,
      `unsupported lowercase language [${language}]; supported: [turkish] (or none)`,
    );
  },
  uppercase: () => simpleFilter("", "uppercase", mapTerms(upperCaseTerm), true),
  stop: (p, env) => {
    const ignoreCase = p.bool("ignore_case", false);
    p.ignore("remove_trailing");
    return stopTokenFilter(stopwordsParam(p, env, ENGLISH_STOP_WORDS, ignoreCase), ignoreCase);
  },
  stemmer: (p, env) => {
    const language = p.string("language") ?? p.string("name") ?? "porter";
    const filter = STEMMERS[language];
    if (!filter) {
      throw err(
        `${p.key}.${p.has("language") ? "language" : "name"}`,
        `unsupported stemmer language [${language}]${didYouMean(language, Object.keys(STEMMERS))}; supported: [${Object.keys(STEMMERS).join(", ")}]`,
      );
    }
    if (language === "light_english" || language === "kstem") {
      env.opts.warn(
        `${p.key}: stemmer [${language}] (KStem) is approximated here: plurals, -ed and -ing only`,
      );
    }
    return filter;
  },
  porter_stem: () => porterStemFilter,
  kstem: (p, env) => {
    env.opts.warn(`${p.key}: kstem is approximated here: plurals, -ed and -ing only`);
    return STEMMERS.kstem as TokenFilter;
  },
  english_possessive: () => englishPossessiveFilter,
  asciifolding: (p) => {
    const preserve = p.bool("preserve_original", false);
    const filter = asciiFoldingFilter({ preserveOriginal: preserve });
    return {
      ...simpleFilter("", "asciifolding", filter, true),
      // Rules are folded without keeping the original (it would stack tokens), as ES does.
      forSynonyms: () => (preserve ? asciiFoldingFilter() : filter),
    };
  },
  synonym: synonymFilterType(false),
  synonym_graph: synonymFilterType(true),
  length: (p) => {
    const min = p.int("min", 0, 0);
    const max = p.int("max", 2147483647, 0);
    if (max < min) throw err(`${p.key}.max`, `max [${max}] must not be less than min [${min}]`);
    return (tokens) => tokens.filter((t) => t.term.length >= min && t.term.length <= max);
  },
  trim: () =>
    simpleFilter(
      "",
      "trim",
      mapTerms((t) => t.replace(/^\s+|\s+$/gu, "")),
      true,
    ),
  truncate: (p) => {
    const length = p.int("length", 10, 1);
    return mapTerms((t) => (t.length > length ? t.slice(0, length) : t));
  },
  reverse: () => mapTerms((t) => [...t].reverse().join("")),
  unique: (p) => {
    const samePosition = p.bool("only_on_same_position", false);
    return (tokens) => {
      const seen = new Set<string>();
      let pos = Number.NaN;
      return dropCollapsing(tokens, (t) => {
        if (samePosition && t.position !== pos) seen.clear();
        pos = t.position;
        if (seen.has(t.term)) return false;
        seen.add(t.term);
        return true;
      });
    };
  },
  ngram: (p, env) => {
    const [min, max] = ngramBounds(p, env, true, "NGram Token Filter");
    const filter = ngramFilter(min, max, p.bool("preserve_original", false), false);
    return {
      ...simpleFilter("", "ngram", filter),
      forSynonyms: () => ({ error: `token filter [${env.name}] cannot be used to parse synonyms` }),
    };
  },
  edge_ngram: (p, env) => {
    const [min, max] = ngramBounds(p, env, false, "EdgeNGram Token Filter");
    p.ignore("side");
    const filter = ngramFilter(min, max, p.bool("preserve_original", false), true);
    return {
      ...simpleFilter("", "edge_ngram", filter),
      forSynonyms: () => ({ error: `token filter [${env.name}] cannot be used to parse synonyms` }),
    };
  },
  keyword_marker: (p, env) => {
    const ignoreCase = p.bool("ignore_case", false);
    const list = p.list("keywords");
    const path = p.string("keywords_path");
    const pattern = p.string("keywords_pattern");
    if (!list && path === undefined && pattern === undefined) {
      throw err(
        `${p.key}.keywords`,
        `keyword_marker requires either \`keywords\`, \`keywords_path\`, or \`keywords_pattern\` to be configured${p.hint()}`,
      );
    }
    if (pattern !== undefined && (list || path !== undefined)) {
      throw err(
        `${p.key}.keywords_pattern`,
        "cannot specify both `keywords_pattern` and `keywords` or `keywords_path`",
      );
    }
    const words = [
      ...(list ?? []),
      ...(path !== undefined ? env.readWords(`${p.key}.keywords_path`, path) : []),
    ];
    const set = new Set(ignoreCase ? words.map((w) => w.toLowerCase()) : words);
    const re =
      pattern !== undefined ? javaRegex(pattern, undefined, `${p.key}.keywords_pattern`, "") : undefined;
    const anchored = re ? new RegExp(`^(?:${re.source})$`, re.flags) : undefined;
    return keywordMarker(set, anchored, ignoreCase);
  },
  shingle: (p, env) => {
    const min = p.int("min_shingle_size", 2, 2);
    const max = p.int("max_shingle_size", 2, 2);
    if (max < min) {
      throw err(
        `${p.key}.max_shingle_size`,
        `max_shingle_size [${max}] must not be less than min_shingle_size [${min}]`,
      );
    }
    const limit = env.opts.maxShingleDiff ?? 3;
    if (max - min > limit) {
      throw err(
        `${p.key}.max_shingle_size`,
        `In Shingle TokenFilter the difference between max_shingle_size and min_shingle_size (and +1 if outputting unigrams) must be less than or equal to: [${limit}] but was [${max - min}]. This limit can be set by changing the [index.max_shingle_diff] index level setting.`,
      );
    }
    const filter = shingleFilter({
      min,
      max,
      outputUnigrams: p.bool("output_unigrams", true),
      ifNoShingles: p.bool("output_unigrams_if_no_shingles", false),
      separator: p.string("token_separator", " "),
      filler: p.string("filler_token", "_"),
    });
    return {
      ...simpleFilter("", "shingle", filter),
      forSynonyms: () => ({ error: `token filter [${env.name}] cannot be used to parse synonyms` }),
    };
  },
};

/** Types that cannot be used by bare name: they need settings. */
const NEEDS_SETTINGS: Record<string, string> = {
  synonym: "synonyms or synonyms_path",
  synonym_graph: "synonyms or synonyms_path",
  keyword_marker: "keywords, keywords_path or keywords_pattern",
  mapping: "mappings or mappings_path",
  pattern_replace: "pattern",
};

const BUILTIN_FILTERS = Object.keys(FILTER_TYPES).filter((t) => !(t in NEEDS_SETTINGS));
const BUILTIN_CHAR_FILTERS = ["html_strip"];
const BUILTIN_TOKENIZERS = Object.keys(TOKENIZER_TYPES);

// ---------------------------------------------------------------------------------------------------------
// Analyzers

type Resolved = { def: FilterDef; key: string };

function assemble(
  name: string,
  charFilters: CharFilterDef[],
  tokenizer: TokenizerDef,
  filterList: Resolved[],
  positionIncrementGap: number,
): RegistryAnalyzer {
  const mapped = charFilters.map((c) => c.apply);
  const filters: TokenFilter[] = [];
  const parseFilters: Chain["filters"] = [];
  const ids = [...charFilters.map((c) => c.id), tokenizer.id];
  filterList.forEach(({ def }) => {
    const chain: Chain = {
      id: [...ids, ...filterList.slice(0, filters.length).map((f) => f.def.id)].join("|"),
      describe: `tokenizer [${tokenizer.id}]${charFilters.length ? `, char_filter [${charFilters.map((c) => c.id).join(", ")}]` : ""}, filter [${filterList
        .slice(0, filters.length)
        .map((f) => f.def.id)
        .join(", ")}]`,
      analyzer: name === "_anonymous_" ? "" : name,
      charFilters: mapped,
      tokenizer: tokenizer.tokenize,
      filters: [...parseFilters],
    };
    filters.push(def.create(chain));
    parseFilters.push(def.forSynonyms());
  });
  return {
    name,
    positionIncrementGap,
    analyze(text: string): Token[] {
      const maps: Mapped[] = [];
      let current = text;
      for (const cf of mapped) {
        const m = cf(current);
        maps.push(m);
        current = m.text;
      }
      let tokens = tokenizer.tokenize(current);
      for (const f of filters) tokens = f(tokens);
      if (!maps.length) return tokens;
      return tokens.map((t) => {
        let start = t.start;
        let end = t.end;
        for (let i = maps.length - 1; i >= 0; i--) {
          const m = maps[i] as Mapped;
          start = mapStart(m, start);
          end = mapEnd(m, end);
        }
        return { ...t, start, end: Math.max(start, end) };
      });
    },
  };
}

const fnAnalyzer = (name: string, analyze: (text: string) => Token[]): RegistryAnalyzer => ({
  name,
  positionIncrementGap: 100,
  analyze,
});

type AnalyzerFactory = (p: Params, r: Resolver, name: string) => RegistryAnalyzer;

function tokenizerDef(id: string, tokenize: Tokenizer): TokenizerDef {
  return { id, tokenize };
}

const ANALYZER_TYPES: Record<string, AnalyzerFactory> = {
  standard: (p, r, name) => {
    const stop = stopwordsParam(p, r.env(name), NAMED_STOPWORDS._none_ as ReadonlySet<string>, false);
    const maxLen = p.int("max_token_length", 255, 1, 1024 * 1024);
    if (stop.size === 0 && maxLen === 255) return fnAnalyzer(name, standardAnalyze);
    const filters = [simpleFilter("lowercase", "lowercase", lowercaseFilter)];
    if (stop.size) filters.push(simpleFilter("stop", "stop", stopFilter(stop)));
    return assemble(
      name,
      [],
      tokenizerDef("standard", standardTokenizer(maxLen)),
      filters.map((def) => ({ def, key: "" })),
      100,
    );
  },
  simple: (_p, _r, name) =>
    fnAnalyzer(
      name,
      charTokenizer((ch) => LETTER.test(ch), 255, lowerCaseTerm),
    ),
  whitespace: (p, _r, name) =>
    fnAnalyzer(
      name,
      charTokenizer((ch) => !isJavaWhitespace(ch), p.int("max_token_length", 255, 1, 1024 * 1024)),
    ),
  keyword: (_p, _r, name) => fnAnalyzer(name, keywordTokenizer),
  stop: (p, r, name) => {
    const stop = stopwordsParam(p, r.env(name), ENGLISH_STOP_WORDS, false);
    const tokenize = charTokenizer((ch) => LETTER.test(ch), 255, lowerCaseTerm);
    const filter = stopFilter(stop);
    return fnAnalyzer(name, (text) => filter(tokenize(text)));
  },
  english: (p, r, name) => {
    const stop = stopwordsParam(p, r.env(name), ENGLISH_STOP_WORDS, false);
    const exclusions = new Set(p.list("stem_exclusion") ?? []);
    if (stop === ENGLISH_STOP_WORDS && exclusions.size === 0) return fnAnalyzer(name, englishAnalyze);
    const tokenize = standardTokenizer(255);
    const chain: TokenFilter[] = [englishPossessiveFilter, lowercaseFilter, stopFilter(stop)];
    if (exclusions.size) chain.push(keywordMarker(exclusions, undefined, false));
    chain.push(porterStemFilter);
    return fnAnalyzer(name, (text) => chain.reduce((tokens, f) => f(tokens), tokenize(text)));
  },
  pattern: (p, r, name) => {
    const re = javaRegex(p.string("pattern", "\\W+"), p.string("flags"), `${p.key}.pattern`);
    const lower = p.bool("lowercase", true);
    const stop = stopwordsParam(p, r.env(name), NAMED_STOPWORDS._none_ as ReadonlySet<string>, false);
    const tokenize = patternTokenizer(re, -1);
    const stopF = stopFilter(stop);
    return fnAnalyzer(name, (text) => {
      let tokens = tokenize(text);
      if (lower) tokens = lowercaseFilter(tokens);
      return stop.size ? stopF(tokens) : tokens;
    });
  },
  ik_max_word: (_p, _r, name) => fnAnalyzer(name, ikMaxWordTokenizer()),
  ik_smart: (_p, _r, name) => fnAnalyzer(name, ikSmartTokenizer()),
};

const BUILTIN_ANALYZERS = Object.keys(ANALYZER_TYPES);
const builtinAnalyzerCache = new Map<string, RegistryAnalyzer>();

function builtinAnalyzer(name: string, resolver: Resolver): RegistryAnalyzer | undefined {
  const factory = ANALYZER_TYPES[name];
  if (!factory) return undefined;
  let analyzer = builtinAnalyzerCache.get(name);
  if (!analyzer) {
    analyzer = factory(new Params(`analyzer [${name}]`, {}, `analyzer type [${name}]`), resolver, name);
    builtinAnalyzerCache.set(name, analyzer);
  }
  return analyzer;
}

// ---------------------------------------------------------------------------------------------------------
// Resolution of names and inline definitions

type Kind = "tokenizer" | "char_filter" | "filter";

interface Custom {
  tokenizer: Map<string, TokenizerDef>;
  char_filter: Map<string, CharFilterDef>;
  filter: Map<string, FilterDef>;
  used: Record<Kind, Set<string>>;
}

class Resolver {
  private inline = 0;
  private readonly builtins = new Map<string, TokenizerDef | CharFilterDef | FilterDef>();

  constructor(
    readonly opts: AnalysisOptions,
    readonly custom: Custom | undefined,
  ) {}

  env(name: string): Env {
    return makeEnv(this.opts, name);
  }

  private unknown(kind: Kind, ref: string, key: string, builtins: string[]): AnalysisSettingsError {
    const customNames = [...(this.custom?.[kind].keys() ?? [])];
    const label = kind === "char_filter" ? "char_filters" : `${kind}s`;
    const needs = kind !== "tokenizer" ? NEEDS_SETTINGS[ref] : undefined;
    if (needs && (kind === "filter" ? ref in FILTER_TYPES : ref in CHAR_FILTER_TYPES)) {
      return err(
        key,
        `${kind} [${ref}] needs settings (${needs}); define a ${kind} of type [${ref}] under index.analysis.${kind} and reference it by name`,
      );
    }
    return err(
      key,
      `unknown ${kind} [${ref}]${didYouMean(ref, [...customNames, ...builtins])}; custom ${label}: [${customNames.join(", ")}], built-in: [${builtins.join(", ")}]`,
    );
  }

  tokenizer(ref: unknown, key: string): TokenizerDef {
    if (typeof ref === "string") {
      const custom = this.custom?.tokenizer.get(ref);
      if (custom) {
        this.custom?.used.tokenizer.add(ref);
        return custom;
      }
      if (ref in TOKENIZER_TYPES)
        return this.builtin(`tokenizer:${ref}`, () => compileTokenizer(ref, { type: ref }, key, this.opts));
      throw this.unknown("tokenizer", ref, key, BUILTIN_TOKENIZERS);
    }
    if (isObject(ref)) return compileTokenizer(`inline#${++this.inline}`, ref, key, this.opts);
    throw err(key, `expected a tokenizer name or definition but got [${show(ref)}]`);
  }

  charFilter(ref: unknown, key: string): CharFilterDef {
    if (typeof ref === "string") {
      const custom = this.custom?.char_filter.get(ref);
      if (custom) {
        this.custom?.used.char_filter.add(ref);
        return custom;
      }
      if (BUILTIN_CHAR_FILTERS.includes(ref)) {
        return this.builtin(`char_filter:${ref}`, () =>
          compileCharFilter(ref, { type: ref }, key, this.opts),
        );
      }
      throw this.unknown("char_filter", ref, key, BUILTIN_CHAR_FILTERS);
    }
    if (isObject(ref)) return compileCharFilter(`inline#${++this.inline}`, ref, key, this.opts);
    throw err(key, `expected a char_filter name or definition but got [${show(ref)}]`);
  }

  filter(ref: unknown, key: string): FilterDef {
    if (typeof ref === "string") {
      const custom = this.custom?.filter.get(ref);
      if (custom) {
        this.custom?.used.filter.add(ref);
        return custom;
      }
      if (BUILTIN_FILTERS.includes(ref))
        return this.builtin(`filter:${ref}`, () => compileFilter(ref, { type: ref }, key, this.opts));
      throw this.unknown("filter", ref, key, BUILTIN_FILTERS);
    }
    if (isObject(ref)) return compileFilter(`inline#${++this.inline}`, ref, key, this.opts);
    throw err(key, `expected a filter name or definition but got [${show(ref)}]`);
  }

  private builtin<T extends TokenizerDef | CharFilterDef | FilterDef>(id: string, make: () => T): T {
    let def = this.builtins.get(id);
    if (!def) {
      def = make();
      this.builtins.set(id, def);
    }
    return def as T;
  }
}

function typeOf(
  kind: Kind,
  name: string,
  raw: Record<string, unknown>,
  key: string,
  known: Record<string, unknown>,
  opts: AnalysisOptions,
): string {
  const type = raw.type;
  if (type === undefined || type === null) {
    if (kind === "filter" && (raw.synonyms !== undefined || raw.synonyms_path !== undefined)) {
      opts.warn(`${key} has no type; treated as synonym_graph because it defines synonyms`);
      return "synonym_graph";
    }
    if (kind === "char_filter" && (raw.mappings !== undefined || raw.mappings_path !== undefined)) {
      opts.warn(`${key} has no type; treated as mapping because it defines mappings`);
      return "mapping";
    }
    throw err(
      `${key}.type`,
      `${kind} [${name}] has no type; known types: [${Object.keys(known).join(", ")}]`,
    );
  }
  if (typeof type !== "string") throw err(`${key}.type`, `expected a string but got [${show(type)}]`);
  if (!(type in known)) {
    throw err(
      `${key}.type`,
      `unknown ${kind} type [${type}]${didYouMean(type, Object.keys(known))}; known types: [${Object.keys(known).join(", ")}]`,
    );
  }
  return type;
}

function compileTokenizer(
  name: string,
  raw: Record<string, unknown>,
  key: string,
  opts: AnalysisOptions,
): TokenizerDef {
  const type = typeOf("tokenizer", name, raw, key, TOKENIZER_TYPES, opts);
  const p = new Params(key, raw, `tokenizer type [${type}]`);
  const tokenize = (TOKENIZER_TYPES[type] as TokenizerFactory)(p, makeEnv(opts, name));
  p.warnUnknown(opts.warn);
  return { id: name, tokenize };
}

function compileCharFilter(
  name: string,
  raw: Record<string, unknown>,
  key: string,
  opts: AnalysisOptions,
): CharFilterDef {
  const type = typeOf("char_filter", name, raw, key, CHAR_FILTER_TYPES, opts);
  const p = new Params(key, raw, `char_filter type [${type}]`);
  const made = (CHAR_FILTER_TYPES[type] as CharFilterFactory)(p, makeEnv(opts, name));
  p.warnUnknown(opts.warn);
  return { id: name, ...made };
}

function compileFilter(
  name: string,
  raw: Record<string, unknown>,
  key: string,
  opts: AnalysisOptions,
): FilterDef {
  const type = typeOf("filter", name, raw, key, FILTER_TYPES, opts);
  const p = new Params(key, raw, `filter type [${type}]`);
  const made = (FILTER_TYPES[type] as FilterFactory)(p, makeEnv(opts, name));
  p.warnUnknown(opts.warn);
  const def = typeof made === "function" ? simpleFilter(name, type, made) : made;
  return { ...def, id: name, type };
}

// ---------------------------------------------------------------------------------------------------------
// The registry

const SECTIONS = ["analyzer", "tokenizer", "filter", "char_filter", "normalizer"];
const NORMALIZING_FILTER_TYPES = new Set(["lowercase", "uppercase", "asciifolding", "trim"]);

class Registry implements AnalysisRegistry {
  private readonly custom: Custom = {
    tokenizer: new Map(),
    char_filter: new Map(),
    filter: new Map(),
    used: { tokenizer: new Set(), char_filter: new Set(), filter: new Set() },
  };
  private readonly analyzers = new Map<string, RegistryAnalyzer>();
  private readonly normalizers = new Map<string, RegistryAnalyzer>();
  private readonly resolver: Resolver;

  constructor(
    analysis: unknown,
    private readonly opts: AnalysisOptions,
  ) {
    this.resolver = new Resolver(opts, this.custom);
    const settings = analysis === undefined || analysis === null ? {} : analysis;
    if (!isObject(settings)) throw err("index.analysis", `expected an object but got [${show(settings)}]`);
    for (const key of Object.keys(settings)) {
      if (!SECTIONS.includes(key)) {
        opts.warn(
          `index.analysis.${key} is not an analysis section${didYouMean(key, SECTIONS)}; known: [${SECTIONS.join(", ")}]; ignored`,
        );
      }
    }
    const section = (name: string): [string, Record<string, unknown>, string][] => {
      const value = settings[name];
      if (value === undefined || value === null) return [];
      if (!isObject(value))
        throw err(
          `index.analysis.${name}`,
          `expected an object of named definitions but got [${show(value)}]`,
        );
      return Object.entries(value).map(([n, def]) => {
        const key = `index.analysis.${name}.${n}`;
        if (!isObject(def)) throw err(key, `expected a definition object but got [${show(def)}]`);
        return [n, def, key];
      });
    };
    for (const [n, def, key] of section("tokenizer"))
      this.custom.tokenizer.set(n, compileTokenizer(n, def, key, opts));
    for (const [n, def, key] of section("char_filter"))
      this.custom.char_filter.set(n, compileCharFilter(n, def, key, opts));
    for (const [n, def, key] of section("filter"))
      this.custom.filter.set(n, compileFilter(n, def, key, opts));
    for (const [n, def, key] of section("analyzer")) {
      if (n.startsWith("_")) throw err(key, `analyzer name must not start with '_'`);
      this.analyzers.set(n, this.compileAnalyzer(n, def, key));
    }
    for (const [n, def, key] of section("normalizer"))
      this.normalizers.set(n, this.compileNormalizer(n, def, key));

    // Orphan synonym filters get applied at search time; check their rules now, with a standard chain.
    for (const name of this.orphanSynonymFilters()) {
      const def = this.custom.filter.get(name) as FilterDef;
      def.create({
        id: "orphan-check",
        describe: "tokenizer [standard], filter [lowercase]",
        analyzer: "",
        charFilters: [],
        tokenizer: standardTokenizer(255),
        filters: [lowercaseFilter],
      });
    }
    for (const kind of ["tokenizer", "char_filter", "filter"] as Kind[]) {
      for (const name of this.custom[kind].keys()) {
        if (this.custom.used[kind].has(name)) continue;
        if (kind === "filter" && this.custom.filter.get(name)?.isSynonym) continue; // see orphanSynonymFilters
        opts.warn(`index.analysis.${kind}.${name} is defined but not used by any analyzer`);
      }
    }
  }

  private compileAnalyzer(name: string, raw: Record<string, unknown>, key: string): RegistryAnalyzer {
    const type = raw.type ?? (raw.tokenizer !== undefined ? "custom" : undefined);
    if (type === undefined) {
      throw err(
        `${key}.tokenizer`,
        `analyzer [${name}] must specify either an analyzer type, or a tokenizer`,
      );
    }
    if (typeof type !== "string") throw err(`${key}.type`, `expected a string but got [${show(type)}]`);
    if (type === "custom") {
      const p = new Params(key, raw, "a custom analyzer");
      p.ignore("tokenizer", "filter", "char_filter");
      if (raw.tokenizer === undefined || raw.tokenizer === null) {
        throw err(`${key}.tokenizer`, `custom analyzer [${name}] must specify a tokenizer`);
      }
      const gap = p.int("position_increment_gap", 100, 0);
      const charFilters = toList(raw.char_filter, `${key}.char_filter`).map((ref, i) =>
        this.resolver.charFilter(ref, `${key}.char_filter[${i}]`),
      );
      const tokenizer = this.resolver.tokenizer(raw.tokenizer, `${key}.tokenizer`);
      const filters = toList(raw.filter, `${key}.filter`).map((ref, i) => ({
        def: this.resolver.filter(ref, `${key}.filter[${i}]`),
        key: `${key}.filter[${i}]`,
      }));
      p.warnUnknown(this.opts.warn);
      return assemble(name, charFilters, tokenizer, filters, gap);
    }
    const factory = ANALYZER_TYPES[type];
    if (!factory) {
      const known = ["custom", ...BUILTIN_ANALYZERS];
      throw err(
        `${key}.type`,
        `unknown analyzer type [${type}]${didYouMean(type, known)}; known types: [${known.join(", ")}]`,
      );
    }
    const p = new Params(key, raw, `analyzer type [${type}]`);
    const gap = p.int("position_increment_gap", 100, 0);
    const analyzer = factory(p, this.resolver, name);
    p.warnUnknown(this.opts.warn);
    return { ...analyzer, positionIncrementGap: gap };
  }

  private compileNormalizer(name: string, raw: Record<string, unknown>, key: string): RegistryAnalyzer {
    if (raw.type !== undefined && raw.type !== "custom") {
      throw err(`${key}.type`, `unknown normalizer type [${show(raw.type)}]; known types: [custom]`);
    }
    if (raw.tokenizer !== undefined)
      throw err(`${key}.tokenizer`, `custom normalizer [${name}] cannot configure a tokenizer`);
    const p = new Params(key, raw, "a custom normalizer");
    p.ignore("filter", "char_filter");
    const charFilters = toList(raw.char_filter, `${key}.char_filter`).map((ref, i) => {
      const def = this.resolver.charFilter(ref, `${key}.char_filter[${i}]`);
      if (!def.normalizing) {
        throw err(
          `${key}.char_filter[${i}]`,
          `custom normalizer [${name}] may not use char filter [${show(ref)}]`,
        );
      }
      return def;
    });
    const filters = toList(raw.filter, `${key}.filter`).map((ref, i) => {
      const def = this.resolver.filter(ref, `${key}.filter[${i}]`);
      if (!def.normalizing && !NORMALIZING_FILTER_TYPES.has(def.type)) {
        throw err(
          `${key}.filter[${i}]`,
          `custom normalizer [${name}] may not use filter [${show(ref)}]; normalizers accept: [${[...NORMALIZING_FILTER_TYPES].join(", ")}]`,
        );
      }
      return { def, key: `${key}.filter[${i}]` };
    });
    p.warnUnknown(this.opts.warn);
    return assemble(name, charFilters, tokenizerDef("keyword", keywordTokenizer), filters, 100);
  }

  /** A resolver over this index's definitions, for `_analyze` (usage is not recorded). */
  resolverFor(opts: AnalysisOptions): Resolver {
    const custom: Custom = {
      ...this.custom,
      used: { tokenizer: new Set(), char_filter: new Set(), filter: new Set() },
    };
    return new Resolver(opts, custom);
  }

  get(name: string): Analyzer | undefined {
    return this.analyzers.get(name) ?? builtinAnalyzer(name, this.resolver);
  }

  names(): string[] {
    return [...new Set([...BUILTIN_ANALYZERS, ...this.analyzers.keys()])];
  }

  /** Normalizer by name: the index's custom ones and the built-in `lowercase`. */
  getNormalizer(name: string): Analyzer | undefined {
    const custom = this.normalizers.get(name);
    if (custom) return custom;
    if (name !== "lowercase") return undefined;
    return assemble(
      "lowercase",
      [],
      tokenizerDef("keyword", keywordTokenizer),
      [{ def: simpleFilter("lowercase", "lowercase", lowercaseFilter, true), key: "" }],
      100,
    );
  }

  normalizerNames(): string[] {
    return [...new Set(["lowercase", ...this.normalizers.keys()])];
  }

  updateableFilters(): string[] {
    return [...this.custom.filter.values()].filter((f) => f.updateable).map((f) => f.id);
  }

  orphanSynonymFilters(): string[] {
    return [...this.custom.filter.values()]
      .filter((f) => f.isSynonym && !this.custom.used.filter.has(f.id))
      .map((f) => f.id);
  }
}
