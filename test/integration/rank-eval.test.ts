/**
 * `_rank_eval` over HTTP and through the official OpenSearch client: a small index scored with
 * each metric, search pipelines applied to every request (hybrid queries need the async search
 * path), errors, and parity with the reference scorer `shared/tools/ireval.py` on Cranfield.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { Client } from "@opensearch-project/opensearch";
import { DATASETS_DIR, SHARED_DIR } from "../../bench/lib/paths.ts";
import { documentText, loadBeir } from "../../src/eval/beir.ts";
import { BM25_DEFAULTS, bm25IndexBody } from "../../src/eval/bm25-index.ts";
import { ndcgAt, type Run } from "../../src/eval/metrics.ts";
import { formatRun } from "../../src/eval/trec-run.ts";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

interface RatedHit {
  hit: { _index: string; _id: string; _score: number; _source?: Record<string, unknown> };
  rating: number | null;
}
interface Detail {
  metric_score: number;
  unrated_docs: { _index: string; _id: string }[];
  hits: RatedHit[];
  metric_details: Record<string, Record<string, number>>;
}
interface RankEvalResponse {
  metric_score: number | "NaN";
  details: Record<string, Detail>;
  failures: Record<string, { error: { type: string; reason: string } }>;
  error?: { type: string; reason: string };
}

const CITIES = [
  { id: "1", text: "amsterdam canals and museums", country: "nl" },
  { id: "2", text: "amsterdam airport schiphol", country: "nl" },
  { id: "3", text: "berlin wall history", country: "de" },
  { id: "4", text: "berlin techno clubs and museums", country: "de" },
  { id: "5", text: "rotterdam harbour, an hour from amsterdam by train through the polders", country: "nl" },
];

const rating = (id: string, r: number, index = "cities") => ({ _index: index, _id: id, rating: r });
const AMSTERDAM = {
  id: "amsterdam",
  request: { query: { match: { text: "amsterdam" } } },
  ratings: [rating("1", 2), rating("2", 1), rating("5", 0), rating("3", 0)],
};
const MUSEUMS = {
  id: "museums",
  request: { query: { match: { text: "museums" } } },
  ratings: [rating("4", 1)],
};

describe("_rank_eval over HTTP and the official client", () => {
  let running: Running;
  let url: string;
  let client: Client;
  const rankEval = (route: string, body: unknown, method = "POST") =>
    api<RankEvalResponse>(url, method, route, body);
  /** The ids of a _search, best first. */
  const searchIds = async (query: unknown) =>
    (
      await api<{ hits: { hits: { _id: string }[] } }>(url, "POST", "/cities/_search", { query })
    ).body.hits.hits.map((h) => h._id);

  before(async () => {
    running = await startTestPlatform();
    url = running.searchUrl;
    client = new Client({ node: url });
    await api(url, "PUT", "/cities", {
      mappings: { properties: { text: { type: "text" }, country: { type: "keyword" } } },
    });
    const lines = CITIES.flatMap(({ id, ...doc }) => [{ index: { _index: "cities", _id: id } }, doc]);
    const res = await fetch(`${url}/_bulk?refresh=true`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
    });
    assert.equal((await res.json()).errors, false);
  });
  after(async () => {
    await client.close();
    await running.close();
  });

  test("precision: per request, overall, hits with their ratings and unrated docs", async () => {
    const res = await rankEval("/cities/_rank_eval", {
      requests: [AMSTERDAM, MUSEUMS],
      metric: { precision: { relevant_rating_threshold: 1 } },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const { details, failures } = res.body;
    assert.deepEqual(failures, {});
    // "amsterdam" finds 1, 2 and 5, rated 2, 1, 0: two relevant of three retrieved
    const amsterdam = details.amsterdam as Detail;
    assert.equal(amsterdam.metric_score, 2 / 3);
    assert.deepEqual(amsterdam.metric_details, {
      precision: { relevant_docs_retrieved: 2, docs_retrieved: 3 },
    });
    assert.deepEqual(amsterdam.unrated_docs, []);
    assert.deepEqual(
      amsterdam.hits.map((h) => h.hit._id),
      await searchIds(AMSTERDAM.request.query),
    );
    const ratings = { "1": 2, "2": 1, "5": 0 } as Record<string, number>;
    for (const h of amsterdam.hits) {
      assert.equal(h.rating, ratings[h.hit._id]);
      assert.equal(h.hit._index, "cities");
      assert.equal(typeof h.hit._score, "number");
      assert.equal(h.hit._source, undefined, "no source without summary_fields");
    }
    // "museums" finds 1 (unrated: a false positive) and 4 (relevant)
    const museums = details.museums as Detail;
    assert.equal(museums.metric_score, 1 / 2);
    assert.deepEqual(museums.unrated_docs, [{ _index: "cities", _id: "1" }]);
    assert.equal(res.body.metric_score, (2 / 3 + 1 / 2) / 2);
  });

  test("dcg (normalized), mean_reciprocal_rank, recall and expected_reciprocal_rank on the same hits", async () => {
    const order = await searchIds(AMSTERDAM.request.query);
    const grade = (id: string) => ({ "1": 2, "2": 1, "5": 0 })[id] as number;
    const run = async (metric: unknown) => {
      const res = await rankEval("/cities/_rank_eval", { requests: [AMSTERDAM], metric });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.details.amsterdam as Detail;
    };
    // by hand from the ranking: gain 2^r − 1 over log2(rank + 1); ideal 3, 1, 0 over three hits
    const dcg = order.reduce((sum, id, i) => sum + (2 ** grade(id) - 1) / Math.log2(i + 2), 0);
    const idcg = 3 + 1 / Math.log2(3);
    const ndcg = await run({ dcg: { normalize: true } });
    assert.ok(Math.abs(ndcg.metric_score - dcg / idcg) < 1e-12, `${ndcg.metric_score} vs ${dcg / idcg}`);
    assert.ok(Math.abs((ndcg.metric_details.dcg?.ideal_dcg as number) - idcg) < 1e-12);
    const mrr = await run({ mean_reciprocal_rank: { relevant_rating_threshold: 2 } });
    assert.equal(mrr.metric_score, 1 / (order.indexOf("1") + 1));
    assert.deepEqual(mrr.metric_details, {
      mean_reciprocal_rank: { first_relevant: order.indexOf("1") + 1 },
    });
    // k cuts the search: with k 1 only the top hit is evaluated
    const top = await run({ recall: { k: 1 } });
    assert.equal(top.hits.length, 1);
    assert.equal(top.metric_score, grade(order[0] as string) >= 1 ? 1 / 2 : 0);
    const err = await run({ expected_reciprocal_rank: { maximum_relevance: 2 } });
    let p = 1;
    let expected = 0;
    order.forEach((id, i) => {
      const r = (2 ** grade(id) - 1) / 4;
      expected += (p * r) / (i + 1);
      p *= 1 - r;
    });
    assert.ok(Math.abs(err.metric_score - expected) < 1e-12, `${err.metric_score} vs ${expected}`);
  });

  test("the official client's rankEval, GET with the body as `source`, /_rank_eval over every index, summary_fields", async () => {
    const viaClient = await client.rankEval({
      index: "cities",
      body: { requests: [{ ...AMSTERDAM, summary_fields: ["country"] }], metric: { precision: {} } },
    });
    assert.equal(viaClient.statusCode, 200);
    assert.equal(viaClient.body.metric_score, 2 / 3);
    const hit = viaClient.body.details.amsterdam.hits[0].hit;
    assert.deepEqual(Object.keys(hit._source), ["country"]);
    // GET clients send the body as the `source` parameter
    const source = encodeURIComponent(JSON.stringify({ requests: [MUSEUMS], metric: { precision: {} } }));
    const viaGet = await rankEval(
      `/cities/_rank_eval?source=${source}&source_content_type=application/json`,
      undefined,
      "GET",
    );
    assert.equal(viaGet.body.metric_score, 1 / 2);
    const everywhere = await rankEval("/_rank_eval", { requests: [MUSEUMS], metric: { precision: {} } });
    assert.equal(everywhere.status, 200);
    assert.equal(everywhere.body.metric_score, 1 / 2);
  });

  test("templates: one search body, filled per request", async () => {
    const res = await rankEval("/cities/_rank_eval", {
      templates: [
        { id: "by_text", template: { source: { query: { match: { text: "{{query_string}}" } } } } },
      ],
      requests: [
        {
          id: "amsterdam",
          template_id: "by_text",
          params: { query_string: "amsterdam" },
          ratings: AMSTERDAM.ratings,
        },
        {
          id: "museums",
          template_id: "by_text",
          params: { query_string: "museums" },
          ratings: MUSEUMS.ratings,
        },
      ],
      metric: { precision: {} },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.metric_score, (2 / 3 + 1 / 2) / 2);
  });

  test("?search_pipeline= applies to every request: filter_query, and hybrid queries through the async search", async () => {
    const put = async (id: string, body: unknown) =>
      assert.equal((await api(url, "PUT", `/_search/pipeline/${id}`, body)).status, 200);
    await put("nl-only", { request_processors: [{ filter_query: { query: { term: { country: "nl" } } } }] });
    await put("norm", {
      phase_results_processors: [
        {
          "normalization-processor": {
            normalization: { technique: "min_max" },
            combination: { technique: "arithmetic_mean" },
          },
        },
      ],
    });
    const filtered = await rankEval("/cities/_rank_eval?search_pipeline=nl-only", {
      requests: [MUSEUMS],
      metric: { precision: {} },
    });
    // only document 1 (nl, unrated) is left for "museums"
    assert.deepEqual(
      filtered.body.details.museums?.hits.map((h) => h.hit._id),
      ["1"],
    );
    assert.equal(filtered.body.metric_score, 0);

    const hybrid = {
      id: "hybrid",
      request: {
        query: { hybrid: { queries: [{ match: { text: "amsterdam" } }, { match: { text: "museums" } }] } },
      },
      ratings: [rating("1", 1), rating("4", 1)],
    };
    const withPipeline = await rankEval("/cities/_rank_eval?search_pipeline=norm", {
      requests: [hybrid],
      metric: { recall: {} },
    });
    assert.equal(withPipeline.status, 200, JSON.stringify(withPipeline.body));
    assert.deepEqual(withPipeline.body.failures, {});
    assert.equal(withPipeline.body.metric_score, 1);
    assert.equal(withPipeline.body.details.hybrid?.hits[0]?.hit._id, "1", "in both sub-queries: first");
    // without a pipeline the hybrid search fails, and that request is reported under failures
    const without = await rankEval("/cities/_rank_eval", {
      requests: [hybrid, MUSEUMS],
      metric: { recall: {} },
    });
    assert.equal(without.status, 200);
    assert.match(without.body.failures.hybrid?.error.reason ?? "", /hybrid query needs a search pipeline/);
    assert.equal(without.body.metric_score, 1, "the failed request is left out of the mean");
  });

  test("errors: 400 naming the field; a missing index fails every request", async () => {
    const bad = async (body: unknown, reason: RegExp, route = "/cities/_rank_eval") => {
      const res = await rankEval(route, body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.match(res.body.error?.reason ?? "", reason);
    };
    await bad({ metric: { precision: {} } }, /^\[requests\] is required$/);
    await bad(
      { requests: [AMSTERDAM], metric: { ndcg: {} } },
      /unknown metric \[ndcg\]; supported metrics: \[precision, recall, mean_reciprocal_rank, dcg, expected_reciprocal_rank\]/,
    );
    await bad(
      { requests: [{ ...AMSTERDAM, ratings: {} }], metric: { dcg: {} } },
      /\[requests\]\[0\]\[ratings\] must be an array/,
    );
    await bad(undefined, /request body is required/);
    await bad(
      { requests: [AMSTERDAM], metric: { precision: {} } },
      /No search type for \[scan\]/,
      "/cities/_rank_eval?search_type=scan",
    );
    await bad(
      { requests: [AMSTERDAM], metric: { precision: {} } },
      /unrecognized parameter: \[size\]/,
      "/cities/_rank_eval?size=3",
    );
    const missing = await rankEval("/nowhere/_rank_eval", {
      requests: [AMSTERDAM],
      metric: { precision: {} },
    });
    assert.equal(missing.status, 200);
    assert.equal(missing.body.failures.amsterdam?.error.type, "index_not_found_exception");
    assert.equal(missing.body.metric_score, "NaN");
  });

  test("Cranfield: dcg normalize k 10 equals ireval.py's nDCG@10, mean and per query", async (t) => {
    const data = loadBeir(path.join(DATASETS_DIR, "cranfield"), "test");
    const index = "cranfield";
    assert.equal((await api(url, "PUT", `/${index}`, bm25IndexBody(BM25_DEFAULTS))).status, 200);
    const lines = data.corpus.flatMap((d) => [{ index: { _id: d.id } }, { contents: documentText(d) }]);
    const bulk = await fetch(`${url}/${index}/_bulk?refresh=true`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`,
    });
    assert.equal((await bulk.json()).errors, false);

    // ireval.py keeps only judgements graded > 0 (and so does loadBeir): those are the ratings, so
    // both evaluate the same judged set (Cranfield's test grades are 1–4 anyway)
    const requests = data.queries.map((q) => ({
      id: q.id,
      request: { query: { match: { contents: q.text } } },
      ratings: [...(data.qrels.get(q.id) ?? [])].map(([id, grade]) => ({
        _index: index,
        _id: id,
        rating: grade,
      })),
    }));
    const res = await rankEval(`/${index}/_rank_eval`, {
      requests,
      metric: { dcg: { normalize: true, k: 10 } },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.failures, {});
    const details = res.body.details;
    assert.equal(Object.keys(details).length, data.qrels.size);

    // Elasticsearch cuts the ideal DCG at the number of hits, ireval at 10: alike when every query
    // has 10 hits, which a match query on Cranfield gives
    for (const [qid, d] of Object.entries(details)) assert.equal(d.hits.length, 10, `query ${qid}`);

    // The run in the engine's order. ireval re-sorts by score, ties by document id, while the engine
    // breaks ties by index order: scores 10, 9, … 1 keep the ranking that rank_eval scored.
    const run: Run = new Map(
      Object.entries(details).map(([qid, d]) => [
        qid,
        d.hits.map((h, i) => ({ id: h.hit._id, score: 10 - i })),
      ]),
    );
    const qrelsText = (qids: string[]) =>
      `query-id\tcorpus-id\tscore\n${qids
        .flatMap(
          (qid) =>
            requests.find((r) => r.id === qid)?.ratings.map((r) => `${qid}\t${r._id}\t${r.rating}`) ?? [],
        )
        .join("\n")}\n`;
    const dir = tempDir("lodestone-rank-eval-");
    const ireval = path.join(SHARED_DIR, "tools", "ireval.py");
    const exec = promisify(execFile);
    const ndcgOf = async (name: string, qids: string[]): Promise<number> => {
      const qrelsFile = path.join(dir, `${name}.qrels.tsv`);
      const runFile = path.join(dir, `${name}.run.tsv`);
      fs.writeFileSync(qrelsFile, qrelsText(qids));
      fs.writeFileSync(
        runFile,
        formatRun(new Map(qids.map((q) => [q, run.get(q) ?? []])), { format: "tsv" }),
      );
      const { stdout } = await exec("python3", [ireval, qrelsFile, runFile]);
      const m = /^ndcg@10\t([\d.]+)$/m.exec(stdout);
      assert.ok(m, `ireval.py printed ${stdout}`);
      return Number(m[1]);
    };
    try {
      const qids = Object.keys(details);
      const mean = await ndcgOf("all", qids);
      const score = res.body.metric_score as number;
      assert.ok(Math.abs(mean - score) <= 1e-4, `ireval nDCG@10 ${mean} vs metric_score ${score}`);

      // per query: ireval on each query alone (4 decimals), and trec_eval's ndcg in src/eval at full precision
      const perQuery: number[] = [];
      for (let i = 0; i < qids.length; i += 16)
        perQuery.push(...(await Promise.all(qids.slice(i, i + 16).map((q) => ndcgOf(`q${q}`, [q])))));
      qids.forEach((qid, i) => {
        const ours = (details[qid] as Detail).metric_score;
        assert.ok(
          Math.abs((perQuery[i] as number) - ours) <= 1e-4,
          `query ${qid}: ireval ${perQuery[i]} vs ${ours}`,
        );
        const ranked = (run.get(qid) ?? []).map((d) => d.id);
        const trec = ndcgAt(ranked, data.qrels.get(qid) as Map<string, number>, 10);
        assert.ok(Math.abs(trec - ours) <= 1e-12, `query ${qid}: src/eval ${trec} vs ${ours}`);
      });
      const maxDiff = Math.max(
        ...qids.map((q, i) => Math.abs((perQuery[i] as number) - (details[q] as Detail).metric_score)),
      );
      t.diagnostic(
        `Cranfield nDCG@10 over ${qids.length} queries: rank_eval ${score}, ireval.py ${mean}; largest per-query difference ${maxDiff}`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
