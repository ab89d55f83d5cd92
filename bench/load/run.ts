/**
 * Load benchmark (issue 11): one `lodestone serve` process on loopback, mixed traffic open-loop
 * at a fixed rate (default 200 requests/s for 60 s: BM25, neural and hybrid search, RAG asks,
 * recommendations, behaviour pushes and bulk indexing; traffic.ts has the mix), repeated runs to
 * show memory does not grow. Reports throughput, p50/p99/max and errors per route, and the
 * server's RSS and heap (from its own GET /metrics) before and after each run, with the machine's
 * load average. Writes bench/results/load.{json,md}.
 *
 *   npm run bench:load                              # a fresh server over the docs/ corpus
 *   npm run bench:load -- --data-dir /tmp/qs        # a data folder the quickstart ran on
 *   npm run bench:load -- --rps 100 --seconds 20 --runs 1
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { spawnServer } from "../../test/helpers/server-process.ts";
import { PROJECT_ROOT } from "../lib/paths.ts";
import { percentile, type Table, writeResults } from "../lib/report.ts";
import { client, prepare } from "./setup.ts";
import { type LoadResult, openLoop, routeMix } from "./traffic.ts";

const { values: args } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    rps: { type: "string", default: "200" },
    seconds: { type: "string", default: "60" },
    runs: { type: "string", default: "3" },
    warmup: { type: "string", default: "5" },
    "timeout-ms": { type: "string", default: "10000" },
    json: { type: "boolean", default: false },
  },
});
const RPS = Number(args.rps);
const SECONDS = Number(args.seconds);
const RUNS = Number(args.runs);
const WARMUP = Number(args.warmup);
const TIMEOUT_MS = Number(args["timeout-ms"]);
for (const [name, v] of Object.entries({
  rps: RPS,
  seconds: SECONDS,
  runs: RUNS,
  "timeout-ms": TIMEOUT_MS,
})) {
  if (!(v > 0)) throw new Error(`--${name} must be a positive number`);
}
const log = (s: string) => process.stderr.write(`${s}\n`);

/** The server's own view of its memory, from its Prometheus metrics. */
async function serverMemory(url: string): Promise<{ rss_mb: number; heap_used_mb: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    rss_mb: mb(value("process_resident_memory_bytes")),
    heap_used_mb: mb(value("nodejs_heap_size_used_bytes")),
  };
}

/** Requests each route pattern handled and the time they took, as the server measured them. */
async function serverTimings(url: string): Promise<Map<string, { count: number; sum: number }>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out = new Map<string, { count: number; sum: number }>();
  const line =
    /^lodestone_http_request_duration_seconds_(sum|count)\{server="(\w+)",method="(\w+)",route="([^"]*)",status="\w+"\} (\S+)$/gm;
  for (const m of text.matchAll(line)) {
    const key = `${m[2]} ${m[3]} ${m[4]}`;
    const entry = out.get(key) ?? { count: 0, sum: 0 };
    entry[m[1] as "sum" | "count"] += Number(m[5]);
    out.set(key, entry);
  }
  return out;
}

/** The server's view of one run: per route pattern, requests finished and their mean time. */
function serverSide(
  before: Map<string, { count: number; sum: number }>,
  after: Map<string, { count: number; sum: number }>,
) {
  const rows: Record<string, { handled: number; mean_ms: number }> = {};
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, sum: 0 };
    const handled = a.count - b.count;
    if (handled > 0 && !key.endsWith("/metrics"))
      rows[key] = { handled, mean_ms: Math.round(((a.sum - b.sum) / handled) * 10000) / 10 };
  }
  return rows;
}

function summarize(result: LoadResult) {
  const byRoute = new Map<string, LoadResult["samples"]>();
  for (const s of result.samples) byRoute.set(s.route, [...(byRoute.get(s.route) ?? []), s]);
  const row = (samples: LoadResult["samples"]) => {
    const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
    const errors: Record<string, number> = {};
    for (const s of samples) if (!s.ok) errors[s.outcome] = (errors[s.outcome] ?? 0) + 1;
    return {
      requests: samples.length,
      per_second: Math.round((samples.length / result.wallSeconds) * 10) / 10,
      errors: samples.length - samples.filter((s) => s.ok).length,
      error_kinds: errors,
      p50_ms: Math.round(percentile(ms, 50) * 10) / 10,
      p99_ms: Math.round(percentile(ms, 99) * 10) / 10,
      max_ms: Math.round((ms[ms.length - 1] ?? 0) * 10) / 10,
    };
  };
  return {
    routes: Object.fromEntries([...byRoute].map(([route, samples]) => [route, row(samples)])),
    total: row(result.samples),
    wall_seconds: Math.round(result.wallSeconds * 10) / 10,
    max_send_lag_ms: Math.round(result.maxSendLagMs),
  };
}

const fresh = !args["data-dir"];
const dataDir = args["data-dir"]
  ? path.resolve(args["data-dir"])
  : fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-bench-load-"));
// the benchmark measures serving: no periodic retraining or catalog syncs in the middle of a run
process.env.LODESTONE_RECOMMEND_RETRAIN_INTERVAL_MS = "0";
process.env.LODESTONE_RECOMMEND_SYNC_INTERVAL_MS = "0";
log(`starting lodestone serve on ${dataDir} …`);
const server = await spawnServer(dataDir, undefined, undefined, 120_000);
try {
  const servers = { api: client(server.url), search: client(server.searchUrl), searchUrl: server.searchUrl };
  const setupStarted = performance.now();
  const target = await prepare(servers, fresh, log);
  const setupSeconds = Math.round((performance.now() - setupStarted) / 1000);
  const questions = (
    JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "bench/rag/questions.json"), "utf8")) as {
      questions: { question: string }[];
    }
  ).questions.map((q) => q.question);
  const urls = { api: server.url, search: server.searchUrl };
  if (WARMUP > 0) {
    log(`warming up for ${WARMUP} s …`);
    await openLoop(routeMix(target, urls, questions, 0), {
      rps: RPS,
      seconds: WARMUP,
      timeoutMs: TIMEOUT_MS,
      seed: 99,
      idPrefix: "warmup",
    });
  }
  const runs: Record<string, unknown>[] = [];
  for (let run = 1; run <= RUNS; run++) {
    const before = await serverMemory(server.url);
    const timingsBefore = await serverTimings(server.url);
    const loadBefore = os.loadavg()[0] as number;
    log(`run ${run}/${RUNS}: ${RPS} requests/s for ${SECONDS} s …`);
    const result = await openLoop(routeMix(target, urls, questions, run), {
      rps: RPS,
      seconds: SECONDS,
      timeoutMs: TIMEOUT_MS,
      seed: run,
      idPrefix: `load-${run}`,
    });
    // a moment for the last responses' garbage and the server's timers before reading memory
    await new Promise((r) => setTimeout(r, 2000));
    const after = await serverMemory(server.url);
    const summary = summarize(result);
    const server_side = serverSide(timingsBefore, await serverTimings(server.url));
    runs.push({
      run,
      ...summary,
      server_side,
      memory: { before, after },
      load_average: [loadBefore, os.loadavg()[0]],
    });
    log(
      `  ${summary.total.requests} requests, ${summary.total.errors} errors, p50 ${summary.total.p50_ms} ms, p99 ${summary.total.p99_ms} ms; RSS ${before.rss_mb} → ${after.rss_mb} MB`,
    );
  }
  const routes = Object.keys((runs[0] as { routes: Record<string, unknown> }).routes).sort();
  const tables: Table[] = runs.map((r) => {
    const rr = r as ReturnType<typeof summarize> & { run: number; load_average: number[] };
    return {
      title: `Run ${rr.run}: ${RPS} requests/s open loop for ${SECONDS} s (load average ${rr.load_average.map((x) => x.toFixed(1)).join(" → ")} on ${os.cpus().length} cores, max send lag ${rr.max_send_lag_ms} ms)`,
      columns: ["route", "requests", "per second", "errors", "p50 ms", "p99 ms", "max ms"],
      rows: [...routes, "all"].map((name) => {
        const x = name === "all" ? rr.total : (rr.routes[name] as ReturnType<typeof summarize>["total"]);
        const kinds = Object.entries(x.error_kinds)
          .map(([k, n]) => `${k}×${n}`)
          .join(" ");
        return [
          name,
          x.requests,
          x.per_second,
          kinds ? `${x.errors} (${kinds})` : x.errors,
          x.p50_ms,
          x.p99_ms,
          x.max_ms,
        ];
      }),
    };
  });
  tables.push({
    title:
      "As the server measured them (its /metrics): requests finished per route pattern and their mean time, per run",
    columns: [
      "route",
      ...runs.map((r) => `run ${r.run} handled`),
      ...runs.map((r) => `run ${r.run} mean ms`),
    ],
    rows: [...new Set(runs.flatMap((r) => Object.keys(r.server_side as object)))].sort().map((key) => {
      const cells = runs.map(
        (r) => (r.server_side as Record<string, { handled: number; mean_ms: number }>)[key],
      );
      return [key, ...cells.map((c) => c?.handled ?? 0), ...cells.map((c) => c?.mean_ms ?? 0)];
    }),
  });
  tables.push({
    title: "Server memory (from its GET /metrics) before and after each run",
    columns: ["run", "RSS before MB", "RSS after MB", "heap used before MB", "heap used after MB"],
    rows: runs.map((r) => {
      const m = (r as { memory: Record<string, { rss_mb: number; heap_used_mb: number }> }).memory;
      return [
        String(r.run),
        m.before?.rss_mb ?? 0,
        m.after?.rss_mb ?? 0,
        m.before?.heap_used_mb ?? 0,
        m.after?.heap_used_mb ?? 0,
      ];
    }),
  });
  const json = {
    rps: RPS,
    seconds: SECONDS,
    warmup_seconds: WARMUP,
    timeout_ms: TIMEOUT_MS,
    data: fresh ? "fresh: docs/ corpus, built-in embedder endpoint" : dataDir,
    setup_seconds: setupSeconds,
    target: { ...target, items: target.items.length, users: target.users.length },
    runs,
  };
  const md = writeResults("load", json, tables);
  process.stdout.write(args.json ? `${JSON.stringify(json, null, 2)}\n` : md);
} finally {
  server.child.kill("SIGTERM");
  await new Promise((r) => server.child.once("exit", r));
  if (fresh) fs.rmSync(dataDir, { recursive: true, force: true });
}
