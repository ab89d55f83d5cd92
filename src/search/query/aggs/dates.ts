/** The engine's date library (src/search/dates/) bound to an aggregation: errors carry its path. */

import type { DateErrors } from "../../dates/errors.ts";
import { parseZone, UTC, type Zone } from "../../dates/zone.ts";
import { AggregationError, type AggSpec } from "./core.ts";
import { paramError } from "./parse.ts";
import { isAbsent } from "./util.ts";

/** Date errors as AggregationErrors at the aggregation's path. */
export function dateErrors(spec: AggSpec): DateErrors {
  return (message, type) => new AggregationError(message, spec.path, type);
}

/** The `time_zone` parameter: UTC when absent, else a zone id. */
export function timeZoneParam(spec: AggSpec): Zone {
  const value = spec.body.time_zone;
  if (isAbsent(value)) return UTC;
  if (typeof value !== "string" || value.trim() === "")
    throw paramError(spec, "time_zone", "a time zone id", value);
  return parseZone(value, dateErrors(spec));
}
