/**
 * A small metrics registry (counters, gauges, histograms) and its Prometheus text exposition
 * (format 0.0.4): `# HELP` and `# TYPE` lines, escaped label values, cumulative `_bucket` series
 * with `le="+Inf"`, `_sum` and `_count`. Written here because `prom-client` is not a dependency;
 * it keeps only what Lodestone exports. Series are keyed by their label values in the metric's
 * declared label order, so a label set always prints the same way.
 */

export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type Labels = Readonly<Record<string, string | number>>;

interface MetricOptions {
  name: string;
  help: string;
  labelNames?: readonly string[];
}

/** The values of `labels` in `labelNames` order; a missing or unknown label is a programming error. */
function labelValues(metric: string, labelNames: readonly string[], labels: Labels): string[] {
  const given = Object.keys(labels);
  if (given.length !== labelNames.length || given.some((k) => !labelNames.includes(k)))
    throw new Error(
      `${metric}: labels must be exactly {${labelNames.join(", ")}}, got {${given.join(", ")}}`,
    );
  return labelNames.map((n) => String(labels[n]));
}

/** `\` `"` and newlines escaped, as the exposition format requires in label values. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** HELP text escapes only `\` and newlines. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((n, i) => `${n}="${escapeLabelValue(values[i] as string)}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return pairs.length ? `{${pairs.join(",")}}` : "";
}

abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { values: string[]; state: S }>();
  abstract readonly type: "counter" | "gauge" | "histogram";

  constructor(opts: MetricOptions) {
    if (!METRIC_NAME.test(opts.name)) throw new Error(`invalid metric name ${JSON.stringify(opts.name)}`);
    const labelNames = opts.labelNames ?? [];
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith("__"))
        throw new Error(`${opts.name}: invalid label name ${JSON.stringify(l)}`);
    }
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = labelNames;
  }

  protected abstract fresh(): S;
  protected abstract lines(labels: string[], state: S): string[];

  protected state(labels: Labels): S {
    const values = labelValues(this.name, this.labelNames, labels);
    const key = values.join("\u0000");
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, state: this.fresh() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  /** Forgets every series (gauges filled at scrape time start from nothing each time). */
  reset(): void {
    this.series.clear();
  }

  expose(): string {
    const out = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    for (const { values, state } of this.series.values()) out.push(...this.lines(values, state));
    return out.join("\n");
  }
}

/** A value that only goes up (requests served); by convention its name ends in `_total`. */
export class Counter extends Metric<{ v: number }> {
  readonly type = "counter";
  protected fresh() {
    return { v: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`${this.name}: a counter only goes up, got ${by}`);
    this.state(labels).v += by;
  }
  get(labels: Labels = {}): number {
    return this.state(labels).v;
  }
  protected lines(values: string[], s: { v: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatValue(s.v)}`];
  }
}

/** A value that goes up and down (requests in flight, queue depth, bytes). */
export class Gauge extends Metric<{ v: number }> {
  readonly type = "gauge";
  protected fresh() {
    return { v: 0 };
  }
  set(labels: Labels, value: number): void {
    this.state(labels).v = value;
  }
  inc(labels: Labels = {}, by = 1): void {
    this.state(labels).v += by;
  }
  dec(labels: Labels = {}, by = 1): void {
    this.state(labels).v -= by;
  }
  get(labels: Labels = {}): number {
    return this.state(labels).v;
  }
  protected lines(values: string[], s: { v: number }) {
    return [`${this.name}${labelText(this.labelNames, values)} ${formatValue(s.v)}`];
  }
}

/** Seconds, from 1 ms to 10 s: request and model-call latencies. */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

interface HistogramState {
  /** Per bucket, observations ≤ its bound and above the previous one (made cumulative on output). */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** Observations counted into fixed buckets, with their sum and count. */
export class Histogram extends Metric<HistogramState> {
  readonly type = "histogram";
  readonly buckets: Float64Array;

  constructor(opts: MetricOptions & { buckets?: readonly number[] }) {
    super(opts);
    if (this.labelNames.includes("le"))
      throw new Error(`${opts.name}: "le" is reserved for histogram buckets`);
    const buckets = [...(opts.buckets ?? LATENCY_BUCKETS)];
    if (
      !buckets.length ||
      buckets.some((b, i) => !Number.isFinite(b) || (i > 0 && b <= (buckets[i - 1] as number)))
    )
      throw new Error(`${opts.name}: buckets must be finite and increasing`);
    this.buckets = Float64Array.from(buckets);
  }

  protected fresh(): HistogramState {
    return { counts: new Float64Array(this.buckets.length), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    const s = this.state(labels);
    // the first bucket whose upper bound holds the value; above the last one only +Inf counts it
    let lo = 0;
    let hi = this.buckets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.buckets[mid] as number) < value) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.buckets.length) s.counts[lo] = (s.counts[lo] as number) + 1;
    s.sum += value;
    s.count++;
  }

  /** The count and sum of one series (tests and the load bench read them). */
  get(labels: Labels): { count: number; sum: number } {
    const s = this.state(labels);
    return { count: s.count, sum: s.sum };
  }

  protected lines(values: string[], s: HistogramState) {
    const out: string[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += s.counts[i] as number;
      const le = formatValue(this.buckets[i] as number);
      out.push(`${this.name}_bucket${labelText(this.labelNames, values, ["le", le])} ${cumulative}`);
    }
    out.push(`${this.name}_bucket${labelText(this.labelNames, values, ["le", "+Inf"])} ${s.count}`);
    out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(s.sum)}`);
    out.push(`${this.name}_count${labelText(this.labelNames, values)} ${s.count}`);
    return out;
  }
}

type AnyMetric = Counter | Gauge | Histogram;

/** The metrics of one process, and the callbacks that refresh scrape-time gauges. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, AnyMetric>();
  private readonly collectors: Array<() => void | Promise<void>> = [];

  private add<M extends AnyMetric>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} is registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter(opts: MetricOptions): Counter {
    return this.add(new Counter(opts));
  }
  gauge(opts: MetricOptions): Gauge {
    return this.add(new Gauge(opts));
  }
  histogram(opts: MetricOptions & { buckets?: readonly number[] }): Histogram {
    return this.add(new Histogram(opts));
  }

  /** Runs before every exposition, e.g. to read job states from the database into gauges. */
  onCollect(collect: () => void | Promise<void>): void {
    this.collectors.push(collect);
  }

  /** The text exposition of every metric, in registration order, ending with a newline. */
  async expose(): Promise<string> {
    for (const collect of this.collectors) await collect();
    return `${[...this.metrics.values()].map((m) => m.expose()).join("\n")}\n`;
  }
}
