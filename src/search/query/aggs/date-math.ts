/** ES date math in request values: `now-1d/d`, `2020-01-01||+1M`, epoch numbers. */

import { addLocal, type CalUnit, floorLocal, SECOND } from "./calendar.ts";
import { AggregationError, type AggSpec } from "./core.ts";
import { compileDateFormat, parseIso } from "./date-format.ts";
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

/** A date (number = epoch millis, or text in `pattern`) with ES date math: `now-1d/d`, `2020-01-01||+1M`. */
export function parseDateMath(
  value: unknown,
  pattern: string,
  zone: Zone,
  now: number,
  spec: AggSpec,
): number {
  const fail = () =>
    new AggregationError(
      `failed to parse date field [${String(value)}] with format [${pattern}]`,
      spec.path,
      "parse_exception",
    );
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw fail();
    return pattern.split("||")[0]?.trim() === "epoch_second" ? value * SECOND : value;
  }
  if (typeof value !== "string" || value.trim() === "") throw fail();
  const text = value.trim();
  let anchor: number | undefined;
  let math: string;
  if (text.startsWith("now")) {
    anchor = now;
    math = text.slice(3);
  } else {
    const sep = text.indexOf("||");
    const dateText = sep === -1 ? text : text.slice(0, sep);
    math = sep === -1 ? "" : text.slice(sep + 2);
    anchor = compileDateFormat(pattern, spec).parse(dateText, zone);
    if (anchor === undefined) anchor = parseIso(dateText, zone);
    if (anchor === undefined && /^-?\d+$/.test(dateText)) anchor = Number(dateText);
  }
  if (anchor === undefined) throw fail();
  let t = anchor;
  let rest = math;
  while (rest.length > 0) {
    const m = /^(?:([+-])(\d*)([yMwdhHms])|\/([yMwdhHms]))/.exec(rest);
    if (!m) {
      throw new AggregationError(
        `operator not supported for date math [${math}]`,
        spec.path,
        "parse_exception",
      );
    }
    rest = rest.slice(m[0].length);
    const local = t + zone.offset(t);
    if (m[4] !== undefined) t = zone.toUtc(floorLocal(local, DATE_MATH_UNITS[m[4]] as CalUnit));
    else {
      const n = (m[1] === "-" ? -1 : 1) * (m[2] === "" ? 1 : Number(m[2]));
      t = zone.toUtc(addLocal(local, DATE_MATH_UNITS[m[3] as string] as CalUnit, n));
    }
  }
  return t;
}
