/**
 * Java regular expressions (the `pattern` of pattern tokenizers, pattern_replace, keywords_pattern …)
 * translated to JavaScript ones: Java's flags, inline flags, POSIX and java* classes, \p{IsScript},
 * \Q…\E quoting, \h \A \z \R, possessive quantifiers and atomic groups (as their greedy / plain
 * equivalents). What has no equivalent is an error naming the settings key.
 */
import { type AnalysisSettingsError, lookup, settingsError } from "./settings-validation.ts";

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
const KNOWN_FLAGS =
  "CANON_EQ, CASE_INSENSITIVE, COMMENTS, DOTALL, LITERAL, MULTILINE, UNICODE_CASE, UNICODE_CHARACTER_CLASS, UNIX_LINES";
const HORIZONTAL_SPACE = "\\t \\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000";
const UNICODE_WORD = "\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}";

interface Mode {
  /** JavaScript flags (i, m, s). */
  flags: string;
  comments: boolean;
  literal: boolean;
  unicodeClasses: boolean;
}

type Fail = (message: string) => AnalysisSettingsError;

/** Java's `flags` setting: CASE_INSENSITIVE|COMMENTS … */
function parseFlags(flagsSetting: string | undefined, key: string): Mode {
  const mode: Mode = { flags: "", comments: false, literal: false, unicodeClasses: false };
  for (const f of (flagsSetting ?? "")
    .split("|")
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (f === "CASE_INSENSITIVE") mode.flags += "i";
    else if (f === "MULTILINE") mode.flags += "m";
    else if (f === "DOTALL") mode.flags += "s";
    else if (f === "COMMENTS") mode.comments = true;
    else if (f === "LITERAL") mode.literal = true;
    else if (f === "UNICODE_CHARACTER_CLASS") mode.unicodeClasses = true;
    else if (f !== "UNICODE_CASE" && f !== "CANON_EQ" && f !== "UNIX_LINES") {
      throw settingsError(
        key.replace(/\.pattern$/, ".flags"),
        `unknown regex flag [${f}]; known: [${KNOWN_FLAGS}]`,
      );
    }
  }
  return mode;
}

/** Leading inline flags, (?i), (?is) …: added to `mode`; returns where the pattern proper starts. */
function inlineFlags(pattern: string, mode: Mode): number {
  let i = 0;
  for (let m = /^\(\?([imsxuU]+)\)/.exec(pattern); m; m = /^\(\?([imsxuU]+)\)/.exec(pattern.slice(i))) {
    for (const f of m[1] ?? "") {
      if (f === "i" || f === "m" || f === "s") mode.flags += f;
      else if (f === "x") mode.comments = true;
      else if (f === "U") mode.unicodeClasses = true;
    }
    i += m[0].length;
  }
  return i;
}

/** A character class body: as is inside [], wrapped outside. */
const classOf = (body: string, inClass: boolean, negate = false) =>
  inClass ? body : `[${negate ? "^" : ""}${body}]`;

/** \p{Name} / \P{Name} (or \pL) at `i`: the JavaScript equivalent and the escape's length. */
function translateProperty(pattern: string, i: number, inClass: boolean, fail: Fail): [string, number] {
  const n = pattern[i + 1];
  let name: string;
  let len: number;
  if (pattern[i + 2] === "{") {
    const close = pattern.indexOf("}", i + 2);
    if (close < 0) throw fail(`unclosed \\${n}{`);
    name = pattern.slice(i + 3, close);
    len = close + 1 - i;
  } else {
    name = pattern[i + 2] ?? "";
    len = 3;
  }
  const negate = n === "P";
  const posix = lookup(POSIX, name) ?? lookup(POSIX, name.replace(/^Is/, ""));
  if (posix !== undefined) {
    if (inClass && negate) throw fail(`\\P{${name}} inside [] is not supported`);
    return [classOf(posix, inClass, negate), len];
  }
  let js = lookup(JAVA_PROPS, name);
  if (js === undefined) {
    if (/^In/.test(name)) {
      throw fail(`Unicode blocks (\\p{${name}}) are not supported; use scripts (\\p{IsLatin})`);
    }
    const bare = name.replace(/^Is/, "");
    const m = /^(?:script|sc)=(.+)$/i.exec(bare);
    const g = /^(?:general_category|gc)=(.+)$/i.exec(bare);
    if (m) js = `\\p{Script=${m[1]}}`;
    else if (g) js = `\\p{gc=${g[1]}}`;
    else if (/^[A-Z][a-z&]?$/.test(bare)) js = `\\p{${bare.replace("&", "")}}`;
    else js = `\\p{Script=${bare}}`;
  }
  const single = js.startsWith("\\p{") && js.indexOf("\\p{", 1) < 0;
  if (negate) {
    if (single) js = js.replace("\\p{", "\\P{");
    else if (!inClass) js = `[^${js}]`;
    else throw fail(`\\P{${name}} inside [] is not supported`);
  } else if (!inClass && js.includes("\\p{") && js.indexOf("\\p{", 1) > 0) js = `[${js}]`;
  return [js, len];
}

/** The escape at `i` (a backslash): the JavaScript equivalent and the index after it. */
function translateEscape(
  pattern: string,
  i: number,
  inClass: boolean,
  mode: Mode,
  fail: Fail,
): [string, number] {
  const c = pattern[i] as string;
  const n = pattern[i + 1];
  if (n === undefined) throw fail("trailing backslash");
  if (n === "Q") {
    const end = pattern.indexOf("\\E", i + 2);
    const lit = pattern.slice(i + 2, end < 0 ? pattern.length : end);
    const escaped = lit.replace(inClass ? /[\\^$.*+?()[\]{}|/-]/g : /[\\^$.*+?()[\]{}|/]/g, "\\$&");
    return [escaped, end < 0 ? pattern.length : end + 2];
  }
  if (n === "p" || n === "P") {
    const [js, len] = translateProperty(pattern, i, inClass, fail);
    return [js, i + len];
  }
  if (n === "x" && pattern[i + 2] === "{") {
    const close = pattern.indexOf("}", i);
    return [`\\u{${pattern.slice(i + 3, close)}}`, close + 1];
  }
  if (n === "G" || n === "X") throw fail(`\\${n} is not supported`);
  const u = mode.unicodeClasses;
  let js: string;
  if (n === "h") js = classOf(HORIZONTAL_SPACE, inClass);
  else if (n === "A") js = "^";
  else if (n === "z" || n === "Z") js = "$";
  else if (n === "R") js = "(?:\\r\\n|[\\n\\v\\f\\r\\u0085\\u2028\\u2029])";
  else if (n === "e") js = "\\x1B";
  else if (n === "a") js = "\\x07";
  else if (u && n === "w") js = classOf(UNICODE_WORD, inClass);
  else if (u && n === "W") js = inClass ? "\\W" : `[^${UNICODE_WORD}]`;
  else if (u && n === "d") js = "\\p{Nd}";
  else if (u && n === "D") js = "\\P{Nd}";
  else if (n === "-") js = inClass ? "\\-" : "-";
  else if (/[a-zA-Z0-9]/.test(n) || REGEX_SYNTAX.has(n)) js = c + n;
  else js = `\\u{${(n.codePointAt(0) ?? 0).toString(16)}}`;
  return [js, i + 2];
}

/** The pattern's source in JavaScript syntax. */
function translate(pattern: string, mode: Mode, fail: Fail): string {
  if (mode.literal) return pattern.replace(/[\\^$.*+?()[\]{}|/]/g, "\\$&");
  let source = "";
  let i = inlineFlags(pattern, mode);
  let inClass = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (mode.comments && !inClass && /\s/.test(c)) {
      i++;
    } else if (mode.comments && !inClass && c === "#") {
      const nl = pattern.indexOf("\n", i);
      i = nl < 0 ? pattern.length : nl + 1;
    } else if (c === "\\") {
      const [js, next] = translateEscape(pattern, i, inClass > 0, mode, fail);
      source += js;
      i = next;
    } else if (c === "[") {
      if (inClass && pattern[i - 1] !== "\\") throw fail("nested character classes are not supported");
      inClass++;
      source += c;
      i++;
      if (pattern[i] === "^") {
        source += "^";
        i++;
      }
    } else if (c === "]" && inClass) {
      inClass--;
      source += c;
      i++;
    } else if (inClass && c === "&" && pattern[i + 1] === "&") {
      throw fail("class intersection (&&) is not supported");
    } else if (!inClass && (c === "*" || c === "+" || c === "?" || c === "}") && pattern[i + 1] === "+") {
      source += c; // possessive → greedy
      i += 2;
    } else if (!inClass && pattern.startsWith("(?>", i)) {
      source += "(?:"; // atomic → plain group
      i += 3;
    } else {
      source += c;
      i++;
    }
  }
  return source;
}

/** A Java regex (with its `flags` setting) as a JavaScript RegExp with `extraFlags`; errors name `key`. */
export function javaRegex(
  pattern: string,
  flagsSetting: string | undefined,
  key: string,
  extraFlags = "g",
): RegExp {
  const mode = parseFlags(flagsSetting, key);
  const fail: Fail = (message) => settingsError(key, `invalid pattern [${pattern}]: ${message}`);
  const source = translate(pattern, mode, fail);
  const all = [...new Set(`${mode.flags}${extraFlags}u`)].join("");
  try {
    return new RegExp(source, all);
  } catch (e) {
    try {
      // Without the u flag, for patterns that only JavaScript's Unicode mode rejects (e.g. \c).
      return new RegExp(source, all.replace("u", ""));
    } catch {
      throw fail((e as Error).message);
    }
  }
}
