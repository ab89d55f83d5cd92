/** The terms aggregation's include/exclude: exact values, Lucene regular expressions, partitions. */
import { AggregationError, type AggSpec, type Env } from "./core.ts";
import { partitionOf } from "./hash.ts";
import { paramError } from "./parse.ts";
import { parseNumericValue, type Source } from "./sources.ts";
import { escapeRegex, isAbsent, isObject } from "./util.ts";

type KeyFilter = (key: string | number) => boolean;

/** include/exclude: arrays of exact values, Lucene regular expressions, or {partition, num_partitions}. */
export function termFilter(spec: AggSpec, src: Source, env: Env, numeric: boolean): KeyFilter | undefined {
  const { include, exclude } = spec.body;
  if (include === undefined && exclude === undefined) return undefined;
  const exactSrc: Source = src.kind === "unmapped" ? { ...src, kind: "number" } : src;
  /** The forms include and exclude share: a regex string or an array of exact values. */
  const valuesFilter = (value: unknown): KeyFilter | undefined => {
    if (typeof value === "string") {
      if (numeric) {
        throw new AggregationError(
          `Aggregation [${spec.name}] cannot support regular expression style include/exclude settings as they can only be applied to string fields. Use an array of numeric values for include/exclude clauses used to filter numeric fields`,
          spec.path,
        );
      }
      const re = luceneRegex(value, spec);
      return (k) => re.test(k as string);
    }
    if (!Array.isArray(value)) return undefined;
    // Parse errors name [include] for exclude values too, as before the split.
    const set = new Set(
      value.map((v) => (numeric ? parseNumericValue(v, exactSrc, env, spec, "include") : String(v))),
    );
    return (k) => set.has(k);
  };
  let inc = valuesFilter(include);
  if (inc === undefined && isObject(include)) inc = partitionFilter(spec, src, include);
  else if (inc === undefined && !isAbsent(include)) {
    throw paramError(spec, "include", "a string, an array or an object", include);
  }
  const exc = valuesFilter(exclude);
  if (exc === undefined && !isAbsent(exclude))
    throw paramError(spec, "exclude", "a string or an array", exclude);
  return (k) => (inc === undefined || inc(k)) && (exc === undefined || !exc(k));
}

function partitionFilter(spec: AggSpec, src: Source, include: Record<string, unknown>): KeyFilter {
  const { partition, num_partitions: num } = include;
  if (
    typeof partition !== "number" ||
    typeof num !== "number" ||
    partition < 0 ||
    num <= 0 ||
    partition >= num
  ) {
    throw new AggregationError(
      `[include] partition based filtering requires [partition] and [num_partitions] with 0 <= partition < num_partitions`,
      spec.path,
    );
  }
  const longKeys = src.integral || src.kind === "date" || src.kind === "boolean";
  return (k) => partitionOf(k, longKeys, num) === partition;
}

/** Lucene RegExp (ES include/exclude syntax) as an anchored JS RegExp. */
function luceneRegex(pattern: string, spec: AggSpec): RegExp {
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== undefined) {
        out += /[A-Za-z0-9]/.test(next) && !/[dDsSwW]/.test(next) ? next : `\\${next}`;
        i++;
      }
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      continue;
    }
    if (c === "[") {
      inClass = true;
      out += c;
    } else if (c === "@") out += "[\\s\\S]*";
    else if (c === "#") out += "(?!)";
    else if (c === '"') {
      const end = pattern.indexOf('"', i + 1);
      out += escapeRegex(pattern.slice(i + 1, end === -1 ? undefined : end));
      i = end === -1 ? pattern.length : end;
    } else if (c === "<") {
      const m = /^<(\d+)-(\d+)>/.exec(pattern.slice(i));
      if (!m) out += "<";
      else {
        out += numericRangeRegex(Number(m[1]), Number(m[2]));
        i += m[0].length - 1;
      }
    } else out += c;
  }
  try {
    return new RegExp(`^(?:${out})$`, "s");
  } catch (err) {
    throw new AggregationError(
      `Invalid regular expression [${pattern}]: ${(err as Error).message}`,
      spec.path,
    );
  }
}

/** Lucene's `<lo-hi>` numeric interval (leading zeros allowed), capped at 10,000 alternatives. */
function numericRangeRegex(a: number, b: number): string {
  const alts: string[] = [];
  for (let n = Math.min(a, b); n <= Math.max(a, b) && alts.length < 10000; n++) alts.push(String(n));
  return `0*(?:${alts.join("|")})`;
}
