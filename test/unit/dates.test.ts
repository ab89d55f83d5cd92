/**
 * Dates of `date` fields and range queries (src/search/index/dates.ts), which sit on the engine's one
 * date library (src/search/dates/). The tables at the top are the outputs of the former fixed-format
 * parser, captured before it was replaced, so that the move is checked to keep every value that used
 * to parse; the tests after them cover what the shared library adds (java.time patterns, named
 * formats) and an end-to-end check that a custom mapping format indexes, range-queries and
 * aggregates alike.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { compileDateFormat } from "../../src/search/dates/format.ts";
import { parseDateExpression } from "../../src/search/dates/math.ts";
import { UTC } from "../../src/search/dates/zone.ts";
import { SearchEngine } from "../../src/search/engine.ts";
import { EngineError } from "../../src/search/errors.ts";
import { parseDate, parseDateMath } from "../../src/search/index/dates.ts";

/** The `now` of the date-math cases: 2024-05-15T13:45:30.250Z, a Wednesday. */
const NOW = Date.UTC(2024, 4, 15, 13, 45, 30, 250);

// ---------------------------------------------------------------------------------------------
// Captured outputs of the former parser

/** parseDate(value) with the default format (strict_date_optional_time||epoch_millis). */
const DEFAULT_FORMAT_CASES: Array<[unknown, number | undefined]> = [
  ["2024-01-15", 1705276800000], // 2024-01-15T00:00:00.000Z
  ["2024-01-15T10:30:00Z", 1705314600000], // 2024-01-15T10:30:00.000Z
  ["2024-01-15T10:30:00", 1705314600000], // 2024-01-15T10:30:00.000Z
  ["2024-01-15T10:30:00.123Z", 1705314600123], // 2024-01-15T10:30:00.123Z
  ["2024-01-15T10:30:00,5+02:00", 1705307400500], // 2024-01-15T08:30:00.500Z
  ["2024-01-15 10:30:00", 1705314600000], // 2024-01-15T10:30:00.000Z
  ["2024-01-15T10:30", 1705314600000], // 2024-01-15T10:30:00.000Z
  ["2024-01-15T10", 1705312800000], // 2024-01-15T10:00:00.000Z
  ["2024-01", 1704067200000], // 2024-01-01T00:00:00.000Z
  ["2024", 1704067200000], // 2024-01-01T00:00:00.000Z
  ["2024-01-15T10:30:00+0530", 1705294800000], // 2024-01-15T05:00:00.000Z
  ["2024-01-15T10:30:00-05", 1705332600000], // 2024-01-15T15:30:00.000Z
  ["2024-01-15T10:30:00.123456789Z", 1705314600123], // 2024-01-15T10:30:00.123Z
  ["2024-02-29", 1709164800000], // 2024-02-29T00:00:00.000Z
  ["2023-02-29", undefined],
  ["2024-13-01", undefined],
  ["2024-00-10", undefined],
  ["2024-01-32", undefined],
  ["2024-01-00", undefined],
  ["2024/01/15", undefined],
  ["2024/01/15 10:30:00", undefined],
  ["20240115", 20240115], // 1970-01-01T05:37:20.115Z
  ["1705314600000", 1705314600000], // 2024-01-15T10:30:00.000Z
  ["1705314600", 1705314600], // 1970-01-20T17:41:54.600Z
  ["-1000", -1000], // 1969-12-31T23:59:59.000Z
  ["0", 0], // 1970-01-01T00:00:00.000Z
  ["1.5", 1.5],
  ["-86400000", -86400000], // 1969-12-31T00:00:00.000Z
  ["12345", 12345], // 1970-01-01T00:00:12.345Z
  [1705314600000, 1705314600000], // 2024-01-15T10:30:00.000Z
  [1705314600, 1705314600], // 1970-01-20T17:41:54.600Z
  [0, 0], // 1970-01-01T00:00:00.000Z
  [-1000, -1000], // 1969-12-31T23:59:59.000Z
  [1.5, 1.5],
  [Number.NaN, undefined],
  [Number.POSITIVE_INFINITY, undefined],
  [true, undefined],
  [null, undefined],
  [undefined, undefined],
  [{}, undefined],
  [[], undefined],
  ["", undefined],
  [" 2024-01-15", undefined],
  ["abc", undefined],
  ["1999-12-31T23:59:59.999Z", 946684799999], // 1999-12-31T23:59:59.999Z
  ["1970-01-01T00:00:00Z", 0], // 1970-01-01T00:00:00.000Z
];

/**
 * The values of DEFAULT_FORMAT_CASES read with other formats: those that parse, with their result;
 * every other value gives undefined.
 */
const OTHER_FORMAT_CASES: Record<string, Array<[unknown, number]>> = {
  strict_date_optional_time: [
    ["2024-01-15", 1705276800000], // 2024-01-15T00:00:00.000Z
    ["2024-01-15T10:30:00Z", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["2024-01-15T10:30:00", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["2024-01-15T10:30:00.123Z", 1705314600123], // 2024-01-15T10:30:00.123Z
    ["2024-01-15T10:30:00,5+02:00", 1705307400500], // 2024-01-15T08:30:00.500Z
    ["2024-01-15 10:30:00", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["2024-01-15T10:30", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["2024-01-15T10", 1705312800000], // 2024-01-15T10:00:00.000Z
    ["2024-01", 1704067200000], // 2024-01-01T00:00:00.000Z
    ["2024", 1704067200000], // 2024-01-01T00:00:00.000Z
    ["2024-01-15T10:30:00+0530", 1705294800000], // 2024-01-15T05:00:00.000Z
    ["2024-01-15T10:30:00-05", 1705332600000], // 2024-01-15T15:30:00.000Z
    ["2024-01-15T10:30:00.123456789Z", 1705314600123], // 2024-01-15T10:30:00.123Z
    ["2024-02-29", 1709164800000], // 2024-02-29T00:00:00.000Z
    ["1999-12-31T23:59:59.999Z", 946684799999], // 1999-12-31T23:59:59.999Z
    ["1970-01-01T00:00:00Z", 0], // 1970-01-01T00:00:00.000Z
  ],
  epoch_millis: [
    ["2024", 2024], // 1970-01-01T00:00:02.024Z
    ["20240115", 20240115], // 1970-01-01T05:37:20.115Z
    ["1705314600000", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["1705314600", 1705314600], // 1970-01-20T17:41:54.600Z
    ["-1000", -1000], // 1969-12-31T23:59:59.000Z
    ["0", 0], // 1970-01-01T00:00:00.000Z
    ["1.5", 1.5],
    ["-86400000", -86400000], // 1969-12-31T00:00:00.000Z
    ["12345", 12345], // 1970-01-01T00:00:12.345Z
    [1705314600000, 1705314600000], // 2024-01-15T10:30:00.000Z
    [1705314600, 1705314600], // 1970-01-20T17:41:54.600Z
    [0, 0], // 1970-01-01T00:00:00.000Z
    [-1000, -1000], // 1969-12-31T23:59:59.000Z
    [1.5, 1.5],
  ],
  epoch_second: [
    ["2024", 2024000], // 1970-01-01T00:33:44.000Z
    ["20240115", 20240115000], // 1970-08-23T06:15:15.000Z
    ["1705314600000", 1705314600000000],
    ["1705314600", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["-1000", -1000000], // 1969-12-31T23:43:20.000Z
    ["0", 0], // 1970-01-01T00:00:00.000Z
    ["1.5", 1500], // 1970-01-01T00:00:01.500Z
    ["-86400000", -86400000000], // 1967-04-07T00:00:00.000Z
    ["12345", 12345000], // 1970-01-01T03:25:45.000Z
    [1705314600000, 1705314600000000],
    [1705314600, 1705314600000], // 2024-01-15T10:30:00.000Z
    [0, 0], // 1970-01-01T00:00:00.000Z
    [-1000, -1000000], // 1969-12-31T23:43:20.000Z
    [1.5, 1500], // 1970-01-01T00:00:01.500Z
  ],
  "epoch_second||epoch_millis": [
    ["2024", 2024000], // 1970-01-01T00:33:44.000Z
    ["20240115", 20240115000], // 1970-08-23T06:15:15.000Z
    ["1705314600000", 1705314600000000],
    ["1705314600", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["-1000", -1000000], // 1969-12-31T23:43:20.000Z
    ["0", 0], // 1970-01-01T00:00:00.000Z
    ["1.5", 1500], // 1970-01-01T00:00:01.500Z
    ["-86400000", -86400000000], // 1967-04-07T00:00:00.000Z
    ["12345", 12345000], // 1970-01-01T03:25:45.000Z
    [1705314600000, 1705314600000000],
    [1705314600, 1705314600000], // 2024-01-15T10:30:00.000Z
    [0, 0], // 1970-01-01T00:00:00.000Z
    [-1000, -1000000], // 1969-12-31T23:43:20.000Z
    [1.5, 1500], // 1970-01-01T00:00:01.500Z
  ],
  "yyyy-MM-dd HH:mm:ss": [
    ["2024-01-15 10:30:00", 1705314600000], // 2024-01-15T10:30:00.000Z
  ],
  "yyyy/MM/dd HH:mm:ss": [
    ["2024/01/15 10:30:00", 1705314600000], // 2024-01-15T10:30:00.000Z
  ],
  "yyyy/MM/dd": [
    ["2024/01/15", 1705276800000], // 2024-01-15T00:00:00.000Z
  ],
  "yyyy-MM-dd": [
    ["2024-01-15", 1705276800000], // 2024-01-15T00:00:00.000Z
    ["2024-02-29", 1709164800000], // 2024-02-29T00:00:00.000Z
    ["2023-02-29", 1677628800000], // 2023-03-01T00:00:00.000Z
    ["2024-13-01", 1735689600000], // 2025-01-01T00:00:00.000Z
    ["2024-00-10", 1702166400000], // 2023-12-10T00:00:00.000Z
    ["2024-01-32", 1706745600000], // 2024-02-01T00:00:00.000Z
    ["2024-01-00", 1703980800000], // 2023-12-31T00:00:00.000Z
  ],
  yyyyMMdd: [
    ["20240115", 1705276800000], // 2024-01-15T00:00:00.000Z
  ],
  basic_date: [
    ["20240115", 1705276800000], // 2024-01-15T00:00:00.000Z
  ],
  year: [
    ["2024", 1704067200000], // 2024-01-01T00:00:00.000Z
  ],
  "yyyy-MM-dd||epoch_millis": [
    ["2024-01-15", 1705276800000], // 2024-01-15T00:00:00.000Z
    ["2024", 2024], // 1970-01-01T00:00:02.024Z
    ["2024-02-29", 1709164800000], // 2024-02-29T00:00:00.000Z
    ["2023-02-29", 1677628800000], // 2023-03-01T00:00:00.000Z
    ["2024-13-01", 1735689600000], // 2025-01-01T00:00:00.000Z
    ["2024-00-10", 1702166400000], // 2023-12-10T00:00:00.000Z
    ["2024-01-32", 1706745600000], // 2024-02-01T00:00:00.000Z
    ["2024-01-00", 1703980800000], // 2023-12-31T00:00:00.000Z
    ["20240115", 20240115], // 1970-01-01T05:37:20.115Z
    ["1705314600000", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["1705314600", 1705314600], // 1970-01-20T17:41:54.600Z
    ["-1000", -1000], // 1969-12-31T23:59:59.000Z
    ["0", 0], // 1970-01-01T00:00:00.000Z
    ["1.5", 1.5],
    ["-86400000", -86400000], // 1969-12-31T00:00:00.000Z
    ["12345", 12345], // 1970-01-01T00:00:12.345Z
    [1705314600000, 1705314600000], // 2024-01-15T10:30:00.000Z
    [1705314600, 1705314600], // 1970-01-20T17:41:54.600Z
    [0, 0], // 1970-01-01T00:00:00.000Z
    [-1000, -1000], // 1969-12-31T23:59:59.000Z
    [1.5, 1.5],
  ],
  "epoch_millis||yyyy-MM-dd": [
    ["2024-01-15", 1705276800000], // 2024-01-15T00:00:00.000Z
    ["2024", 2024], // 1970-01-01T00:00:02.024Z
    ["2024-02-29", 1709164800000], // 2024-02-29T00:00:00.000Z
    ["2023-02-29", 1677628800000], // 2023-03-01T00:00:00.000Z
    ["2024-13-01", 1735689600000], // 2025-01-01T00:00:00.000Z
    ["2024-00-10", 1702166400000], // 2023-12-10T00:00:00.000Z
    ["2024-01-32", 1706745600000], // 2024-02-01T00:00:00.000Z
    ["2024-01-00", 1703980800000], // 2023-12-31T00:00:00.000Z
    ["20240115", 20240115], // 1970-01-01T05:37:20.115Z
    ["1705314600000", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["1705314600", 1705314600], // 1970-01-20T17:41:54.600Z
    ["-1000", -1000], // 1969-12-31T23:59:59.000Z
    ["0", 0], // 1970-01-01T00:00:00.000Z
    ["1.5", 1.5],
    ["-86400000", -86400000], // 1969-12-31T00:00:00.000Z
    ["12345", 12345], // 1970-01-01T00:00:12.345Z
    [1705314600000, 1705314600000], // 2024-01-15T10:30:00.000Z
    [1705314600, 1705314600], // 1970-01-20T17:41:54.600Z
    [0, 0], // 1970-01-01T00:00:00.000Z
    [-1000, -1000], // 1969-12-31T23:59:59.000Z
    [1.5, 1.5],
  ],
  "yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis": [
    ["2024", 2024], // 1970-01-01T00:00:02.024Z
    ["2024/01/15", 1705276800000], // 2024-01-15T00:00:00.000Z
    ["2024/01/15 10:30:00", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["20240115", 20240115], // 1970-01-01T05:37:20.115Z
    ["1705314600000", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["1705314600", 1705314600], // 1970-01-20T17:41:54.600Z
    ["-1000", -1000], // 1969-12-31T23:59:59.000Z
    ["0", 0], // 1970-01-01T00:00:00.000Z
    ["1.5", 1.5],
    ["-86400000", -86400000], // 1969-12-31T00:00:00.000Z
    ["12345", 12345], // 1970-01-01T00:00:12.345Z
    [1705314600000, 1705314600000], // 2024-01-15T10:30:00.000Z
    [1705314600, 1705314600], // 1970-01-20T17:41:54.600Z
    [0, 0], // 1970-01-01T00:00:00.000Z
    [-1000, -1000], // 1969-12-31T23:59:59.000Z
    [1.5, 1.5],
  ],
  " yyyy-MM-dd || epoch_second ": [
    ["2024-01-15", 1705276800000], // 2024-01-15T00:00:00.000Z
    ["2024", 2024000], // 1970-01-01T00:33:44.000Z
    ["2024-02-29", 1709164800000], // 2024-02-29T00:00:00.000Z
    ["2023-02-29", 1677628800000], // 2023-03-01T00:00:00.000Z
    ["2024-13-01", 1735689600000], // 2025-01-01T00:00:00.000Z
    ["2024-00-10", 1702166400000], // 2023-12-10T00:00:00.000Z
    ["2024-01-32", 1706745600000], // 2024-02-01T00:00:00.000Z
    ["2024-01-00", 1703980800000], // 2023-12-31T00:00:00.000Z
    ["20240115", 20240115000], // 1970-08-23T06:15:15.000Z
    ["1705314600000", 1705314600000000],
    ["1705314600", 1705314600000], // 2024-01-15T10:30:00.000Z
    ["-1000", -1000000], // 1969-12-31T23:43:20.000Z
    ["0", 0], // 1970-01-01T00:00:00.000Z
    ["1.5", 1500], // 1970-01-01T00:00:01.500Z
    ["-86400000", -86400000000], // 1967-04-07T00:00:00.000Z
    ["12345", 12345000], // 1970-01-01T03:25:45.000Z
    [1705314600000, 1705314600000000],
    [1705314600, 1705314600000], // 2024-01-15T10:30:00.000Z
    [0, 0], // 1970-01-01T00:00:00.000Z
    [-1000, -1000000], // 1969-12-31T23:43:20.000Z
    [1.5, 1500], // 1970-01-01T00:00:01.500Z
  ],
};

/** ES's ISO named formats, which all read like strict_date_optional_time. */
const ISO_NAMES = ["date_optional_time", "strict_date_time", "date_time", "strict_date", "date", "iso8601"];

/** parseDateMath(value, default format, NOW, roundUp): [value, roundUp false, roundUp true]. */
const MATH_CASES: Array<[unknown, number | undefined, number | undefined]> = [
  ["now", 1715780730250, 1715780730250],
  ["now-1d", 1715694330250, 1715694330250],
  ["now-1d/d", 1715644800000, 1715731199999],
  ["now/d", 1715731200000, 1715817599999],
  ["now+1h/h", 1715781600000, 1715785199999],
  ["now/M", 1714521600000, 1717199999999],
  ["now/y", 1704067200000, 1735689599999],
  ["now/w", 1715558400000, 1716163199999],
  ["now-1w/w", 1714953600000, 1715558399999],
  ["now/H", 1715778000000, 1715781599999],
  ["now/m", 1715780700000, 1715780759999],
  ["now/s", 1715780730000, 1715780730999],
  ["now+2M-3d/d", 1720742400000, 1720828799999],
  ["now-1y", 1684158330250, 1684158330250],
  ["now+10s", 1715780740250, 1715780740250],
  ["now-90m", 1715775330250, 1715775330250],
  ["2024-01-01||+1M/M", 1706745600000, 1709251199999],
  ["2024-01-01||+1M", 1706745600000, 1706745600000],
  ["2024-01-01||-1d", 1703980800000, 1703980800000],
  ["2024-01-15||/w", 1705276800000, 1705881599999],
  ["2024-01-15T10:30:00Z||/d", 1705276800000, 1705363199999],
  ["2024-03-31||-1M", 1709337600000, 1709337600000],
  ["2024-01-01||", 1704067200000, 1704067200000],
  ["1705314600000||/d", 1705276800000, 1705363199999],
  ["now-1x", undefined, undefined],
  ["now+", undefined, undefined],
  ["now1d", undefined, undefined],
  ["now/d+", undefined, undefined],
  ["garbage||+1d", undefined, undefined],
  ["2024-01-01|+1d", undefined, undefined],
  ["2024-01-15", 1705276800000, 1705276800000],
  ["1705314600000", 1705314600000, 1705314600000],
  [1705314600000, 1705314600000, 1705314600000],
  ["now-1d/d/h", 1715644800000, 1715731199999],
  ["2024-02-29||+1y", 1740787200000, 1740787200000],
  ["2024-01-31||+1M", 1709337600000, 1709337600000],
];

/** The MATH_CASES whose results differ under another format (the others are as with the default). */
const MATH_FORMAT_OVERRIDES: Record<string, Array<[unknown, number | undefined, number | undefined]>> = {
  "yyyy-MM-dd": [
    ["2024-01-15T10:30:00Z||/d", undefined, undefined],
    ["1705314600000||/d", undefined, undefined],
    ["1705314600000", undefined, undefined],
    [1705314600000, undefined, undefined],
  ],
  epoch_millis: [
    ["2024-01-01||+1M/M", undefined, undefined],
    ["2024-01-01||+1M", undefined, undefined],
    ["2024-01-01||-1d", undefined, undefined],
    ["2024-01-15||/w", undefined, undefined],
    ["2024-01-15T10:30:00Z||/d", undefined, undefined],
    ["2024-03-31||-1M", undefined, undefined],
    ["2024-01-01||", undefined, undefined],
    ["2024-01-15", undefined, undefined],
    ["2024-02-29||+1y", undefined, undefined],
    ["2024-01-31||+1M", undefined, undefined],
  ],
  "yyyy-MM-dd||epoch_millis": [["2024-01-15T10:30:00Z||/d", undefined, undefined]],
};

const VALUES = DEFAULT_FORMAT_CASES.map(([v]) => v);

function expectedIn(cases: ReadonlyArray<readonly [unknown, number]>, value: unknown): number | undefined {
  return cases.find(([v]) => Object.is(v, value))?.[1];
}

// ---------------------------------------------------------------------------------------------
// Deliberate changes: where the former parser rolled invalid dates over or misread them, the shared
// library's reading (the aggregations', and mostly ES's) wins.

/** [value, format (one alternative), former result, result now]. */
const CHANGED: Array<[unknown, string | undefined, number | undefined, number | undefined]> = [
  // Invalid days and months were rolled into a neighbouring month; now rejected, as ES does.
  ["2023-02-29", "yyyy-MM-dd", 1677628800000, undefined],
  ["2024-13-01", "yyyy-MM-dd", 1735689600000, undefined],
  ["2024-00-10", "yyyy-MM-dd", 1702166400000, undefined],
  ["2024-01-32", "yyyy-MM-dd", 1706745600000, undefined],
  ["2024-01-00", "yyyy-MM-dd", 1703980800000, undefined],
  // ISO minutes and seconds of 60 were rolled over into the next hour / minute; now rejected.
  ["2024-01-15T10:60", undefined, 1705316400000, undefined],
  ["2024-01-15T10:59:60", undefined, 1705316400000, undefined],
  // Years 0000-0099 were read as 1900-1999 (Date.UTC's two-digit years).
  ["0050-01-01", undefined, -631152000000, -60589296000000], // 0050-01-01T00:00:00.000Z
  ["0050", "year", -631152000000, -60589296000000],
  // `year` (yyyy) reads years of any width, like java.time's, not only four digits.
  ["0", "year", undefined, -62167219200000], // 0000-01-01
  ["12345", "year", undefined, 327403382400000], // 12345-01-01
  ["12345", "year||epoch_millis", 12345, 327403382400000],
  // Hour 24 is the end of the day in ISO 8601 (formerly rejected).
  ["2024-01-15T24:00", undefined, undefined, 1705363200000], // 2024-01-16T00:00:00.000Z
  // An hour of 25 in an HH pattern reads modulo 24 (formerly rolled into the next day).
  ["2024-01-15 25:00:00", "yyyy-MM-dd HH:mm:ss", 1705366800000, 1705280400000], // 2024-01-15T01:00
  // yyyyMMdd takes the digits before MMdd as the year: "390625" is 0039-06-25, not epoch millis.
  ["390625", "basic_date||epoch_millis", 390625, -60921331200000],
  // Lower-case t/z, and signed years in ISO text (signed numbers stay epoch millis).
  ["2024-01-15t10:30z", undefined, undefined, 1705314600000],
  ["-2024-01-15", undefined, undefined, -126037296000000],
];

/**
 * [value, former result, result now] of parseDateMath, wherever the anchor parses: months and
 * years are added as java.time does, clamping to the month's last day (Jan 31 + 1M = Feb 29)
 * where the former parser ran over into the next month; an operator without a number means 1; and
 * the math runs to the end of the text.
 */
const CHANGED_MATH: Array<[string, number | undefined, number | undefined]> = [
  ["2024-01-31||+1M", 1709337600000, 1709164800000], // 2024-03-02 -> 2024-02-29
  ["2024-03-31||-1M", 1709337600000, 1709164800000], // 2024-03-02 -> 2024-02-29
  ["2024-02-29||+1y", 1740787200000, 1740700800000], // 2025-03-01 -> 2025-02-28
  ["now+d", undefined, NOW + 86_400_000],
  ["2024-01-01||+1d||+1d", 1704153600000, undefined],
];

/** The CHANGED row for a value read with a format that has the row's format as an alternative. */
function changeOf(value: unknown, format: string | undefined, captured: number | undefined) {
  const alternatives: (string | undefined)[] = format?.split("||").map((f) => f.trim()) ?? [undefined];
  return CHANGED.find(
    ([v, f, former]) =>
      Object.is(v, value) && (f === format || alternatives.includes(f)) && Object.is(former, captured),
  );
}

test("deliberate changes: former results as captured, and the results now", () => {
  for (const [value, format, former, now] of CHANGED) {
    const table = format === undefined ? DEFAULT_FORMAT_CASES : OTHER_FORMAT_CASES[format];
    if (table && VALUES.includes(value))
      assert.equal(former, expectedIn(table as [unknown, number][], value), `captured ${String(value)}`);
    assert.equal(parseDate(value, format), now, `parseDate(${String(value)}, ${format})`);
  }
  for (const [value, former, now] of CHANGED_MATH) {
    const row = MATH_CASES.find(([v]) => v === value);
    if (row) assert.equal(former, row[1], `captured parseDateMath(${value})`);
    assert.equal(parseDateMath(value, undefined, NOW), now, `parseDateMath(${value})`);
  }
});

test("parseDate: default format (captured)", () => {
  for (const [value, captured] of DEFAULT_FORMAT_CASES) {
    const change = changeOf(value, undefined, captured);
    const expected = change ? change[3] : captured;
    assert.equal(parseDate(value), expected, `parseDate(${String(value)})`);
    assert.equal(
      parseDate(value, "strict_date_optional_time||epoch_millis"),
      expected,
      `parseDate(${String(value)}, explicit default)`,
    );
  }
});

test("parseDate: other formats (captured)", () => {
  const formats = { ...OTHER_FORMAT_CASES };
  for (const name of ISO_NAMES) formats[name] = OTHER_FORMAT_CASES.strict_date_optional_time ?? [];
  for (const [format, cases] of Object.entries(formats)) {
    for (const value of VALUES) {
      const captured = expectedIn(cases, value);
      const change = changeOf(value, format, captured);
      const expected = change ? change[3] : captured;
      assert.equal(parseDate(value, format), expected, `parseDate(${String(value)}, ${format})`);
    }
  }
});

test("parseDateMath: now, anchors, rounding up and down (captured)", () => {
  for (const format of [undefined, "epoch_millis", "yyyy-MM-dd", "yyyy-MM-dd||epoch_millis"]) {
    const overrides = format === undefined ? [] : (MATH_FORMAT_OVERRIDES[format] ?? []);
    for (const row of MATH_CASES) {
      let [value, down, up] = overrides.find(([v]) => Object.is(v, row[0])) ?? row;
      const change = CHANGED_MATH.find(([v]) => v === value);
      if (change && down !== undefined) [down, up] = [change[2], change[2]];
      const label = `parseDateMath(${String(value)}, ${format})`;
      assert.equal(parseDateMath(value, format, NOW, false), down, label);
      assert.equal(parseDateMath(value, format, NOW, true), up, `${label} rounding up`);
    }
  }
  // `now` defaults to the clock.
  const before = Date.now();
  const t = parseDateMath("now", undefined) ?? Number.NaN;
  assert.ok(t >= before && t <= Date.now());
});

// ---------------------------------------------------------------------------------------------
// What the shared library adds: any java.time pattern and ES's named formats

/** [value, format, expected]; expected values computed independently of the parser. */
const NEW_FORMAT_CASES: Array<[unknown, string, number | undefined]> = [
  ["15/01/2024", "dd/MM/yyyy||epoch_millis", Date.UTC(2024, 0, 15)],
  [1705314600000, "dd/MM/yyyy||epoch_millis", 1705314600000],
  ["1705314600000", "dd/MM/yyyy||epoch_millis", 1705314600000],
  ["2024-01-15", "dd/MM/yyyy||epoch_millis", undefined],
  ["31/02/2024", "dd/MM/yyyy", undefined],
  ["2024-01-15 10:30", "yyyy-MM-dd HH:mm", Date.UTC(2024, 0, 15, 10, 30)],
  ["20240115T103000.250Z", "basic_date_time", Date.UTC(2024, 0, 15, 10, 30, 0, 250)],
  ["20240115T103000+0100", "basic_date_time_no_millis", Date.UTC(2024, 0, 15, 9, 30)],
  ["2024-01-15T10:30", "strict_date_hour_minute", Date.UTC(2024, 0, 15, 10, 30)],
  ["2024-01-15T10:30:00Z", "strict_date_time_no_millis", Date.UTC(2024, 0, 15, 10, 30)],
  ["2024-01", "year_month", Date.UTC(2024, 0, 1)],
  ["Jan 15, 2024", "MMM d, yyyy", Date.UTC(2024, 0, 15)],
  ["January 5, 2024", "MMMM d, yyyy", Date.UTC(2024, 0, 5)],
  ["Mon, 15 Jan 2024 10:30:00 +0200", "EEE, dd MMM yyyy HH:mm:ss Z", Date.UTC(2024, 0, 15, 8, 30)],
  ["15.01.2024 10:30:00.125", "dd.MM.yyyy HH:mm:ss.SSS", Date.UTC(2024, 0, 15, 10, 30, 0, 125)],
  ["10:30 PM 15/01/2024", "hh:mm a dd/MM/yyyy", Date.UTC(2024, 0, 15, 22, 30)],
  ["10:30:15", "HH:mm:ss", Date.UTC(1970, 0, 1, 10, 30, 15)],
  // An alternative that does not compile matches nothing, as unknown formats never did.
  ["2024-01-15", "not_a_format", undefined],
  [5, "epoch_millis||foo", 5],
  ["2024-01-15", "foo||yyyy-MM-dd", Date.UTC(2024, 0, 15)],
];

test("parseDate: java.time patterns and named formats", () => {
  for (const [value, format, expected] of NEW_FORMAT_CASES)
    assert.equal(parseDate(value, format), expected, `parseDate(${String(value)}, ${format})`);
});

test("parseDateMath: date math on a pattern format", () => {
  const f = "dd/MM/yyyy";
  assert.equal(parseDateMath("15/01/2024||+1M/M", f, NOW, false), Date.UTC(2024, 1, 1));
  assert.equal(parseDateMath("15/01/2024||+1M/M", f, NOW, true), Date.UTC(2024, 2, 1) - 1);
  assert.equal(parseDateMath("15/01/2024||-1w/w", f, NOW, false), Date.UTC(2024, 0, 8));
  assert.equal(parseDateMath("15/01/2024", f, NOW, true), Date.UTC(2024, 0, 15));
  assert.equal(parseDateMath("2024-01-15||+1d", f, NOW), undefined);
  assert.equal(parseDateMath("now/M", f, NOW, true), Date.UTC(2024, 5, 1) - 1);
  // Beyond JavaScript's dates there is no calendar to do math in.
  assert.equal(parseDateMath("now+99999999999d", f, NOW), undefined);
});

test("index dates read text as the aggregations' date library does", () => {
  const errors = (message: string) => new Error(message);
  const formats = [
    "strict_date_optional_time||epoch_millis",
    "dd/MM/yyyy||epoch_millis",
    "yyyy-MM-dd HH:mm",
    "basic_date_time",
    "MMM d, yyyy||strict_date_optional_time",
  ];
  const texts = [
    "15/01/2024",
    "2024-01-15",
    "2024-01-15T10:30:00+01:00",
    "2024-01-15 10:30",
    "20240115T103000.250Z",
    "Jan 15, 2024",
    "1705314600000",
    "31/02/2024",
    "abc",
  ];
  for (const format of formats) {
    const df = compileDateFormat(format, errors);
    for (const text of texts)
      assert.equal(parseDate(text, format), df.parse(text, UTC), `${text} in ${format}`);
  }
  for (const text of ["now-1d/d", "now/y", "15/01/2024||+1M/M", "15/01/2024||-1w/w", "15/01/2024||+36h"]) {
    const f = "dd/MM/yyyy||epoch_millis";
    assert.equal(parseDateMath(text, f, NOW), parseDateExpression(text, f, UTC, NOW, errors), text);
  }
});

// ---------------------------------------------------------------------------------------------
// End to end: one custom mapping format for indexing, queries and aggregations

type Hits = { hits: { hits: { _id: string }[] } };
type Bucket = Record<string, unknown>;

test("a custom mapping format indexes, range-queries and aggregates alike", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dates-test-"));
  const engine = await SearchEngine.open({ dataDir: dir });
  try {
    engine.createIndex("d", {
      mappings: { properties: { when: { type: "date", format: "dd/MM/yyyy||epoch_millis" } } },
    });
    const docs: Record<string, unknown> = {
      a: "15/01/2024",
      b: "01/02/2024",
      c: "29/02/2024",
      d: Date.UTC(2024, 2, 10), // epoch millis, the second alternative
      e: "31/03/2024",
    };
    const lines: unknown[] = [];
    for (const [_id, when] of Object.entries(docs)) lines.push({ index: { _id } }, { when });
    assert.equal(engine.bulk(lines, { index: "d", refresh: true }).errors, false);

    const ids = (query: unknown) =>
      (engine.search("d", { query, size: 10 }) as Hits).hits.hits.map((h) => h._id).sort();
    assert.deepEqual(ids({ range: { when: { gte: "01/02/2024" } } }), ["b", "c", "d", "e"]);
    assert.deepEqual(ids({ range: { when: { gt: "01/02/2024", lte: "29/02/2024" } } }), ["c"]);
    // Date math on the mapping's pattern; lte rounds up to the end of the month.
    assert.deepEqual(ids({ range: { when: { gte: "15/02/2024||/M", lte: "15/02/2024||/M" } } }), ["b", "c"]);
    assert.deepEqual(ids({ range: { when: { gte: Date.UTC(2024, 2, 1) } } }), ["d", "e"]);
    // A query's own format replaces the mapping's.
    assert.deepEqual(ids({ range: { when: { gte: "2024-03-01", format: "yyyy-MM-dd" } } }), ["d", "e"]);
    assert.deepEqual(ids({ term: { when: "29/02/2024" } }), ["c"]);

    // The aggregations read and print the same pattern (passed as `format`: the engine's
    // aggregations do not take a date field's mapping format), over the same documents.
    const res = engine.search("d", {
      size: 0,
      query: { range: { when: { gte: "01/02/2024" } } },
      aggs: {
        months: { date_histogram: { field: "when", calendar_interval: "month", format: "dd/MM/yyyy" } },
        feb: {
          date_range: {
            field: "when",
            format: "dd/MM/yyyy",
            ranges: [{ from: "01/02/2024", to: "01/03/2024" }],
          },
        },
      },
    }) as { aggregations: Record<string, { buckets: Bucket[] }> };
    assert.deepEqual(res.aggregations.months?.buckets, [
      { key_as_string: "01/02/2024", key: Date.UTC(2024, 1, 1), doc_count: 2 },
      { key_as_string: "01/03/2024", key: Date.UTC(2024, 2, 1), doc_count: 2 },
    ]);
    assert.deepEqual(res.aggregations.feb?.buckets, [
      {
        key: "01/02/2024-01/03/2024",
        from: Date.UTC(2024, 1, 1),
        from_as_string: "01/02/2024",
        to: Date.UTC(2024, 2, 1),
        to_as_string: "01/03/2024",
        doc_count: 2,
      },
    ]);

    // A value in neither format fails indexing; a bound in neither format fails the query.
    const bad = engine.bulk([{ index: { _id: "x" } }, { when: "2024-02-01" }], { index: "d", refresh: true });
    const item = (bad.items as { index: { status: number; error?: { type: string } } }[])[0]?.index;
    assert.equal(bad.errors, true);
    assert.equal(item?.status, 400);
    assert.equal(item?.error?.type, "mapper_parsing_exception");
    assert.throws(
      () => engine.search("d", { query: { range: { when: { gte: "2024-02-01" } } } }),
      (e: unknown) => e instanceof EngineError && e.type === "parse_exception",
    );
  } finally {
    await engine.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
