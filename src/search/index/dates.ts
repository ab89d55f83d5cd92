/**
 * Date parsing for `date` fields and range queries: ES's default
 * `strict_date_optional_time||epoch_millis`, plus the common explicit formats.
 * Dates are epoch milliseconds everywhere inside the engine.
 */
const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [, y, mo = "1", d = "1", h = "0", mi = "0", sec = "0", frac = "0", zone] = m;
  const ms = Number(frac.padEnd(3, "0").slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), ms);
  const check = new Date(t);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return undefined;
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || "0");
    t -= sign * offset * 60_000;
  }
  return t;
}

const PATTERN_FORMATS: Record<string, RegExp> = {
  "yyyy-MM-dd HH:mm:ss": /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/,
  "yyyy/MM/dd HH:mm:ss": /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})$/,
  "yyyy/MM/dd": /^(\d{4})\/(\d{2})\/(\d{2})$/,
  "yyyy-MM-dd": /^(\d{4})-(\d{2})-(\d{2})$/,
  yyyyMMdd: /^(\d{4})(\d{2})(\d{2})$/,
  basic_date: /^(\d{4})(\d{2})(\d{2})$/,
  year: /^(\d{4})$/,
};

/** Epoch millis for a value in one of the `||`-separated formats, or undefined. */
export function parseDate(
  value: unknown,
  format = "strict_date_optional_time||epoch_millis",
): number | undefined {
  for (const f of format.split("||")) {
    const fmt = f.trim();
    if (fmt === "epoch_millis" || fmt === "epoch_second") {
      const n =
        typeof value === "number"
          ? value
          : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)
            ? Number(value)
            : Number.NaN;
      if (Number.isFinite(n)) return fmt === "epoch_second" ? n * 1000 : n;
      continue;
    }
    if (typeof value !== "string") continue;
    if (
      [
        "strict_date_optional_time",
        "date_optional_time",
        "strict_date_time",
        "date_time",
        "strict_date",
        "date",
        "iso8601",
      ].includes(fmt)
    ) {
      const t = parseIso(value);
      if (t !== undefined) return t;
      continue;
    }
    const re = PATTERN_FORMATS[fmt];
    const m = re?.exec(value);
    if (m) {
      const [y, mo = "1", d = "1", h = "0", mi = "0", s = "0"] = m.slice(1);
      return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    }
  }
  return undefined;
}

/** Date math for range queries: `now`, `now-1d/d`, `2024-01-01||+1M`. */
export function parseDateMath(
  value: unknown,
  format: string | undefined,
  now = Date.now(),
  roundUp = false,
): number | undefined {
  if (typeof value !== "string" || !(value.startsWith("now") || value.includes("||")))
    return parseDate(value, format);
  let base: number | undefined;
  let expr: string;
  if (value.startsWith("now")) {
    base = now;
    expr = value.slice(3);
  } else {
    const [anchor = "", rest = ""] = value.split("||");
    base = parseDate(anchor, format);
    expr = rest;
  }
  if (base === undefined) return undefined;
  const d = new Date(base);
  const re = /([+-]\d+|\/)([yMwdhHms])/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(expr))) {
    if (m.index !== consumed) return undefined;
    consumed = re.lastIndex;
    const [, op = "", unit = ""] = m;
    if (op === "/") roundDate(d, unit, roundUp);
    else addToDate(d, unit, Number(op));
  }
  return consumed === expr.length ? d.getTime() : undefined;
}

function addToDate(d: Date, unit: string, n: number): void {
  if (unit === "y") d.setUTCFullYear(d.getUTCFullYear() + n);
  else if (unit === "M") d.setUTCMonth(d.getUTCMonth() + n);
  else if (unit === "w") d.setUTCDate(d.getUTCDate() + 7 * n);
  else if (unit === "d") d.setUTCDate(d.getUTCDate() + n);
  else if (unit === "h" || unit === "H") d.setUTCHours(d.getUTCHours() + n);
  else if (unit === "m") d.setUTCMinutes(d.getUTCMinutes() + n);
  else if (unit === "s") d.setUTCSeconds(d.getUTCSeconds() + n);
}

function roundDate(d: Date, unit: string, up: boolean): void {
  const order = ["y", "M", "d", "h", "m", "s"];
  const u = unit === "H" ? "h" : unit === "w" ? "d" : unit;
  const idx = order.indexOf(u);
  if (idx <= 0) d.setUTCMonth(0);
  if (idx <= 1) d.setUTCDate(1);
  if (idx <= 2) d.setUTCHours(0);
  if (idx <= 3) d.setUTCMinutes(0);
  if (idx <= 4) d.setUTCSeconds(0);
  d.setUTCMilliseconds(0);
  if (unit === "w") d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (up) {
    addToDate(d, unit, 1);
    d.setTime(d.getTime() - 1);
  }
}
