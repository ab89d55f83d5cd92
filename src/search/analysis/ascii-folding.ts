import type { Token, TokenFilter } from "./types.ts";

/**
 * Lucene's ASCIIFoldingFilter: folds Latin letters, digits and punctuation that have an ASCII
 * equivalent ("é" → "e", "ß" → "ss", "①" → "1", "“" → "\"") and leaves everything else (Greek,
 * Cyrillic, CJK …) untouched.
 *
 * Lucene uses a hand-written table; this uses Unicode decomposition (NFD, and NFKD for ligatures,
 * full-width forms, super/subscripts and enclosed alphanumerics) plus a table for the letters that
 * do not decompose (ß, æ, ø, œ, đ, ł, þ, ı …), keeping a replacement only when it is pure ASCII.
 */

const SPECIAL: Record<string, string> = {
  Æ: "AE",
  æ: "ae",
  Ð: "D",
  ð: "d",
  Ø: "O",
  ø: "o",
  Þ: "TH",
  þ: "th",
  ß: "ss",
  ẞ: "SS",
  Đ: "D",
  đ: "d",
  Ħ: "H",
  ħ: "h",
  ı: "i",
  Ĳ: "IJ",
  ĳ: "ij",
  ĸ: "q",
  Ŀ: "L",
  ŀ: "l",
  Ł: "L",
  ł: "l",
  ŉ: "'n",
  Ŋ: "N",
  ŋ: "n",
  Œ: "OE",
  œ: "oe",
  Ŧ: "T",
  ŧ: "t",
  ſ: "s",
  ƀ: "b",
  Ɓ: "B",
  Ƃ: "B",
  ƃ: "b",
  Ɔ: "O",
  Ƈ: "C",
  ƈ: "c",
  Ɖ: "D",
  Ɗ: "D",
  Ƌ: "D",
  ƌ: "d",
  Ǝ: "E",
  Ə: "A",
  Ɛ: "E",
  Ƒ: "F",
  ƒ: "f",
  Ɠ: "G",
  ƕ: "hv",
  Ɩ: "I",
  Ɨ: "I",
  Ƙ: "K",
  ƙ: "k",
  ƚ: "l",
  Ɯ: "M",
  Ɲ: "N",
  ƞ: "n",
  Ɵ: "O",
  Ƣ: "OI",
  ƣ: "oi",
  Ƥ: "P",
  ƥ: "p",
  ƫ: "t",
  Ƭ: "T",
  ƭ: "t",
  Ʈ: "T",
  Ʋ: "V",
  Ƴ: "Y",
  ƴ: "y",
  Ƶ: "Z",
  ƶ: "z",
  ǝ: "e",
  Ǥ: "G",
  ǥ: "g",
  Ƿ: "W",
  Ƞ: "N",
  ȡ: "d",
  Ȣ: "OU",
  ȣ: "ou",
  Ȥ: "Z",
  ȥ: "z",
  ȴ: "l",
  ȵ: "n",
  ȶ: "t",
  ȷ: "j",
  ȸ: "db",
  ȹ: "qp",
  Ⱥ: "A",
  Ȼ: "C",
  ȼ: "c",
  Ƚ: "L",
  Ⱦ: "T",
  ȿ: "s",
  ɀ: "z",
  Ƀ: "B",
  Ʉ: "U",
  Ɇ: "E",
  ɇ: "e",
  Ɉ: "J",
  ɉ: "j",
  Ɋ: "Q",
  ɋ: "q",
  Ɍ: "R",
  ɍ: "r",
  Ɏ: "Y",
  ɏ: "y",
  ɐ: "a",
  ɑ: "a",
  ɓ: "b",
  ɔ: "o",
  ɕ: "c",
  ɖ: "d",
  ɗ: "d",
  ɘ: "e",
  ə: "a",
  ɚ: "a",
  ɛ: "e",
  ɜ: "e",
  ɝ: "e",
  ɞ: "e",
  ɟ: "j",
  ɠ: "g",
  ɡ: "g",
  ɢ: "G",
  ɥ: "h",
  ɦ: "h",
  ɨ: "i",
  ɪ: "I",
  ɫ: "l",
  ɬ: "l",
  ɭ: "l",
  ɯ: "m",
  ɰ: "m",
  ɱ: "m",
  ɲ: "n",
  ɳ: "n",
  ɴ: "N",
  ɵ: "o",
  ɶ: "OE",
  ɼ: "r",
  ɽ: "r",
  ɾ: "r",
  ɿ: "r",
  ʀ: "R",
  ʁ: "R",
  ʂ: "s",
  ʄ: "j",
  ʇ: "t",
  ʈ: "t",
  ʉ: "u",
  ʋ: "v",
  ʌ: "v",
  ʍ: "w",
  ʎ: "y",
  ʏ: "Y",
  ʐ: "z",
  ʑ: "z",
  ʗ: "C",
  ʙ: "B",
  ʚ: "e",
  ʛ: "G",
  ʜ: "H",
  ʝ: "j",
  ʞ: "k",
  ʟ: "L",
  ʠ: "q",
  ʣ: "dz",
  ʥ: "dz",
  ʦ: "ts",
  ʨ: "tc",
  ʪ: "ls",
  ʫ: "lz",
  ʮ: "h",
  ʯ: "h",
  ᴀ: "A",
  ᴁ: "AE",
  ᴂ: "ae",
  ᴃ: "B",
  ᴄ: "C",
  ᴅ: "D",
  ᴆ: "D",
  ᴇ: "E",
  ᴈ: "e",
  ᴉ: "i",
  ᴊ: "J",
  ᴋ: "K",
  ᴌ: "L",
  ᴍ: "M",
  ᴎ: "N",
  ᴏ: "O",
  ᴐ: "O",
  ᴔ: "oe",
  ᴕ: "OU",
  ᴘ: "P",
  ᴙ: "R",
  ᴚ: "R",
  ᴛ: "T",
  ᴜ: "U",
  ᴠ: "V",
  ᴡ: "W",
  ᴢ: "Z",
  ᵫ: "ue",
  ᵬ: "b",
  ᵭ: "d",
  ᵮ: "f",
  ᵯ: "m",
  ᵰ: "n",
  ᵱ: "p",
  ᵲ: "r",
  ᵳ: "r",
  ᵴ: "s",
  ᵵ: "t",
  ᵶ: "z",
  ᵻ: "I",
  ᵽ: "p",
  ᵾ: "U",
  ᶀ: "b",
  ᶁ: "d",
  ᶂ: "f",
  ᶃ: "g",
  ᶄ: "k",
  ᶅ: "l",
  ᶆ: "m",
  ᶇ: "n",
  ᶈ: "p",
  ᶉ: "r",
  ᶊ: "s",
  ᶌ: "v",
  ᶍ: "x",
  ᶎ: "z",
  ᶏ: "a",
  ᶑ: "d",
  ᶒ: "e",
  ᶓ: "e",
  ᶔ: "e",
  ᶕ: "a",
  ᶖ: "i",
  ᶙ: "u",
  ẜ: "s",
  ẝ: "s",
  Ỻ: "LL",
  ỻ: "ll",
  Ỽ: "V",
  ỽ: "v",
  Ỿ: "Y",
  ỿ: "y",
  Ꜩ: "TZ",
  ꜩ: "tz",
  Ꜳ: "AA",
  ꜳ: "aa",
  Ꜵ: "AO",
  ꜵ: "ao",
  Ꜷ: "AU",
  ꜷ: "au",
  Ꜹ: "AV",
  ꜹ: "av",
  Ꜻ: "AV",
  ꜻ: "av",
  Ꜽ: "AY",
  ꜽ: "ay",
  Ꝏ: "OO",
  ꝏ: "oo",
  Ꝡ: "VY",
  ꝡ: "vy",
  Ᵹ: "G",
  ꝺ: "d",
  ꝼ: "f",
  // Punctuation and symbols Lucene folds.
  "«": '"',
  "»": '"',
  "“": '"',
  "”": '"',
  "„": '"',
  "‟": '"',
  "″": '"',
  "‶": '"',
  "❝": '"',
  "❞": '"',
  "❮": '"',
  "❯": '"',
  "‘": "'",
  "’": "'",
  "‚": "'",
  "‛": "'",
  "′": "'",
  "‵": "'",
  "‹": "'",
  "›": "'",
  "❛": "'",
  "❜": "'",
  "‐": "-",
  "‑": "-",
  "‒": "-",
  "–": "-",
  "—": "-",
  "⁻": "-",
  "₋": "-",
  "−": "-",
  "⁅": "[",
  "❲": "[",
  "⁆": "]",
  "❳": "]",
  "❨": "(",
  "❪": "(",
  "❩": ")",
  "❫": ")",
  "❬": "<",
  "❰": "<",
  "❭": ">",
  "❱": ">",
  "❴": "{",
  "❵": "}",
  "⁒": "%",
  "⁎": "*",
  "⁄": "/",
  "⁏": ";",
  "‸": "^",
  "⁓": "~",
  "‼": "!!",
  "⁉": "!?",
  "⁇": "??",
  "⁈": "?!",
  "⓿": "0",
};

// Dingbat and double-circled digits: NFKD leaves them alone but Lucene folds them.
for (let i = 0; i < 10; i++) {
  const digit = String(i + 1);
  SPECIAL[String.fromCharCode(0x2776 + i)] = digit; // ❶
  SPECIAL[String.fromCharCode(0x2780 + i)] = digit; // ➀
  SPECIAL[String.fromCharCode(0x278a + i)] = digit; // ➊
  SPECIAL[String.fromCharCode(0x24f5 + i)] = digit; // ⓵
  SPECIAL[String.fromCharCode(0x24eb + i)] = String(i + 11); // ⓫
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}
const COMBINING = /\p{M}/gu;
/** Ranges where compatibility decomposition is what Lucene's table does. */
const COMPAT_RANGES: [number, number][] = [
  [0x00aa, 0x00aa], // ª
  [0x00b2, 0x00b3], // ² ³
  [0x00b9, 0x00ba], // ¹ º
  [0x01c4, 0x01cc], // Ǆ … ǌ
  [0x01f1, 0x01f3], // Ǳ ǲ ǳ
  [0x1d2c, 0x1d6a], // modifier letters
  [0x2070, 0x209f], // super/subscripts
  [0x2460, 0x24ff], // enclosed alphanumerics
  [0xfb00, 0xfb06], // ﬀ ﬁ ﬂ ﬃ ﬄ ﬅ ﬆ
  [0xff01, 0xff5e], // full-width ASCII
];

function inCompatRange(cp: number): boolean {
  for (const [lo, hi] of COMPAT_RANGES) if (cp >= lo && cp <= hi) return true;
  return false;
}

const cache = new Map<string, string>();

/** The ASCII folding of one code point, or the code point itself when it has none. */
function foldChar(ch: string): string {
  const special = SPECIAL[ch];
  if (special !== undefined) return special;
  const cached = cache.get(ch);
  if (cached !== undefined) return cached;
  const cp = ch.codePointAt(0) ?? 0;
  const decomposed = (inCompatRange(cp) ? ch.normalize("NFKD") : ch.normalize("NFD")).replace(COMBINING, "");
  let out = "";
  for (const c of decomposed) out += SPECIAL[c] ?? c;
  const result = out.length > 0 && isAscii(out) ? out : ch;
  if (cache.size < 10_000) cache.set(ch, result);
  return result;
}

/** Folds a string to ASCII as far as Lucene's ASCIIFoldingFilter would. */
export function foldToAscii(text: string): string {
  if (isAscii(text)) return text;
  let out = "";
  for (const ch of text) out += ch.charCodeAt(0) < 0x80 ? ch : foldChar(ch);
  return out;
}

export interface AsciiFoldingOptions {
  /** Also keep the unfolded token, at the same position, after the folded one (Lucene's order). */
  preserveOriginal?: boolean;
}

export function asciiFoldingFilter(opts: AsciiFoldingOptions = {}): TokenFilter {
  const preserve = opts.preserveOriginal === true;
  return (tokens: Token[]): Token[] => {
    const out: Token[] = [];
    for (const token of tokens) {
      const folded = foldToAscii(token.term);
      if (folded === token.term) {
        out.push(token);
        continue;
      }
      out.push({ ...token, term: folded });
      if (preserve) out.push(token);
    }
    return out;
  };
}
