/**
 * Recommendation serving benchmark: MovieLens latest-small (9.7k movies as the catalog from a CSV
 * datasource, 100k ratings pushed as behaviours) on a `lodestone serve` child process; the
 * retraining job trains every channel (time per channel from its manifest); then an open-loop load
 * generator sends POST /v2/recommend at a fixed rate over loopback (requests leave at their
 * scheduled times whether or not earlier ones answered; latency counts from the scheduled time, so
 * a stall is not hidden) and reports p50/p90/p99/max and errors.
 *
 *   npm run bench:recommend -- [--rps 200] [--seconds 60] [--warmup 5] [--channels item_cf,popular]
 * Writes bench/results/recommend-serve.{json,md}.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { mulberry32 } from "../../src/models/training/random.ts";
import { parseCsv } from "../../src/recommend/sources.ts";
import { DATASETS_DIR, PROJECT_ROOT } from "../lib/paths.ts";
import { writeResults } from "../lib/report.ts";

const { values: args } = parseArgs({
  options: {
    rps: { type: "string", default: "200" },
    seconds: { type: "string", default: "60" },
    warmup: { type: "string", default: "5" },
    channels: { type: "string" },
    // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": node options for the server only (it is then
    // stopped with SIGTERM, so the profile gets written)
    "server-node-args": { type: "string" },
  },
});
const RPS = Number(args.rps);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const ML = path.join(DATASETS_DIR, "movielens-small");
let serverUrl = "";

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  const [port, searchPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    [
      ...(args["server-node-args"]?.split(/\s+/).filter(Boolean) ?? []),
      path.join(PROJECT_ROOT, "bin/lodestone.js"),
      "serve",
      "--data-dir",
      dataDir,
      "--port",
      String(port),
      "--search-port",
      String(searchPort),
    ],
    {
      env: { ...process.env, LODESTONE_LOG_LEVEL: "warn", LODESTONE_RECOMMEND_RETRAIN_INTERVAL_MS: "0" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
    try {
      if ((await fetch(`${url}/health`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error("the server did not start within 30 s");
}

async function call<T>(url: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${route}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/**
 * The load's client: node:http over a fixed pool of keep-alive connections (as wrk and similar
 * tools do), so a slow moment queues requests in the client (still counted from their scheduled
 * time) instead of opening ever more connections on a 2-core machine shared with the server.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${serverUrl}/v2/recommend`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) =>
  sorted.length
    ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number)
    : Number.NaN;

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Body = any;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-bench-recommend-"));
const { child, url } = await startServer(dataDir);
serverUrl = url;
try {
  // the catalog: movies.csv in object storage, a `type: oss` datasource
  await fetch(`${url}/v1/oss/bench`, { method: "PUT" });
  await fetch(`${url}/v1/oss/bench/movies.csv`, {
    method: "PUT",
    body: fs.readFileSync(path.join(ML, "movies.csv")),
  });
  const instance = (
    await call<Body>(url, "POST", "/v2/instances", {
      name: "movielens",
      type: "movie",
      item_id_field: "movieId",
    })
  ).result.instance_id as string;
  const ds = (
    await call<Body>(url, "POST", `/v2/instances/${instance}/datasources`, {
      type: "oss",
      path: "oss://bench/movies.csv",
      fields: { category: "genres" },
    })
  ).result;
  const synced = (
    await call<Body>(url, "POST", `/v2/instances/${instance}/datasources/${ds.datasource_id}/sync`)
  ).result;
  console.log(`catalog: ${synced.sync.items} movies`);

  // the behaviours: every rating, pushed in batches
  const [, ...ratings] = parseCsv(fs.readFileSync(path.join(ML, "ratings.csv"), "utf8"));
  const users = [...new Set(ratings.map((r) => r[0] as string))];
  const items = [...new Set(ratings.map((r) => r[1] as string))];
  const pushStart = performance.now();
  for (let i = 0; i < ratings.length; i += 5000) {
    const batch = ratings.slice(i, i + 5000).map(([user, movie, rating, ts]) => ({
      event_id: `r-${user}-${movie}`,
      user_id: user,
      item_id: movie,
      type: "rating",
      value: Number(rating),
      timestamp: Number(ts),
    }));
    const res = await call<Body>(url, "POST", `/v2/instances/${instance}/behaviors`, { behaviors: batch });
    if (res.result.rejected.length) throw new Error(`rejected: ${JSON.stringify(res.result.rejected[0])}`);
  }
  const pushMs = performance.now() - pushStart;
  console.log(`behaviours: ${ratings.length} ratings pushed in ${(pushMs / 1000).toFixed(1)} s`);

  // training: the retraining job, every channel
  const trainStart = performance.now();
  const train = (
    await call<Body>(
      url,
      "POST",
      `/v2/instances/${instance}/train`,
      args.channels ? { channels: args.channels.split(",") } : undefined,
    )
  ).result;
  let model: Body;
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const job = await call<Body>(url, "GET", `/api/v1/jobs/${train.job_id}`);
    if (job.Status === "Failed" || job.Status === "Stopped")
      throw new Error(`training job ${job.Status}: ${job.ReasonMessage}`);
    model = (await call<Body>(url, "GET", `/v2/instances/${instance}`)).result.model;
    if (model.version) break;
  }
  const trainWallMs = performance.now() - trainStart;
  const manifest = JSON.parse(
    fs.readFileSync(
      path.join(dataDir, "recommend", instance, "models", model.version, "manifest.json"),
      "utf8",
    ),
  );
  console.log(`training: ${(trainWallMs / 1000).toFixed(1)} s (${JSON.stringify(manifest.channels)})`);

  // the load: users with their history (70%), item-to-item (15%), exploration (15%)
  const random = mulberry32(11);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)] as T;
  const request = () => {
    const r = random();
    if (r < 0.7) return { instance_id: instance, user_id: pick(users), size: 10 };
    if (r < 0.85) return { instance_id: instance, items: [pick(items)], size: 10 };
    return {
      instance_id: instance,
      user_id: pick(users),
      size: 10,
      explore: { strategy: "epsilon_greedy", rate: 0.1 },
    };
  };
  const drive = async (seconds: number) => {
    const total = Math.round(seconds * RPS);
    const latencies: number[] = [];
    const errors: string[] = [];
    const start = performance.now() + 50;
    const inflight: Promise<void>[] = [];
    let sent = 0;
    while (sent < total) {
      const now = performance.now();
      // every request whose time has come leaves now, measured from its scheduled time
      while (sent < total && start + (sent * 1000) / RPS <= now) {
        const scheduled = start + (sent * 1000) / RPS;
        const body = JSON.stringify(request());
        sent++;
        inflight.push(
          post(body).then(
            ({ status, text }) => {
              if (status !== 200) errors.push(`${status} ${text.slice(0, 200)}`);
              else latencies.push(performance.now() - scheduled);
            },
            (err) => {
              errors.push(String(err));
            },
          ),
        );
      }
      const next = start + (sent * 1000) / RPS;
      await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
    }
    await Promise.all(inflight);
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    return { total, ok: latencies.length, errors, achievedRps: total / elapsed, latencies };
  };
  await drive(WARMUP);
  const load = { before: os.loadavg()[0] };
  const run = await drive(SECONDS);
  const loadAfter = os.loadavg()[0];
  const serve = {
    rps: RPS,
    seconds: SECONDS,
    requests: run.total,
    errors: run.errors.length,
    first_errors: run.errors.slice(0, 3),
    achieved_rps: Number(run.achievedRps.toFixed(1)),
    p50_ms: Number(percentile(run.latencies, 50).toFixed(2)),
    p90_ms: Number(percentile(run.latencies, 90).toFixed(2)),
    p99_ms: Number(percentile(run.latencies, 99).toFixed(2)),
    max_ms: Number((run.latencies.at(-1) ?? Number.NaN).toFixed(2)),
    load_average_1m: { before: Number(load.before?.toFixed(2)), after: Number(loadAfter?.toFixed(2)) },
  };
  console.log(JSON.stringify(serve));
  const md = writeResults(
    "recommend-serve",
    {
      dataset: "movielens-small",
      catalog_items: synced.sync.items,
      behaviours: ratings.length,
      push_ms: Math.round(pushMs),
      training: {
        wall_ms: Math.round(trainWallMs),
        channels: manifest.channels,
        blend: manifest.blend ?? null,
      },
      serve,
    },
    [
      {
        title: `POST /v2/recommend, open loop at ${RPS} req/s for ${SECONDS} s over loopback (MovieLens small; 70% users, 15% item-to-item, 15% with exploration)`,
        columns: [
          "requests",
          "errors",
          "achieved req/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "max ms",
          "load avg (1 min) before/after",
        ],
        rows: [
          [
            serve.requests,
            serve.errors,
            serve.achieved_rps,
            serve.p50_ms,
            serve.p90_ms,
            serve.p99_ms,
            serve.max_ms,
            `${serve.load_average_1m.before} / ${serve.load_average_1m.after}`,
          ],
        ],
      },
      {
        title: `Training (the recommend-train job; ${ratings.length} ratings, ${users.length} users, ${items.length} movies)`,
        columns: ["channel", "train ms"],
        rows: [
          ...Object.entries(manifest.channels as Record<string, { train_ms: number }>).map(
            ([c, v]): [string, number] => [c, v.train_ms],
          ),
          ...(manifest.blend
            ? [
                [
                  `learned blend ${JSON.stringify(manifest.blend.weights)} (nDCG@20 ${manifest.blend.validation_ndcg.toFixed(4)} on ${manifest.blend.users} users)`,
                  manifest.blend.fit_ms,
                ] as [string, number],
              ]
            : []),
          ["job, wall clock (start, export, train, load)", Math.round(trainWallMs)],
        ],
      },
    ],
  );
  console.log(md);
} finally {
  if (args["server-node-args"]) {
    child.kill("SIGTERM");
    await new Promise((resolve) => child.once("exit", resolve));
  } else child.kill("SIGKILL");
  agent.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
