/**
 * Date formats (a date field's mapping `format`, a request's `format`): printing with the first `||`
 * alternative and parsing with any of them — named ES formats, java.time patterns, epoch_millis and
 * epoch_second.
 */

import { HOUR, MINUTE, SECOND } from "./calendar.ts";
import type { DateErrors } from "./errors.ts";
import { DAYS, type FmtToken, MONTHS, NAMED_FORMATS, printTokens, tokenizePattern } from "./pattern.ts";
import type { Zone } from "./zone.ts";

export const DEFAULT_DATE_FORMAT = "strict_date_optional_time||epoch_millis";

/** Named formats parsed leniently as ISO 8601 (see isIsoFormat). */
const ISO_FORMATS = new Set([
  "strict_date_optional_time",
  "date_optional_time",
  "strict_date_optional_time_nanos",
  "strict_date_time",
  "date_time",
  "strict_date_time_no_millis",
  "date_time_no_millis",
  "strict_date",
  "date",
  "iso8601",
]);

/** Whether a named format (one `||` alternative) parses as lenient ISO 8601 rather than by its pattern. */
export function isIsoFormat(name: string): boolean {
  return ISO_FORMATS.has(name);
}

export interface DateFormat {
  print(utc: number, zone: Zone): string;
  /** Parses with one of the `||` alternatives; undefined when none matches. */
  parse(text: string, zone: Zone): number | undefined;
}

type Parser = (text: string, zone: Zone) => number | undefined;

const dateFormatCache = new Map<string, DateFormat>();

/** Compiles (and caches) a `||`-separated format; an unknown pattern letter throws through `errors`. */
export function compileDateFormat(pattern: string, errors: DateErrors): DateFormat {
  const cached = dateFormatCache.get(pattern);
  if (cached) return cached;
  const alternatives = pattern
    .split("||")
    .map((p) => p.trim())
    .filter((p) => p !== "");
  if (alternatives.length === 0) throw errors(`Invalid format: [${pattern}]`);
  const parsers: Parser[] = [];
  let printer: ((utc: number, zone: Zone) => string) | undefined;
  for (const alt of alternatives) {
    if (alt === "epoch_millis" || alt === "epoch_second") {
      const scale = alt === "epoch_millis" ? 1 : SECOND;
      printer ??= (utc) => (scale === 1 ? String(utc) : String(utc / SECOND));
      parsers.push((text) => (/^-?\d+(?:\.\d+)?$/.test(text) ? Number(text) * scale : undefined));
      continue;
    }
    const tokens = tokenizePattern(NAMED_FORMATS[alt] ?? alt, errors);
    printer ??= (utc, zone) => printTokens(tokens, utc, zone);
    parsers.push(ISO_FORMATS.has(alt) ? parseIso : patternParser(tokens));
  }
  const format: DateFormat = {
    print: printer ?? ((utc) => String(utc)),
    parse: (text, zone) => {
      for (const p of parsers) {
        const v = p(text, zone);
        if (v !== undefined) return v;
      }
      return undefined;
    },
  };
  dateFormatCache.set(pattern, format);
  return format;
}

// ---------------------------------------------------------------------------------------------
// ISO 8601

const ISO_RE =
  /^([+-]\d{4,9}|\d{4})(?:-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export function parseIso(text: string, zone: Zone): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [, y = "0", mo = "1", d = "1", h = "0", mi = "0", s = "0", frac = "0", off] = m;
  const local = localMillis(
    Number(y),
    Number(mo),
    Number(d),
    Number(h),
    Number(mi),
    Number(s),
    Number(frac.padEnd(3, "0").slice(0, 3)),
  );
  return toInstant(local, off === undefined ? undefined : parseOffsetText(off), zone);
}

function localMillis(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): number | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  if (date.getUTCDate() !== d && h < 24) return undefined;
  return date.getTime();
}

/** The instant of a parsed local time: at its explicit offset if the text had one, else in `zone`. */
function toInstant(local: number | undefined, offset: number | undefined, zone: Zone): number | undefined {
  if (local === undefined) return undefined;
  return offset === undefined ? zone.toUtc(local) : local - offset;
}

function parseOffsetText(s: string): number {
  if (s === "Z" || s === "z") return 0;
  const sign = s.startsWith("-") ? -1 : 1;
  const digits = s.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * HOUR + Number(digits.slice(2, 4) || "0") * MINUTE);
}

// ---------------------------------------------------------------------------------------------
// java.time patterns

/** Escapes text for use as a literal inside a RegExp. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A RegExp matching text printed with `tokens`, and which field each capture group holds. */
function tokensRegex(tokens: readonly FmtToken[]): { re: RegExp; fields: string[] } {
  let src = "";
  const fields: string[] = [];
  const field = (re: string, name: string) => {
    src += re;
    fields.push(name);
  };
  for (const t of tokens) {
    if ("lit" in t) {
      src += escapeRegex(t.lit);
      continue;
    }
    const { letter, count } = t;
    const num = (min: number, max: number) =>
      `(\\d{${count >= 2 ? Math.max(count, min) : min},${Math.max(count, max)}})`;
    switch (letter) {
      case "y":
      case "u":
      case "Y":
        field(count === 2 ? "(\\d{2})" : "([+-]?\\d{1,9})", count === 2 ? "yy" : "y");
        break;
      case "M":
      case "L":
        if (count >= 3) field(`(${MONTHS.map((m) => (count === 3 ? m.slice(0, 3) : m)).join("|")})`, "MMM");
        else field(num(1, 2), "M");
        break;
      case "d":
      case "H":
      case "h":
      case "k":
      case "K":
      case "m":
      case "s":
        field(num(1, 2), letter);
        break;
      case "S":
        field("(\\d{1,9})", "S");
        break;
      case "a":
        field("(AM|PM|am|pm)", "a");
        break;
      case "E":
        field(`(${DAYS.map((d) => (count >= 4 ? d : d.slice(0, 3))).join("|")})`, "E");
        break;
      case "X":
      case "x":
      case "Z":
        field("(Z|[+-]\\d{2}(?::?\\d{2})?)", "Z");
        break;
      default:
        field("(\\S+?)", "?");
    }
  }
  return { re: new RegExp(`^${src}$`, "i"), fields };
}

/** Parses text in a java.time pattern; fields the pattern lacks default to 1970-01-01T00:00:00. */
function patternParser(tokens: readonly FmtToken[]): Parser {
  const { re, fields } = tokensRegex(tokens);
  return (text, zone) => {
    const m = re.exec(text);
    if (!m) return undefined;
    let y = 1970;
    let mo = 1;
    let d = 1;
    let h = 0;
    let mi = 0;
    let s = 0;
    let ms = 0;
    let pm: boolean | undefined;
    let off: number | undefined;
    fields.forEach((f, i) => {
      const v = m[i + 1] as string;
      switch (f) {
        case "y":
          y = Number(v);
          break;
        case "yy":
          y = 2000 + Number(v);
          break;
        case "M":
          mo = Number(v);
          break;
        case "MMM":
          mo = MONTHS.findIndex((n) => n.toLowerCase().startsWith(v.toLowerCase())) + 1;
          break;
        case "d":
          d = Number(v);
          break;
        case "H":
        case "k":
          h = Number(v) % 24;
          break;
        case "h":
        case "K":
          h = Number(v) % 12;
          break;
        case "m":
          mi = Number(v);
          break;
        case "s":
          s = Number(v);
          break;
        case "S":
          ms = Number(v.padEnd(3, "0").slice(0, 3));
          break;
        case "a":
          pm = v.toUpperCase() === "PM";
          break;
        case "Z":
          off = parseOffsetText(v);
          break;
      }
    });
    if (pm) h += 12;
    return toInstant(localMillis(y, mo, d, h, mi, s, ms), off, zone);
  };
}
