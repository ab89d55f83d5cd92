/** Calendar arithmetic on local wall-clock times (millis since the local epoch, in UTC fields). */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export type CalUnit = "second" | "minute" | "hour" | "day" | "week" | "month" | "quarter" | "year";

/** Units of a fixed length in local time (no months: those vary). */
const FIXED_UNITS: Partial<Record<CalUnit, number>> = {
  second: SECOND,
  minute: MINUTE,
  hour: HOUR,
  day: DAY,
  week: 7 * DAY,
};

/** Start of the unit containing `local`. */
export function floorLocal(local: number, unit: CalUnit): number {
  if (unit === "week") {
    const day = Math.floor(local / DAY) * DAY;
    const dow = new Date(day).getUTCDay(); // 0 = Sunday; ISO weeks start on Monday
    return day - ((dow + 6) % 7) * DAY;
  }
  const length = FIXED_UNITS[unit];
  if (length !== undefined) return Math.floor(local / length) * length;
  const d = new Date(local);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const out = new Date(0);
  out.setUTCFullYear(y, unit === "year" ? 0 : unit === "quarter" ? m - (m % 3) : m, 1);
  return out.getTime();
}

/** `local` plus `n` units. */
export function addLocal(local: number, unit: CalUnit, n: number): number {
  const length = FIXED_UNITS[unit];
  if (length !== undefined) return local + n * length;
  const d = new Date(local);
  const months = unit === "year" ? 12 * n : unit === "quarter" ? 3 * n : n;
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  // Clamp to the last day of the target month (Jan 31 + 1M = Feb 28/29), like java.time.
  const last = new Date(0);
  last.setUTCFullYear(d.getUTCFullYear(), d.getUTCMonth() + 1, 0);
  d.setUTCDate(Math.min(day, last.getUTCDate()));
  return d.getTime();
}
