/** Number formatting of aggregation output: Java's Double.toString and a small DecimalFormat. */

/** A DocValueFormat-like formatter for *_as_string fields and bucket keys. */
export type Formatter = (v: number) => string;

/** Java's Double.toString, which ES uses for RAW-formatted doubles (range keys, histogram keyed keys). */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (!Number.isFinite(n)) return n > 0 ? "Infinity" : "-Infinity";
  if (n === 0) return Object.is(n, -0) ? "-0.0" : "0.0";
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes(".") ? s : `${s}.0`;
  }
  const [mant = "", exp = "0"] = n.toExponential().split("e");
  return `${mant.includes(".") ? mant : `${mant}.0`}E${Number(exp)}`;
}

/** A small java.text.DecimalFormat: `0.00`, `#,##0.0`, `#.###`, prefixes/suffixes, `%`. */
export function decimalFormatter(pattern: string): Formatter {
  const m = /^([^#0,.%]*)([#0,]*)(?:\.([#0]*))?(.*)$/.exec(pattern);
  if (!m || (m[2] === "" && m[3] === undefined)) return (v) => javaDouble(v);
  const [, prefix = "", intPart = "", frac = "", suffix = ""] = m;
  const percent = suffix.includes("%");
  const minInt = (intPart.match(/0/g) ?? []).length;
  const lastComma = intPart.lastIndexOf(",");
  const group = lastComma === -1 ? 0 : intPart.length - lastComma - 1;
  const minFrac = (frac.match(/0/g) ?? []).length;
  const maxFrac = frac.length;
  return (value) => {
    let v = percent ? value * 100 : value;
    const neg = v < 0;
    v = Math.abs(v);
    let [ip = "0", fp = ""] = v.toFixed(maxFrac).split(".");
    fp = fp.replace(/0+$/, "");
    if (fp.length < minFrac) fp = fp.padEnd(minFrac, "0");
    if (ip === "0" && minInt === 0 && fp !== "") ip = "";
    ip = ip.padStart(minInt, "0");
    if (group > 0) ip = ip.replace(new RegExp(`\\B(?=(\\d{${group}})+(?!\\d))`, "g"), ",");
    const body = fp === "" ? ip || "0" : `${ip}.${fp}`;
    return `${neg && /[1-9]/.test(body) ? "-" : ""}${prefix}${body}${suffix}`;
  };
}
