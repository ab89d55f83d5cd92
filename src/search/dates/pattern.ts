/** java.time-style date patterns: ES's named formats, tokenizing, and printing an instant. */

import { DAY } from "./calendar.ts";
import type { DateErrors } from "./errors.ts";
import { offsetParts, pad, type Zone } from "./zone.ts";

export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
export const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** ES's built-in formats (java.time patterns used for printing). */
export const NAMED_FORMATS: Record<string, string> = {
  strict_date_optional_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  date_optional_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  strict_date_optional_time_nanos: "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSSXXX",
  strict_date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  date_time: "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  strict_date_time_no_millis: "yyyy-MM-dd'T'HH:mm:ssXXX",
  date_time_no_millis: "yyyy-MM-dd'T'HH:mm:ssXXX",
  strict_date: "yyyy-MM-dd",
  date: "yyyy-MM-dd",
  year_month_day: "yyyy-MM-dd",
  strict_year_month_day: "yyyy-MM-dd",
  strict_year_month: "yyyy-MM",
  year_month: "yyyy-MM",
  strict_year: "yyyy",
  year: "yyyy",
  strict_date_hour: "yyyy-MM-dd'T'HH",
  date_hour: "yyyy-MM-dd'T'HH",
  strict_date_hour_minute: "yyyy-MM-dd'T'HH:mm",
  date_hour_minute: "yyyy-MM-dd'T'HH:mm",
  strict_date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  date_hour_minute_second: "yyyy-MM-dd'T'HH:mm:ss",
  strict_date_hour_minute_second_millis: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  date_hour_minute_second_millis: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  strict_date_hour_minute_second_fraction: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  date_hour_minute_second_fraction: "yyyy-MM-dd'T'HH:mm:ss.SSS",
  basic_date: "yyyyMMdd",
  basic_date_time: "yyyyMMdd'T'HHmmss.SSSX",
  basic_date_time_no_millis: "yyyyMMdd'T'HHmmssX",
  strict_hour_minute_second: "HH:mm:ss",
  hour_minute_second: "HH:mm:ss",
  strict_hour_minute: "HH:mm",
  hour_minute: "HH:mm",
  strict_hour: "HH",
  hour: "HH",
  strict_time: "HH:mm:ss.SSSXXX",
  time: "HH:mm:ss.SSSXXX",
  strict_time_no_millis: "HH:mm:ssXXX",
  time_no_millis: "HH:mm:ssXXX",
};

export type FmtToken = { lit: string } | { letter: string; count: number };

const PATTERN_LETTERS = "GuyDMLdQqYwWEecFahKkHmsSAnNVzOXxZp";

export function tokenizePattern(pattern: string, errors: DateErrors): FmtToken[] {
  const out: FmtToken[] = [];
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out.push({ lit: "'" });
        i += 2;
        continue;
      }
      out.push({ lit: pattern.slice(i + 1, end === -1 ? undefined : end).replace(/''/g, "'") });
      i = end === -1 ? pattern.length : end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      if (!PATTERN_LETTERS.includes(c)) {
        throw errors(`Invalid format: [${pattern}]: Unknown pattern letter: ${c}`);
      }
      let j = i;
      while (pattern[j] === c) j++;
      out.push({ letter: c, count: j - i });
      i = j;
    } else if (c === "[" || c === "]") i++;
    else {
      out.push({ lit: c });
      i++;
    }
  }
  return out;
}

function printOffset(ms: number, letter: string, count: number): string {
  const { sign, hh, mm } = offsetParts(ms);
  if (letter === "Z") {
    if (count === 4) return ms === 0 ? "GMT" : `GMT${sign}${hh}:${mm}`;
    if (count === 5) return ms === 0 ? "Z" : `${sign}${hh}:${mm}`;
    return `${sign}${hh}${mm}`;
  }
  if (letter === "X" && ms === 0) return "Z";
  if (count === 1) return mm === "00" ? `${sign}${hh}` : `${sign}${hh}${mm}`;
  if (count === 2 || count === 4) return `${sign}${hh}${mm}`;
  return `${sign}${hh}:${mm}`;
}

export function printTokens(tokens: readonly FmtToken[], utc: number, zone: Zone): string {
  const off = zone.offset(utc);
  const d = new Date(utc + off);
  const msOfDay = utc + off - Math.floor((utc + off) / DAY) * DAY;
  let out = "";
  for (const t of tokens) out += "lit" in t ? t.lit : printField(t.letter, t.count, d, msOfDay, off, zone);
  return out;
}

/** One pattern letter of the local date `d` (UTC fields hold the wall-clock time). */
function printField(
  letter: string,
  count: number,
  d: Date,
  msOfDay: number,
  off: number,
  zone: Zone,
): string {
  const hours = d.getUTCHours();
  switch (letter) {
    case "y":
    case "u":
    case "Y": {
      const y = d.getUTCFullYear();
      return count === 2 ? pad(((y % 100) + 100) % 100, 2) : pad(y, count);
    }
    case "M":
    case "L": {
      const m = d.getUTCMonth();
      return count >= 4
        ? (MONTHS[m] as string)
        : count === 3
          ? (MONTHS[m] as string).slice(0, 3)
          : pad(m + 1, count);
    }
    case "d":
      return pad(d.getUTCDate(), count);
    case "D": {
      const yearStart = new Date(0);
      yearStart.setUTCFullYear(d.getUTCFullYear(), 0, 1);
      return pad(Math.floor((d.getTime() - yearStart.getTime()) / DAY) + 1, count);
    }
    case "Q":
    case "q": {
      const quarter = Math.floor(d.getUTCMonth() / 3) + 1;
      return count >= 3 ? `Q${quarter}` : pad(quarter, count);
    }
    case "E":
    case "e":
    case "c": {
      const name = DAYS[d.getUTCDay()] as string;
      if ((letter === "e" || letter === "c") && count <= 2) return String(((d.getUTCDay() + 6) % 7) + 1);
      return count >= 4 ? name : name.slice(0, 3);
    }
    case "a":
      return hours < 12 ? "AM" : "PM";
    case "H":
      return pad(hours, count);
    case "k":
      return pad(hours === 0 ? 24 : hours, count);
    case "h":
      return pad(hours % 12 === 0 ? 12 : hours % 12, count);
    case "K":
      return pad(hours % 12, count);
    case "m":
      return pad(d.getUTCMinutes(), count);
    case "s":
      return pad(d.getUTCSeconds(), count);
    case "S":
      return pad(d.getUTCMilliseconds(), 3).padEnd(count, "0").slice(0, count);
    case "A":
      return pad(msOfDay, count);
    case "n":
      return pad(d.getUTCMilliseconds() * 1_000_000, count);
    case "N":
      return pad(msOfDay * 1_000_000, count);
    case "X":
    case "x":
    case "Z":
      return printOffset(off, letter, count);
    case "O":
      return off === 0 ? "GMT" : `GMT${printOffset(off, "x", 3)}`;
    case "V":
    case "z":
      return zone.id;
    case "G":
      return d.getUTCFullYear() > 0 ? "AD" : "BC";
    default:
      return letter.repeat(count);
  }
}
