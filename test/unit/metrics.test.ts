import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeLabelValue, MetricsRegistry } from "../../src/common/metrics.ts";

test("counters and gauges print HELP, TYPE and one line per label set, in first-use order", async () => {
  const r = new MetricsRegistry();
  const c = r.counter({
    name: "http_requests_total",
    help: "Requests served.",
    labelNames: ["method", "code"],
  });
  const g = r.gauge({ name: "in_flight", help: "Requests\nin flight \\ now." });
  c.inc({ method: "GET", code: 200 });
  c.inc({ code: 200, method: "GET" }, 2);
  c.inc({ method: "POST", code: 500 });
  g.inc();
  g.inc();
  g.dec();
  assert.equal(
    await r.expose(),
    [
      "# HELP http_requests_total Requests served.",
      "# TYPE http_requests_total counter",
      'http_requests_total{method="GET",code="200"} 3',
      'http_requests_total{method="POST",code="500"} 1',
      "# HELP in_flight Requests\\nin flight \\\\ now.",
      "# TYPE in_flight gauge",
      "in_flight 1",
      "",
    ].join("\n"),
  );
});

test("label values escape backslash, double quote and newline", async () => {
  assert.equal(escapeLabelValue('a\\b"c\nd'), 'a\\\\b\\"c\\nd');
  const r = new MetricsRegistry();
  r.gauge({ name: "g", help: "h", labelNames: ["route"] }).set({ route: '/x/"y"\\\n' }, 1.5);
  assert.match(await r.expose(), /^g\{route="\/x\/\\"y\\"\\\\\\n"\} 1\.5$/m);
});

test("histograms print cumulative buckets, +Inf, _sum and _count; a value on a bound counts in it", async () => {
  const r = new MetricsRegistry();
  const h = r.histogram({
    name: "latency_seconds",
    help: "Latency.",
    labelNames: ["route"],
    buckets: [0.1, 1],
  });
  for (const v of [0.05, 0.1, 0.5, 3]) h.observe({ route: "/a" }, v);
  assert.equal(
    await r.expose(),
    [
      "# HELP latency_seconds Latency.",
      "# TYPE latency_seconds histogram",
      'latency_seconds_bucket{route="/a",le="0.1"} 2',
      'latency_seconds_bucket{route="/a",le="1"} 3',
      'latency_seconds_bucket{route="/a",le="+Inf"} 4',
      'latency_seconds_sum{route="/a"} 3.65',
      'latency_seconds_count{route="/a"} 4',
      "",
    ].join("\n"),
  );
  assert.deepEqual(h.get({ route: "/a" }), { count: 4, sum: 3.65 });
});

test("special values print as +Inf, -Inf and NaN", async () => {
  const r = new MetricsRegistry();
  const g = r.gauge({ name: "g", help: "h", labelNames: ["k"] });
  g.set({ k: "a" }, Number.POSITIVE_INFINITY);
  g.set({ k: "b" }, Number.NEGATIVE_INFINITY);
  g.set({ k: "c" }, Number.NaN);
  assert.match(await r.expose(), /g\{k="a"\} \+Inf\ng\{k="b"\} -Inf\ng\{k="c"\} NaN\n$/);
});

test("collectors refresh gauges before each exposition; reset drops series that are gone", async () => {
  const r = new MetricsRegistry();
  const g = r.gauge({ name: "jobs", help: "Jobs by state.", labelNames: ["state"] });
  let states: Record<string, number> = { Running: 2, Queuing: 1 };
  r.onCollect(() => {
    g.reset();
    for (const [state, n] of Object.entries(states)) g.set({ state }, n);
  });
  assert.match(await r.expose(), /jobs\{state="Running"\} 2\njobs\{state="Queuing"\} 1/);
  states = { Succeeded: 3 };
  const text = await r.expose();
  assert.match(text, /jobs\{state="Succeeded"\} 3/);
  assert.doesNotMatch(text, /Running/);
});

test("bad names, wrong labels, duplicate metrics and negative counter steps throw", () => {
  const r = new MetricsRegistry();
  assert.throws(() => r.counter({ name: "1bad", help: "h" }), /invalid metric name/);
  assert.throws(() => r.gauge({ name: "g", help: "h", labelNames: ["a-b"] }), /invalid label name/);
  assert.throws(() => r.histogram({ name: "h", help: "h", labelNames: ["le"] }), /reserved/);
  assert.throws(() => r.histogram({ name: "h2", help: "h", buckets: [1, 1] }), /increasing/);
  const c = r.counter({ name: "c_total", help: "h", labelNames: ["a"] });
  assert.throws(() => c.inc({ b: "x" }), /labels must be exactly \{a\}/);
  assert.throws(() => c.inc({ a: "x" }, -1), /only goes up/);
  assert.throws(() => r.counter({ name: "c_total", help: "h" }), /registered twice/);
});
