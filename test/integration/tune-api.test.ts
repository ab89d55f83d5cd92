/**
 * Relevance tuning end to end on Cranfield (BM25 stages: k1/b, clause boosts, RM3): through
 * `POST /_lodestone/tune` and `lodestone tune`. Every proposed change raised both the training and
 * the held-out metric; the tuned index's own settings are untouched and the scratch copy is gone;
 * applying the proposal (its settings and sub-fields to a new index, the pipeline, the query
 * template as a mustache template) and scoring it with `_rank_eval` reproduces the reported
 * held-out figure. Bad requests are 400s
 * naming the field.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DATASETS_DIR } from "../../bench/lib/paths.ts";
import { documentText, loadBeir } from "../../src/eval/beir.ts";
import { BM25_DEFAULTS, bm25IndexBody } from "../../src/eval/bm25-index.ts";
import { requestsFrom, splitJudgements } from "../../src/eval/tune/request.ts";
import type { TuneReport } from "../../src/eval/tune/tuner.ts";
import { api, startTestPlatform } from "../helpers/platform.ts";
import { runCli } from "../helpers/server-process.ts";

const CRANFIELD = path.join(DATASETS_DIR, "cranfield");
const INDEX = "cranfield";
const APPLIED = "cranfield-applied";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

describe("relevance tuning", () => {
  let running: Running;
  const train = loadBeir(CRANFIELD, "train");
  const requests = requestsFrom(train.queries, train.qrels);

  async function bulkLoad(searchUrl: string, index: string): Promise<void> {
    const lines = train.corpus.flatMap((d) => [
      JSON.stringify({ index: { _id: d.id } }),
      JSON.stringify({ id: d.id, contents: documentText(d) }),
    ]);
    const res = await fetch(`${searchUrl}/${index}/_bulk?refresh=true`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${lines.join("\n")}\n`,
    });
    assert.equal(res.status, 200);
  }

  before(async () => {
    running = await startTestPlatform();
    assert.equal(
      (await api(running.searchUrl, "PUT", `/${INDEX}`, bm25IndexBody(BM25_DEFAULTS))).status,
      200,
    );
    await bulkLoad(running.searchUrl, INDEX);
  });
  after(async () => running?.close());

  test("POST /_lodestone/tune proposes only changes that help held-out queries, and the proposal reproduces its figure", async () => {
    const s = running.searchUrl;
    const res = await api<TuneReport>(s, "POST", "/_lodestone/tune", {
      index: INDEX,
      fields: ["contents"],
      requests,
      heldout_share: 0.3,
      stages: ["bm25", "clauses", "prf"],
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const report = res.body;
    assert.equal(report.metric, "ndcg@10");
    assert.equal(report.train_queries + report.heldout_queries, requests.length);
    assert.deepEqual(
      report.stages.map((x) => x.stage),
      ["bm25", "clauses", "prf"],
    );
    for (const stage of report.stages) {
      assert.ok(stage.trials.length > 0, `${stage.stage} tried nothing`);
      const { before: b, after: a } = stage;
      assert.ok(b && a, JSON.stringify(stage));
      if (stage.status === "accepted") {
        assert.ok(a.train > b.train && a.heldout > b.heldout, JSON.stringify({ ...stage, trials: [] }));
      } else if (stage.status === "rejected") {
        assert.ok(a.train > b.train && a.heldout <= b.heldout, JSON.stringify({ ...stage, trials: [] }));
        assert.match(stage.reason ?? "", /held-out/);
      }
    }
    assert.ok(report.tuned.heldout >= report.baseline.heldout);
    // the start configuration is the index as it is: Lucene's Cranfield figure on the whole split
    assert.deepEqual(report.config.clauses.length, 1);

    // the tuned index itself is unchanged and the scratch copy is gone
    const settings = await api<Record<string, { settings: Record<string, string> }>>(
      s,
      "GET",
      `/${INDEX}/_settings?flat_settings=true`,
    );
    assert.equal(Number(settings.body[INDEX]?.settings["index.similarity.default.k1"]), BM25_DEFAULTS.k1);
    assert.equal((await api(s, "GET", `/${INDEX}-lodestone-tune`)).status, 404);

    // apply the proposal to a new index (its settings, the sub-fields it asks for, the same
    // documents) and score the held-out queries there with _rank_eval
    const { proposal } = report;
    const base = bm25IndexBody(BM25_DEFAULTS) as {
      settings: Record<string, unknown>;
      mappings: { properties: Record<string, Record<string, unknown>> };
    };
    const properties = structuredClone(base.mappings.properties);
    for (const [field, extra] of Object.entries(
      (proposal.mappings?.properties ?? {}) as Record<string, Record<string, unknown>>,
    ))
      properties[field] = { ...properties[field], ...extra };
    const applied = await api(s, "PUT", `/${APPLIED}`, {
      settings: { ...base.settings, ...proposal.index_settings },
      mappings: { properties },
    });
    assert.equal(applied.status, 200, JSON.stringify(applied.body));
    await bulkLoad(s, APPLIED);
    let query = "";
    if (proposal.search_pipeline) {
      assert.equal((await api(s, "PUT", "/_search/pipeline/tuned", proposal.search_pipeline)).status, 200);
      query = "?search_pipeline=tuned";
    }
    const heldout = splitJudgements(
      {
        queries: train.queries.filter((q) => train.qrels.has(q.id)),
        qrels: train.qrels,
      },
      0.3,
    ).heldout;
    // the query template as a mustache search template of _rank_eval
    const evalBody = {
      templates: [{ id: "tuned", template: { source: proposal.query_template } }],
      requests: requestsFrom(heldout.queries, heldout.qrels).map((r) => ({
        id: r.id,
        template_id: "tuned",
        params: { query_text: r.query_text },
        ratings: r.ratings.map((x) => ({ _index: APPLIED, ...x })),
      })),
      metric: { dcg: { k: 10, normalize: true } },
    };
    const evaluated = await api<{ metric_score: number }>(
      s,
      "POST",
      `/${APPLIED}/_rank_eval${query}`,
      evalBody,
    );
    assert.equal(evaluated.status, 200, JSON.stringify(evaluated.body));
    assert.ok(
      Math.abs(evaluated.body.metric_score - report.tuned.heldout) < 1e-4,
      `_rank_eval ${evaluated.body.metric_score} vs reported ${report.tuned.heldout}`,
    );
  });

  test("lodestone tune --dataset --test reports the test split beside train and held-out", async () => {
    const out = await runCli(
      [
        "tune",
        "--search-url",
        running.searchUrl,
        "--index",
        INDEX,
        "--field",
        "contents",
        "--dataset",
        CRANFIELD,
        "--test",
        "--stages",
        "bm25",
        "--json",
      ],
      { timeoutMs: 300_000 },
    );
    assert.equal(out.code, 0, out.stderr);
    const report = JSON.parse(out.stdout) as TuneReport;
    // the start configuration is the Lucene anchor's: nDCG@10 0.3419 on Cranfield's test split
    assert.ok(Math.abs((report.baseline.test as number) - 0.3419) < 5e-4, `${report.baseline.test}`);
    assert.equal(typeof report.tuned.test, "number");
    assert.equal(report.stages[0]?.stage, "bm25");
    // the paired comparison agrees with the two means it compares
    const onTest = report.comparison.test;
    assert.ok(onTest, "comparison.test");
    assert.ok(
      Math.abs(onTest.delta - ((report.tuned.test as number) - (report.baseline.test as number))) < 1e-9,
      JSON.stringify(report.comparison),
    );
    assert.ok(onTest.ci95[0] <= onTest.delta && onTest.delta <= onTest.ci95[1]);
    assert.equal(report.comparison.heldout.queries, report.heldout_queries);
  });

  test("bad tuning requests are 400s naming the field, and the server keeps serving", async () => {
    const s = running.searchUrl;
    const cases: Array<[unknown, RegExp]> = [
      [{ index: INDEX, requests }, /\[fields\]/],
      [
        {
          index: INDEX,
          fields: ["contents"],
          requests: [{ id: "q", query_text: "x", ratings: [{ _id: 3 }] }],
        },
        /requests\.0\.ratings\.0\._id/,
      ],
      [{ index: INDEX, fields: ["contents"], requests, stages: ["bm25", "magic"] }, /\[stages\]/],
      [{ index: INDEX, fields: ["id"], requests }, /\[fields\] \[id\] is not a text field/],
      [{ index: INDEX, fields: ["contents"], requests, embedder_model_id: "ep-x" }, /\[vector_field\]/],
      [{ index: INDEX, fields: ["contents"], requests, metric: "ndcg" }, /\[metric\]/],
      [{ index: INDEX, fields: ["contents"], requests, colour: 1 }, /\[colour\]/],
    ];
    for (const [body, reason] of cases) {
      const res = await api<{ error: { type: string; reason: string }; status: number }>(
        s,
        "POST",
        "/_lodestone/tune",
        body,
      );
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.type, "illegal_argument_exception");
      assert.match(res.body.error.reason, reason);
    }
    const missing = await api(s, "POST", "/_lodestone/tune", {
      index: "nope",
      fields: ["contents"],
      requests,
    });
    assert.equal(missing.status, 404);
    assert.equal((await api(s, "GET", `/${INDEX}/_count`)).status, 200);
  });
});
