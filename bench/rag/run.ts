/**
 * RAG benchmark on the docs corpus after the quickstart: latency (p50/p99) of asking the `docs`
 * app (hybrid + rerank + the built-in answerer) and of its retrieval alone, at 1 and 16
 * concurrent users, over HTTP on loopback; and answer groundedness on the questions in
 * bench/rag/questions.json (written from docs/): the share of answer sentences supported by the
 * chunks they cite (groundedness.ts says exactly what "supported" means). A BM25-only copy of the
 * app runs the same questions in the same run, for comparison. Writes bench/results/rag.{json,md}.
 *
 *   npm run bench:rag                             # runs the quickstart into a temporary folder first
 *   npm run bench:rag -- --data-dir /tmp/qs       # reuses a data folder the quickstart ran on
 *   npm run bench:rag -- --seconds 5 --json
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config/load.ts";
import type { App } from "../../src/rag/app-schema.ts";
import type { ChatAnswer } from "../../src/rag/chat.ts";
import { startPlatform } from "../../src/server/platform.ts";
import { PROJECT_ROOT } from "../lib/paths.ts";
import { writeResults } from "../lib/report.ts";
import { grounding, OVERLAP } from "./groundedness.ts";

const { values: args } = parseArgs({
  options: {
    "data-dir": { type: "string" },
    app: { type: "string", default: "docs" },
    seconds: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
  },
});
const seconds = Number(args.seconds);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Question {
  id: string;
  question: string;
  source: string;
}
const questions = (
  JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "bench/rag/questions.json"), "utf8")) as {
    questions: Question[];
  }
).questions;

/** The data folder: the one given, or a fresh quickstart run. */
function dataDir(): string {
  if (args["data-dir"]) return path.resolve(args["data-dir"]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lodestone-bench-rag-"));
  log(`running the quickstart into ${dir} (a few minutes) …`);
  const run = spawnSync(
    process.execPath,
    [
      path.join(PROJECT_ROOT, "bin/lodestone.js"),
      "quickstart",
      "--data-dir",
      dir,
      "--port",
      "0",
      "--search-port",
      "0",
      "--no-serve",
      "--json",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (run.status !== 0) throw new Error(`the quickstart failed (exit ${run.status})`);
  return dir;
}

const dir = dataDir();
const config = loadConfig({
  env: {},
  cwd: dir,
  flags: { dataDir: dir, port: 0, searchPort: 0, logLevel: "silent" },
}).config;
const running = await startPlatform(config);

async function call<T>(method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${running.url}${route}`, {
    method,
    ...(body !== undefined && {
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 400)}`);
  return JSON.parse(text) as T;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Closed loop: `users` clients each asking the next question as soon as the last answer came. */
async function load(route: string, users: number) {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  let n = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: users }, async () => {
      while (performance.now() < end) {
        const q = questions[n++ % questions.length] as Question;
        const t0 = performance.now();
        await call("POST", route, { query: q.question });
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const wall = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    per_second: latencies.length / wall,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
  };
}

try {
  // endpoints come back with the server: wait until they serve
  for (const deadline = Date.now() + 120_000; ; ) {
    const { data } = await call<{ data: { status: string }[] }>("GET", "/v1/endpoints");
    if (data.every((e) => e.status !== "Creating")) break;
    if (Date.now() > deadline) throw new Error("endpoints still Creating after 2 minutes");
    await new Promise((r) => setTimeout(r, 200));
  }
  const app = await call<App>("GET", `/v1/rag/apps/${args.app}`).catch(() => {
    throw new Error(
      `no RAG app ${args.app} in ${dir}; run the quickstart there first (lodestone quickstart --data-dir ${dir} --no-serve)`,
    );
  });
  const { id: _id, created_at: _c, updated_at: _u, ...definition } = app;
  const bm25Name = `${app.name}-bench-bm25`;
  await call("DELETE", `/v1/rag/apps/${bm25Name}`).catch(() => {});
  await call("POST", "/v1/rag/apps", {
    ...definition,
    name: bm25Name,
    description: "bench/rag: BM25 alone, no reranker",
    retrieval: { ...definition.retrieval, mode: "bm25", model_id: undefined, search_pipeline: undefined },
    rerank: null,
  });
  const variants = [
    {
      name: app.name,
      label: `${app.retrieval.mode}${app.rerank ? ` + rerank (depth ${app.rerank.depth})` : ""}`,
    },
    { name: bm25Name, label: "bm25" },
  ];

  const loadBefore = os.loadavg()[0] ?? 0;
  const quality: Record<string, unknown>[] = [];
  const stageMedians: Record<string, Record<string, number>> = {};
  for (const v of variants) {
    log(`${v.label}: answering ${questions.length} questions …`);
    let sentences = 0;
    let supported = 0;
    let verbatim = 0;
    let refused = 0;
    let citedSource = 0;
    let retrievedSource = 0;
    const stages = new Map<string, number[]>();
    const perQuestion: Record<string, unknown>[] = [];
    for (const q of questions) {
      const a = await call<ChatAnswer>("POST", `/v1/rag/apps/${v.name}/chat`, { query: q.question });
      const passages = await call<{ citations: { n: number; text: string; source: string }[] }>(
        "POST",
        `/v1/rag/apps/${v.name}/retrieve`,
        { query: q.question },
      );
      const g = grounding(a.answer, a.citations);
      sentences += g.sentences;
      supported += g.supported;
      verbatim += g.verbatim;
      if (g.refused) refused++;
      const cited = a.citations.some((c) => c.source === q.source);
      const retrieved = passages.citations.some((c) => c.source === q.source);
      if (cited) citedSource++;
      if (retrieved) retrievedSource++;
      for (const s of a.trace.stages) stages.set(s.stage, [...(stages.get(s.stage) ?? []), s.took_ms]);
      perQuestion.push({
        id: q.id,
        ...g,
        cited_source: cited,
        retrieved_source: retrieved,
        answer: a.answer,
      });
    }
    stageMedians[v.name] = Object.fromEntries(
      [...stages].map(([stage, ms]) => [
        stage,
        percentile(
          ms.sort((x, y) => x - y),
          50,
        ),
      ]),
    );
    quality.push({
      app: v.name,
      label: v.label,
      questions: questions.length,
      answered: questions.length - refused,
      sentences,
      supported,
      verbatim,
      groundedness: sentences ? supported / sentences : 0,
      source_cited: citedSource / questions.length,
      source_retrieved: retrievedSource / questions.length,
      per_question: perQuestion,
    });
  }

  const latency: Record<string, unknown>[] = [];
  for (const v of variants)
    for (const [kind, route] of [
      ["ask", `/v1/rag/apps/${v.name}/chat`],
      ["retrieval", `/v1/rag/apps/${v.name}/retrieve`],
    ] as const)
      for (const users of [1, 16]) {
        log(`${v.label}: ${kind} with ${users} user(s) for ${seconds} s …`);
        latency.push({ app: v.name, label: v.label, kind, users, ...(await load(route, users)) });
      }
  await call("DELETE", `/v1/rag/apps/${bm25Name}`);

  const docs = await call<{ count: number }>("GET", `/v1/rag/apps/${app.name}`).then(async () => {
    const res = await fetch(`${running.searchUrl}/${app.index}/_count`);
    return (await res.json()) as { count: number };
  });
  const json = {
    data_dir: dir,
    app: definition,
    corpus: { index: app.index, chunks: docs.count },
    questions: questions.length,
    seconds_per_level: seconds,
    // other work on the machine moves these figures: the 1-minute load average before and after
    load_average: { before: loadBefore, after: os.loadavg()[0] },
    supported_means: `the claim occurs in a cited chunk (case and whitespace ignored), or at least ${OVERLAP * 100}% of its content terms occur in its cited chunks`,
    latency,
    stage_p50_ms: stageMedians,
    quality,
  };
  const md = writeResults("rag", json, [
    {
      title: `Latency over HTTP, ${docs.count} chunks of docs/ (${seconds} s per row, closed loop; ${os.cpus().length} cores, load average ${loadBefore.toFixed(1)} before, ${(os.loadavg()[0] ?? 0).toFixed(1)} after)`,
      columns: ["app", "measured", "users", "requests", "req/s", "p50 ms", "p99 ms"],
      rows: latency.map((r) => [
        String(r.label),
        String(r.kind),
        r.users as number,
        r.requests as number,
        r.per_second as number,
        r.p50_ms as number,
        r.p99_ms as number,
      ]),
    },
    {
      title: "Stage medians of one answer (ms, from the answers' traces)",
      columns: ["app", "retrieve", "rerank", "generate"],
      rows: variants.map((v) => {
        const s = stageMedians[v.name] ?? {};
        return [v.label, s.retrieve ?? 0, s.rerank ?? "—", s.generate ?? 0];
      }),
    },
    {
      title: `Groundedness on ${questions.length} questions from docs/ (bench/rag/questions.json)`,
      columns: [
        "app",
        "answered",
        "sentences",
        "supported",
        "groundedness",
        "verbatim",
        "source cited",
        "source retrieved",
      ],
      rows: quality.map((q) => [
        String(q.label),
        `${q.answered}/${q.questions}`,
        q.sentences as number,
        q.supported as number,
        q.groundedness as number,
        q.verbatim as number,
        q.source_cited as number,
        q.source_retrieved as number,
      ]),
    },
  ]);
  if (args.json) process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(md);
} finally {
  await running.close();
}
