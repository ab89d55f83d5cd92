/** Bucket key roundings of histogram (numeric intervals) and date_histogram (calendar/fixed intervals). */

import { addLocal, type CalUnit, DAY, floorLocal, HOUR, MINUTE, SECOND } from "../../dates/calendar.ts";
import type { Zone } from "../../dates/zone.ts";
import { AggregationError, type AggSpec } from "./core.ts";
import { numParam } from "./parse.ts";
import { isAbsent } from "./util.ts";

export interface Rounding {
  /** Bucket key (start) of a value. */
  round(v: number): number;
  /** Key of the bucket after the one starting at `key`. */
  next(key: number): number;
}

const CALENDAR_UNITS: Record<string, CalUnit> = {
  second: "second",
  "1s": "second",
  minute: "minute",
  "1m": "minute",
  hour: "hour",
  "1h": "hour",
  day: "day",
  "1d": "day",
  week: "week",
  "1w": "week",
  month: "month",
  "1M": "month",
  quarter: "quarter",
  "1q": "quarter",
  year: "year",
  "1y": "year",
};

const TIME_UNITS: Record<string, number> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY };

export function numericRounding(spec: AggSpec): Rounding {
  const interval = numParam(spec, "interval");
  if (interval === undefined || !(interval > 0)) {
    throw new AggregationError(`[interval] must be >0 for histogram aggregation [${spec.name}]`, spec.path);
  }
  const offset = numParam(spec, "offset") ?? 0;
  const round = (v: number) => Math.floor((v - offset) / interval) * interval + offset;
  return {
    round,
    next: (key) => {
      // Index-based so that filled keys are bit-identical to collected ones.
      const idx = Math.round((key - offset) / interval) + 1;
      return idx * interval + offset;
    },
  };
}

export function dateRounding(spec: AggSpec, zone: Zone): Rounding {
  const { calendar_interval: calendar, fixed_interval: fixed, interval: legacy } = spec.body;
  if (!isAbsent(calendar) && !isAbsent(fixed)) {
    throw new AggregationError(
      "Cannot use [fixed_interval] with [calendar_interval] configuration option.",
      spec.path,
    );
  }
  if (!isAbsent(legacy) && (!isAbsent(calendar) || !isAbsent(fixed))) {
    throw new AggregationError(
      "Cannot use [interval] with [fixed_interval] or [calendar_interval] configuration options.",
      spec.path,
    );
  }
  let base: Rounding;
  if (!isAbsent(calendar)) {
    const unit = calendarUnit(calendar);
    if (!unit) {
      throw new AggregationError(
        `The supplied interval [${String(calendar)}] could not be parsed as a calendar interval.`,
        spec.path,
      );
    }
    base = calendarRounding(unit, zone);
  } else if (!isAbsent(fixed)) {
    base = fixedRounding(parseInterval(fixed, "date_histogram.fixedInterval", spec), zone);
  } else if (!isAbsent(legacy)) {
    // The deprecated `interval` is calendar when it names a unit, fixed otherwise.
    const unit = calendarUnit(legacy);
    base = unit
      ? calendarRounding(unit, zone)
      : fixedRounding(parseInterval(legacy, "date_histogram.interval", spec), zone);
  } else {
    throw new AggregationError("Invalid interval specified, must be non-null and non-empty", spec.path);
  }
  const offsetRaw = spec.body.offset;
  if (isAbsent(offsetRaw)) return base;
  const offset =
    typeof offsetRaw === "number" && Number.isFinite(offsetRaw)
      ? offsetRaw
      : timeValue(offsetRaw, "date_histogram.offset", spec, true);
  if (offset === 0) return base;
  return {
    round: (v) => base.round(v - offset) + offset,
    next: (key) => base.next(key - offset) + offset,
  };
}

function calendarUnit(v: unknown): CalUnit | undefined {
  return typeof v === "string" ? CALENDAR_UNITS[v] : undefined;
}

/** A positive interval: millis as a number, or a time value such as `90m`. */
function parseInterval(v: unknown, setting: string, spec: AggSpec): number {
  if (typeof v === "number" && Number.isInteger(v) && v > 0) return v;
  const ms = timeValue(v, setting, spec, false);
  if (ms <= 0)
    throw new AggregationError(`Zero or negative time interval [${String(v)}] not supported`, spec.path);
  return ms;
}

/** Millis of a time value (`12h`, and with `signed` also `-1d`/`+6h`). */
function timeValue(v: unknown, setting: string, spec: AggSpec, signed: boolean): number {
  const m = /^([+-]?)(\d+)(ms|s|m|h|d)$/.exec(typeof v === "string" ? v.trim() : "");
  if (!m || (!signed && m[1] !== "")) {
    throw new AggregationError(
      `failed to parse setting [${setting}] with value [${String(v)}] as a time value: unit is missing or unrecognized`,
      spec.path,
    );
  }
  return (m[1] === "-" ? -1 : 1) * Number(m[2]) * (TIME_UNITS[m[3] as string] as number);
}

function calendarRounding(unit: CalUnit, zone: Zone): Rounding {
  return {
    round: (v) => zone.toUtc(floorLocal(v + zone.offset(v), unit)),
    next: (key) => {
      const local = floorLocal(key + zone.offset(key), unit);
      const n = zone.toUtc(addLocal(local, unit, 1));
      return n > key ? n : zone.toUtc(addLocal(local, unit, 2));
    },
  };
}

function fixedRounding(interval: number, zone: Zone): Rounding {
  const round = (v: number) => {
    const off = zone.offset(v);
    return Math.floor((v + off) / interval) * interval - off;
  };
  return {
    round,
    next: (key) => {
      const n = round(key + interval);
      return n > key ? n : key + interval;
    },
  };
}
