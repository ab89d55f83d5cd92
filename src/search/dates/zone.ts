/** Time zones of `time_zone` parameters: fixed offsets, and IANA ids resolved through Intl. */

import { HOUR, MINUTE, SECOND } from "./calendar.ts";
import type { DateErrors } from "./errors.ts";

export interface Zone {
  readonly id: string;
  /** Offset from UTC (ms) in effect at a UTC instant. */
  offset(utc: number): number;
  /** UTC instant of a local wall-clock time (expressed as millis since the local epoch). */
  toUtc(local: number): number;
}

function fixedZone(id: string, offsetMs: number): Zone {
  return { id, offset: () => offsetMs, toUtc: (local) => local - offsetMs };
}

export const UTC = fixedZone("Z", 0);

export function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, "0");
  return n < 0 ? `-${s}` : s;
}

/** Sign, two-digit hours and two-digit minutes of a UTC offset. */
export function offsetParts(ms: number): { sign: string; hh: string; mm: string } {
  const abs = Math.abs(ms) / MINUTE;
  return { sign: ms < 0 ? "-" : "+", hh: pad(Math.floor(abs / 60), 2), mm: pad(abs % 60, 2) };
}

const zoneCache = new Map<string, Zone>();

/**
 * A zone id: fixed offsets (`+08:00`, `-0530`, `UTC+1`), `UTC`/`Z`/`GMT`, or IANA ids (via Intl).
 * Callers check that a request value is a non-empty string first; their messages differ.
 */
export function parseZone(id: string, errors: DateErrors): Zone {
  const s = id.trim();
  if (/^(?:Z|UTC|GMT|UT|Etc\/UTC|Etc\/GMT|Etc\/UCT|UCT|Zulu|Etc\/Zulu)$/i.test(s)) return UTC;
  const m = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i.exec(s);
  if (m) {
    const h = Number(m[2]);
    const min = Number(m[3] ?? 0);
    const sec = Number(m[4] ?? 0);
    if (h > 18 || min > 59 || sec > 59 || (h === 18 && (min > 0 || sec > 0))) {
      throw errors(`Zone offset not in valid range: -18:00 to +18:00`);
    }
    const ms = (m[1] === "-" ? -1 : 1) * (h * HOUR + min * MINUTE + sec * SECOND);
    if (ms === 0) return UTC;
    const { sign, hh, mm } = offsetParts(ms);
    return fixedZone(`${sign}${hh}:${mm}`, ms);
  }
  const cached = zoneCache.get(s);
  if (cached) return cached;
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone: s,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      era: "short",
    });
  } catch {
    throw errors(`Unknown time-zone ID: ${s}`);
  }
  const zone = ianaZone(fmt.resolvedOptions().timeZone, fmt);
  zoneCache.set(s, zone);
  return zone;
}

function ianaZone(id: string, fmt: Intl.DateTimeFormat): Zone {
  const SLOT = 15 * MINUTE;
  const cache = new Map<number, number>();
  const compute = (utc: number): number => {
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(new Date(utc))) parts[p.type] = p.value;
    let year = Number(parts.year);
    if (parts.era === "BC" || parts.era === "B") year = 1 - year;
    const local = Date.UTC(
      year,
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour) % 24,
      Number(parts.minute),
      Number(parts.second),
    );
    const d = new Date(local);
    if (year >= 0 && year < 100) d.setUTCFullYear(year);
    return d.getTime() - Math.floor(utc / SECOND) * SECOND;
  };
  const offset = (utc: number): number => {
    const slot = Math.floor(utc / SLOT);
    let o = cache.get(slot);
    if (o === undefined) {
      o = compute(slot * SLOT);
      cache.set(slot, o);
    }
    return o;
  };
  return {
    id,
    offset,
    toUtc: (local) => {
      let utc = local - offset(local);
      const o2 = offset(utc);
      if (local - o2 !== utc) {
        const alt = local - o2;
        // In a DST gap neither candidate maps back; take the later instant, like java.time.
        utc = alt + offset(alt) === local ? alt : Math.max(utc, alt);
      }
      return utc;
    },
  };
}
