/** ES date math in request values: `now-1d/d`, `2020-01-01||+1M`, epoch numbers. */

import { addLocal, type CalUnit, floorLocal, SECOND } from "./calendar.ts";
import type { DateErrors } from "./errors.ts";
import { compileDateFormat, parseIso } from "./format.ts";
import type { Zone } from "./zone.ts";

const DATE_MATH_UNITS: Record<string, CalUnit> = {
  y: "year",
  M: "month",
  w: "week",
  d: "day",
  h: "hour",
  H: "hour",
  m: "minute",
  s: "second",
};

/** Splits date math into its anchor text (undefined for `now`) and the operations after it. */
export function splitDateMath(text: string): { anchor: string | undefined; math: string } {
  if (text.startsWith("now")) return { anchor: undefined, math: text.slice(3) };
  const sep = text.indexOf("||");
  return sep === -1 ? { anchor: text, math: "" } : { anchor: text.slice(0, sep), math: text.slice(sep + 2) };
}

/**
 * Applies `+1d`, `-2M`, `/w` … to `anchor`, in `zone`'s wall-clock time. Rounding goes down to the
 * start of the unit, or with `roundUp` to its last millisecond (ES's rounding of `lte` and `gt`
 * bounds). Undefined when `math` has an operation ES does not know.
 */
export function applyDateMath(anchor: number, math: string, zone: Zone, roundUp = false): number | undefined {
  let t = anchor;
  let rest = math;
  while (rest.length > 0) {
    const m = /^(?:([+-])(\d*)([yMwdhHms])|\/([yMwdhHms]))/.exec(rest);
    if (!m) return undefined;
    rest = rest.slice(m[0].length);
    const local = t + zone.offset(t);
    if (m[4] !== undefined) {
      const unit = DATE_MATH_UNITS[m[4]] as CalUnit;
      const start = floorLocal(local, unit);
      t = roundUp ? zone.toUtc(addLocal(start, unit, 1)) - 1 : zone.toUtc(start);
    } else {
      const n = (m[1] === "-" ? -1 : 1) * (m[2] === "" ? 1 : Number(m[2]));
      t = zone.toUtc(addLocal(local, DATE_MATH_UNITS[m[3] as string] as CalUnit, n));
    }
  }
  return t;
}

/**
 * A date in a request (aggregation bounds, `missing`, range keys): a number is epoch millis (epoch
 * seconds if the pattern starts with epoch_second); text is read in `pattern`, else as ISO 8601 or
 * integer epoch millis, with date math after it. Throws through `errors` what ES reports.
 */
export function parseDateExpression(
  value: unknown,
  pattern: string,
  zone: Zone,
  now: number,
  errors: DateErrors,
): number {
  const fail = () =>
    errors(`failed to parse date field [${String(value)}] with format [${pattern}]`, "parse_exception");
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw fail();
    return pattern.split("||")[0]?.trim() === "epoch_second" ? value * SECOND : value;
  }
  if (typeof value !== "string" || value.trim() === "") throw fail();
  const { anchor: text, math } = splitDateMath(value.trim());
  let anchor: number | undefined = now;
  if (text !== undefined) {
    anchor = compileDateFormat(pattern, errors).parse(text, zone);
    if (anchor === undefined) anchor = parseIso(text, zone);
    if (anchor === undefined && /^-?\d+$/.test(text)) anchor = Number(text);
  }
  if (anchor === undefined) throw fail();
  const t = applyDateMath(anchor, math, zone);
  if (t === undefined) throw errors(`operator not supported for date math [${math}]`, "parse_exception");
  return t;
}
