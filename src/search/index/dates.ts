/**
 * Dates of `date` fields, term and range queries and decay origins, read with the field's mapping
 * `format` through the engine's date library (src/search/dates/), so that any format aggregations
 * accept works here too. Dates are epoch milliseconds, in UTC; these functions return undefined for
 * a value they cannot read and leave the error to the caller (mapper_parsing, parse_exception …).
 */
import { SECOND } from "../dates/calendar.ts";
import {
  compileDateFormat,
  type DateFormat,
  DEFAULT_DATE_FORMAT,
  isIsoFormat,
  parseIso,
} from "../dates/format.ts";
import { applyDateMath, splitDateMath } from "../dates/math.ts";
import { UTC } from "../dates/zone.ts";

/** JavaScript's date range (±100,000,000 days); date math has no calendar beyond it. */
const MAX_DATE = 8.64e15;

const invalidFormat = (message: string) => new Error(message);

/** One `||` alternative, or undefined if it does not compile: a bad alternative matches nothing. */
function compileAlternative(name: string): DateFormat | undefined {
  try {
    return compileDateFormat(name, invalidFormat);
  } catch {
    return undefined;
  }
}

/** Text that is a signed number: "-1000", "+12.5". */
const SIGNED_NUMBER = /^[+-]\d+(?:\.\d+)?$/;

/** Epoch millis for a value in one of the `||`-separated formats, or undefined. */
export function parseDate(value: unknown, format = DEFAULT_DATE_FORMAT): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  // A JSON number, or a signed number in text, is only ever epoch millis or seconds here: the
  // patterns would read "-1000" as a signed year, which this engine never did.
  const epochOnly = typeof value === "string" && SIGNED_NUMBER.test(value);
  for (const alt of format.split("||")) {
    const name = alt.trim();
    if (typeof value === "number") {
      if (!Number.isFinite(value)) return undefined;
      if (name === "epoch_millis") return value;
      if (name === "epoch_second") return value * SECOND;
      continue;
    }
    if (epochOnly && name !== "epoch_millis" && name !== "epoch_second") continue;
    // ISO names go straight to the ISO parser: `iso8601` has no pattern to compile.
    const t = isIsoFormat(name) ? parseIso(value, UTC) : compileAlternative(name)?.parse(value, UTC);
    if (t !== undefined) return t;
  }
  return undefined;
}

/**
 * Date math for range queries: `now`, `now-1d/d`, `2024-01-01||+1M`. Rounding (`/d`) goes down, or
 * with `roundUp` to the unit's last millisecond, as ES rounds `lte` and `gt` bounds.
 */
export function parseDateMath(
  value: unknown,
  format: string | undefined,
  now = Date.now(),
  roundUp = false,
): number | undefined {
  if (typeof value !== "string" || !(value.startsWith("now") || value.includes("||")))
    return parseDate(value, format);
  const { anchor, math } = splitDateMath(value);
  const base = anchor === undefined ? now : parseDate(anchor, format);
  const t = base === undefined ? undefined : applyDateMath(base, math, UTC, roundUp);
  return t !== undefined && Math.abs(t) <= MAX_DATE ? t : undefined;
}
