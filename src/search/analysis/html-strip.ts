/**
 * The `html_strip` char filter: Lucene's HTMLStripCharFilter, closely enough. Tags, comments,
 * processing instructions, scripts and styles are removed, block-level tags become a newline, and
 * character entities are decoded; offsets still point into the HTML.
 */
import { MappedBuilder, type MappedCharFilter } from "./offset-map.ts";

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
  return Object.hasOwn(HTML_ENTITIES, body) ? HTML_ENTITIES[body] : undefined;
}

/** Lucene's HTMLStripCharFilter, closely enough: tags, comments, scripts and styles removed, block tags → newline, entities decoded. */
export function htmlStripCharFilter(escapedTags: Set<string>): MappedCharFilter {
  return (src) => {
    const b = new MappedBuilder(src);
    const lower = src.toLowerCase();
    /** The offset just after the next `close` at or after `from`, or the end of the text. */
    const until = (close: string, from: number) => {
      const end = src.indexOf(close, from);
      return end < 0 ? src.length : end + close.length;
    };
    let i = 0;
    while (i < src.length) {
      const ch = src[i];
      if (ch === "<") {
        if (src.startsWith("<!--", i)) {
          const stop = until("-->", i + 4);
          b.replace(i, stop, "");
          i = stop;
          continue;
        }
        if (src.startsWith("<![CDATA[", i)) {
          // The section's text stays; only the markup around it goes.
          const end = src.indexOf("]]>", i + 9);
          const stop = end < 0 ? src.length : end;
          b.replace(i, i + 9, "");
          b.replace(stop, Math.min(src.length, stop + 3), "");
          i = Math.min(src.length, stop + 3);
          continue;
        }
        if (src[i + 1] === "!" || src[i + 1] === "?") {
          const stop = until(">", i + 2);
          b.replace(i, stop, "");
          i = stop;
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
          let end = stop;
          if (!m[1] && (name === "script" || name === "style")) {
            const close = lower.indexOf(`</${name}`, stop);
            end = close < 0 ? src.length : until(">", close);
          }
          b.replace(i, end, HTML_BLOCK_TAGS.has(name) ? "\n" : "");
          i = end;
          continue;
        }
      } else if (ch === "&") {
        const m = /^&(#[xX][0-9a-fA-F]{1,6}|#\d{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});?/u.exec(
          src.slice(i, i + 40),
        );
        const decoded = m ? decodeEntity(m[1] ?? "") : undefined;
        if (m && decoded !== undefined && (m[0].endsWith(";") || /^#/.test(m[1] ?? ""))) {
          b.replace(i, i + m[0].length, decoded);
          i += m[0].length;
          continue;
        }
      }
      i++;
    }
    return b.build();
  };
}
