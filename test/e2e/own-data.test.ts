/**
 * The "On your own data" tutorial of docs/workflows.md, as a user follows it: a folder of Markdown
 * files, `workflows/quickstart.yaml` copied beside it with the names, data source and bucket
 * changed, `lodestone workflow run`; unchanged, a re-run only evaluates; after editing a file it
 * retrains and reindexes; then the tutorial's hybrid + rerank search on the server it built.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import YAML from "yaml";
import type { WorkflowReport } from "../../src/workflow/runner.ts";
import { api, tempDir } from "../helpers/platform.ts";
import { killServer, PROJECT_ROOT, runCli, spawnServer, waitFor } from "../helpers/server-process.ts";

const TOPICS: Record<string, string[]> = {
  "log-rotation": [
    "The daemon writes its logs to /var/log/harbor. Rotation happens nightly and keeps fourteen compressed files.",
    "To rotate the logs by hand, send SIGHUP to the daemon; it reopens every log file without dropping connections.",
    "Log levels are debug, info, warn and error. The default level is info and can be changed at runtime.",
  ],
  backups: [
    "Backups are incremental snapshots taken every six hours and stored in the archive bucket.",
    "A restore replays the latest full snapshot and then each incremental snapshot in order.",
    "Snapshots older than thirty days are pruned by the retention job unless they are pinned.",
  ],
  "access-control": [
    "Users authenticate with short-lived tokens issued by the identity service after a password check.",
    "Roles grant permissions on projects; an administrator can assign roles to groups of users.",
    "Revoking a token takes effect within one minute on every node of the cluster.",
  ],
  networking: [
    "Each node listens on port 7443 for peer traffic, encrypted with mutual TLS certificates.",
    "Peers discover each other through a seed list; a node that misses three heartbeats is marked down.",
    "Bandwidth between regions is limited by the replication throttle, set in megabytes per second.",
  ],
  upgrades: [
    "Rolling upgrades replace one node at a time; the cluster keeps serving while a node restarts.",
    "Before an upgrade, run the compatibility check: it refuses versions more than one release apart.",
    "A failed upgrade rolls the node back to the previous binary and reports the reason in the audit log.",
  ],
  monitoring: [
    "Metrics are exported in Prometheus format on the admin port, including queue depth and latency.",
    "Alerts fire when disk usage passes eighty percent or when replication lag exceeds thirty seconds.",
    "Dashboards show request rates per tenant and the slowest queries of the last hour.",
  ],
};

function writeDocs(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, paragraphs] of Object.entries(TOPICS)) {
    const title = name.replace("-", " ");
    const sections = paragraphs.map((p, i) => `## ${title} part ${i + 1}\n\n${p}\n`);
    fs.writeFileSync(path.join(dir, `${name}.md`), `# ${title}\n\n${sections.join("\n")}`);
  }
}

/** quickstart.yaml with the tutorial's edits (and shorter training for the test). */
function myWorkflow(): Record<string, unknown> {
  const wf = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, "workflows", "quickstart.yaml"), "utf8"));
  wf.name = "my-corpus";
  wf.data.source = "./my-docs";
  wf.data.oss = "oss://mine/data/";
  wf.training.embedder = {
    ...wf.training.embedder,
    name: "my-embedder",
    output: "oss://mine/models/embedder/",
  };
  wf.training.embedder.hyper_parameters.epochs = 6;
  wf.training.reranker = {
    ...wf.training.reranker,
    name: "my-reranker",
    output: "oss://mine/models/reranker/",
  };
  wf.training.reranker.hyper_parameters.epochs = 60;
  wf.index.name = "my-index";
  wf.pipelines = {
    ...wf.pipelines,
    ingest: "my-index-embed",
    hybrid: "my-index-hybrid",
    rerank: "my-index-hybrid-rerank",
  };
  return wf;
}

test("the own-data tutorial: run, re-run unchanged, edit a file, search what it built", async () => {
  const work = tempDir("lodestone-own-data-");
  const dataDir = path.join(work, "data");
  writeDocs(path.join(work, "my-docs"));
  const file = path.join(work, "my-corpus.yaml");
  fs.writeFileSync(file, YAML.stringify(myWorkflow()));
  const run = async () => {
    const out = await runCli(
      [
        "workflow",
        "run",
        file,
        "--data-dir",
        dataDir,
        "--port",
        "0",
        "--search-port",
        "0",
        "--no-serve",
        "--json",
      ],
      { timeoutMs: 600_000 },
    );
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout) as WorkflowReport;
  };

  const first = await run();
  assert.equal(first.workflow, "my-corpus");
  assert.equal(first.index.name, "my-index");
  assert.ok(first.jobs.embedder.trained && first.jobs.reranker.trained);
  assert.ok(first.data.test_queries > 0 && first.data.documents >= 18, JSON.stringify(first.data));
  assert.deepEqual(
    first.evaluation.map((r) => r.name),
    ["bm25", "neural", "hybrid", "hybrid_rerank", "tuned", "tuned_bm25"],
  );
  for (const row of first.evaluation) assert.ok(row.ndcg10 > 0, `${row.name} found nothing`);

  const unchanged = await run();
  assert.equal(unchanged.jobs.embedder.trained, false);
  assert.equal(unchanged.index.reused, true);
  assert.deepEqual(
    unchanged.evaluation.map((r) => r.ndcg10),
    first.evaluation.map((r) => r.ndcg10),
  );

  fs.appendFileSync(
    path.join(work, "my-docs", "backups.md"),
    "\n## backups part 4\n\nEncrypted backups use a key held by the operator, never by the archive bucket.\n",
  );
  const edited = await run();
  assert.equal(edited.jobs.embedder.trained, true, "an edited file retrains");
  assert.notEqual(edited.jobs.embedder.id, first.jobs.embedder.id);
  assert.equal(edited.index.reused, false, "an edited file reindexes");
  assert.ok(edited.data.documents > first.data.documents);

  // the tutorial's search, on a server over the same data directory
  const server = await spawnServer(dataDir);
  try {
    // endpoints come back after a restart: the tutorial's search waits until both run again
    for (const model of [edited.models.embedder, edited.models.reranker])
      await waitFor(
        async () => {
          const ep = await api<{ status: string }>(server.url, "GET", `/v1/endpoints/${model.endpoint_id}`);
          return ep.body.status === "Running" ? true : undefined;
        },
        60_000,
        `${model.endpoint_id} Running`,
      );
    const text = "how do I rotate the logs";
    const res = await api<{ hits: { hits: Array<{ _id: string }> } }>(
      server.searchUrl,
      "POST",
      "/my-index/_search?search_pipeline=my-index-hybrid-rerank",
      {
        query: {
          hybrid: {
            queries: [
              { match: { content: text } },
              {
                neural: {
                  embedding: { query_text: text, model_id: edited.models.embedder.endpoint_id, k: 100 },
                },
              },
            ],
          },
        },
        ext: { rerank: { query_context: { query_text: text } } },
      },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.match(res.body.hits.hits[0]?._id ?? "", /^log-rotation\.md#/);
  } finally {
    await killServer(server, "SIGTERM");
  }
});
