/**
 * `_rank_eval`: the five metrics against hand-computed values and the worked examples of
 * Elasticsearch's own rank-eval tests (DiscountedCumulativeGainTests, ExpectedReciprocalRankTests,
 * PrecisionAtKTests, MeanReciprocalRankTests), the body validation, search templates, and the
 * evaluation flow over a fake searcher.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EngineError } from "../../src/search/errors.ts";
import { parseRankEvalSpec, type RankEvalSearcher, rankEval } from "../../src/search/rank-eval.ts";
import {
  combineScores,
  evaluateQuery,
  type HitKey,
  type RankEvalMetric,
  type RatedDoc,
} from "../../src/search/rank-eval-metrics.ts";
import { compileSearchTemplate } from "../../src/search/search-template.ts";

const DELTA = 1e-13;
const near = (actual: number, expected: number, what = "") =>
  assert.ok(Math.abs(actual - expected) <= DELTA, `${what}: expected ${expected}, got ${actual}`);

/** Hits "0".."n-1" in index `index`. */
const hits = (n: number, index = "index"): HitKey[] =>
  Array.from({ length: n }, (_, i) => ({ index, id: `${i}` }));

/** Ratings of documents "0", "1", … (null: not rated). */
const rated = (ratings: (number | null)[], index = "index"): RatedDoc[] =>
  ratings.flatMap((rating, i) => (rating === null ? [] : [{ index, id: `${i}`, rating }]));

const dcg = (normalize: boolean, unknownDocRating?: number): RankEvalMetric => ({
  name: "dcg",
  k: 10,
  normalize,
  unknownDocRating,
});
const err = (maximumRelevance: number, k: number, unknownDocRating?: number): RankEvalMetric => ({
  name: "expected_reciprocal_rank",
  k,
  maximumRelevance,
  unknownDocRating,
});
const precision = (relevantRatingThreshold = 1, ignoreUnlabeled = false, k = 10): RankEvalMetric => ({
  name: "precision",
  k,
  relevantRatingThreshold,
  ignoreUnlabeled,
});

describe("rank_eval metrics", () => {
  // DiscountedCumulativeGainTests: ratings 3, 2, 3, 0, 1, 2 in hit order
  const EXPECTED_DCG = 13.84826362927298;
  const EXPECTED_IDCG = 14.595390756454922;

  test("dcg: Elasticsearch's worked example, 13.848… and normalized by the ideal 14.595…", () => {
    const docs = rated([3, 2, 3, 0, 1, 2]);
    near(evaluateQuery(dcg(false), hits(6), docs).metricScore, EXPECTED_DCG);
    // by hand: 7/1 + 3/log2(3) + 7/2 + 0 + 1/log2(6) + 3/log2(7)
    near(EXPECTED_DCG, 7 + 3 / Math.log2(3) + 3.5 + 1 / Math.log2(6) + 3 / Math.log2(7), "by hand");
    const n = evaluateQuery(dcg(true), hits(6), docs);
    near(n.metricScore, EXPECTED_DCG / EXPECTED_IDCG);
    assert.deepEqual(Object.keys(n.metricDetails.dcg ?? {}), [
      "dcg",
      "ideal_dcg",
      "normalized_dcg",
      "unrated_docs",
    ]);
    near(n.metricDetails.dcg?.ideal_dcg as number, EXPECTED_IDCG);
    // without normalize, no ideal is computed and none is reported
    const plain = evaluateQuery(dcg(false), hits(6), docs).metricDetails.dcg ?? {};
    assert.deepEqual(Object.keys(plain), ["dcg", "unrated_docs"]);
    near(plain.dcg as number, EXPECTED_DCG);
  });

  test("dcg: unrated hits keep their rank and add nothing; unknown_doc_rating stands in for them", () => {
    // ratings 3, 2, 3, –, 1 over six hits: dcg 12.7796…, ideal over the rated 3, 3, 2, 1 = 13.3471…
    const docs = rated([3, 2, 3, null, 1]);
    const plain = evaluateQuery(dcg(false), hits(6), docs);
    near(plain.metricScore, 12.779642067948913);
    assert.deepEqual(plain.ratings, [3, 2, 3, null, 1, null]);
    assert.equal(plain.metricDetails.dcg?.unrated_docs, 2);
    near(evaluateQuery(dcg(true), hits(6), docs).metricScore, 12.779642067948913 / 13.347184833073591);
    // unknown_doc_rating 2 for hits 3 and 5: adds 3/log2(5) + 3/log2(7); not part of the ideal
    near(
      evaluateQuery(dcg(false, 2), hits(6), docs).metricScore,
      12.779642067948913 + 3 / Math.log2(5) + 3 / Math.log2(7),
    );
  });

  test("dcg normalize: the ideal list is cut at the number of hits, not at k", () => {
    // four hits, four ratings: dcg over the hits 12.3927…, ideal 3, 3, 2, 1 → 13.3471…
    const docs = rated([3, 2, 3, null, 1]);
    near(evaluateQuery(dcg(false), hits(4), docs).metricScore, 12.392789260714371);
    near(evaluateQuery(dcg(true), hits(4), docs).metricScore, 12.392789260714371 / 13.347184833073591);
    // two hits: ideal is 7 + 7/log2(3) although four documents are rated
    near(
      evaluateQuery(dcg(true), hits(2), docs).metricScore,
      (7 + 3 / Math.log2(3)) / (7 + 7 / Math.log2(3)),
    );
    // no hits: 0, not 0/0
    assert.equal(evaluateQuery(dcg(true), [], docs).metricScore, 0);
    assert.equal(evaluateQuery(dcg(false), [], docs).metricScore, 0);
  });

  test("expected_reciprocal_rank: Elasticsearch's worked examples", () => {
    const docs = rated([3, 2, 0, 1]);
    // maximum_relevance 3, k 3: 0.875 + 0.125 · 0.1875 + 0 = 0.8984375
    near(evaluateQuery(err(3, 3, 0), hits(4), docs).metricScore, 0.8984375);
    const k3 = evaluateQuery(err(3, 3, 0), hits(4), docs);
    assert.equal(k3.ratings.length, 3, "hits beyond k are not evaluated");
    near(evaluateQuery(err(3, 4, 0), hits(4), docs).metricScore, 0.8984375 + 0.00244140625);
    // a missing rating is skipped (p unchanged) unless unknown_doc_rating gives it one
    const missing = rated([3, null, 0, 1]);
    const skipped = evaluateQuery(err(3, 4), hits(4), missing);
    near(skipped.metricScore, 0.875 + 0.00390625);
    assert.deepEqual(skipped.metricDetails, { expected_reciprocal_rank: { unrated_docs: 1 } });
    near(evaluateQuery(err(3, 4, 2), hits(4), missing).metricScore, 0.8984375 + 0.00244140625);
    // probability of relevance (2^r − 1) / 2^max: with maximum_relevance 5 a lone rating 4 scores 15/32
    near(evaluateQuery(err(5, 10), hits(1), rated([4])).metricScore, 15 / 32);
    assert.equal(evaluateQuery(err(5, 10, 0), [], []).metricScore, 0);
  });

  test("precision: Elasticsearch's cases, relevant_rating_threshold and ignore_unlabeled", () => {
    const check = (
      metric: RankEvalMetric,
      h: HitKey[],
      docs: RatedDoc[],
      score: number,
      rel: number,
      ret: number,
    ) => {
      const e = evaluateQuery(metric, h, docs);
      near(e.metricScore, score);
      assert.deepEqual(e.metricDetails, { precision: { relevant_docs_retrieved: rel, docs_retrieved: ret } });
    };
    check(precision(), hits(1), rated([1]), 1, 1, 1);
    check(precision(), hits(5), rated([1, 1, 1, 1, 0]), 4 / 5, 4, 5);
    check(precision(2, false, 5), hits(5), rated([0, 1, 2, 3, 4]), 3 / 5, 3, 5);
    // ratings of another index do not match hits of "test"
    const docs = [...rated([1, 1], "test_other"), ...rated([1, 1, 0], "test")];
    check(precision(1, false, 5), hits(3, "test"), docs, 2 / 3, 2, 3);
    // an unlabeled hit is a false positive, or not counted with ignore_unlabeled
    check(precision(), hits(3), rated([1, 1]), 2 / 3, 2, 3);
    check(precision(1, true), hits(3), rated([1, 1]), 1, 2, 2);
    check(precision(), hits(5), [], 0, 0, 5);
    check(precision(1, true), hits(5), [], 0, 0, 0);
    check(precision(), [], [], 0, 0, 0);
  });

  test("recall: relevant retrieved over every relevant rated document", () => {
    const metric: RankEvalMetric = { name: "recall", k: 10, relevantRatingThreshold: 2 };
    // ratings 0..4 for docs 0..4, hits 0..2: doc 2 is the only relevant hit of docs 2, 3, 4
    const e = evaluateQuery(metric, hits(3), rated([0, 1, 2, 3, 4]));
    near(e.metricScore, 1 / 3);
    assert.deepEqual(e.metricDetails, { recall: { relevant_docs_retrieved: 1, relevant_docs: 3 } });
    assert.equal(evaluateQuery(metric, hits(3), rated([0, 1])).metricScore, 0, "no relevant document: 0");
  });

  test("mean_reciprocal_rank: 1 / rank of the first relevant hit, first_relevant -1 when none", () => {
    const metric: RankEvalMetric = { name: "mean_reciprocal_rank", k: 10, relevantRatingThreshold: 2 };
    const e = evaluateQuery(metric, hits(5), rated([0, 1, 2, 3, 4]));
    near(e.metricScore, 1 / 3);
    assert.deepEqual(e.metricDetails, { mean_reciprocal_rank: { first_relevant: 3 } });
    const none = evaluateQuery({ ...metric, relevantRatingThreshold: 1 }, hits(9), []);
    assert.equal(none.metricScore, 0);
    assert.deepEqual(none.metricDetails, { mean_reciprocal_rank: { first_relevant: -1 } });
  });

  test("the overall score is the mean of the requests' scores; none is NaN", () => {
    near(combineScores([0.1, 0.2, 0.6]), 0.3, "mean");
    near(combineScores([0.5, 1, 0.75]), 0.75, "mean");
    assert.ok(Number.isNaN(combineScores([])));
  });
});

const RATINGS = [{ _index: "docs", _id: "1", rating: 1 }];
const body = (overrides: Record<string, unknown> = {}, request: Record<string, unknown> = {}) => ({
  requests: [{ id: "q", request: { query: { match_all: {} } }, ratings: RATINGS, ...request }],
  metric: { precision: {} },
  ...overrides,
});

function rejects(spec: unknown, message: RegExp, type = "illegal_argument_exception"): void {
  assert.throws(
    () => parseRankEvalSpec(spec),
    (e: unknown) => {
      assert.ok(e instanceof EngineError, String(e));
      assert.equal(e.status, 400);
      assert.equal(e.type, type, e.message);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe("rank_eval body validation", () => {
  test("defaults: k 10, threshold 1, ignore_unlabeled false, normalize false, 10 concurrent searches", () => {
    const spec = parseRankEvalSpec(body());
    assert.deepEqual(spec.metric, {
      name: "precision",
      k: 10,
      relevantRatingThreshold: 1,
      ignoreUnlabeled: false,
    });
    assert.equal(spec.maxConcurrentSearches, 10);
    assert.deepEqual(parseRankEvalSpec(body({ metric: { dcg: { k: 5 } } })).metric, {
      name: "dcg",
      k: 5,
      normalize: false,
      unknownDocRating: undefined,
    });
    assert.deepEqual(
      parseRankEvalSpec(body({ metric: { expected_reciprocal_rank: { maximum_relevance: 3 } } })).metric,
      {
        name: "expected_reciprocal_rank",
        k: 10,
        maximumRelevance: 3,
        unknownDocRating: undefined,
      },
    );
  });

  test("every missing or bad field is a 400 naming it", () => {
    rejects({ metric: { precision: {} } }, /^\[requests\] is required$/);
    rejects({ requests: body().requests }, /^\[metric\] is required$/);
    rejects(body({ requests: [] }), /\[requests\] must be a non-empty array/);
    rejects(body({ requests: {} }), /\[requests\] must be a non-empty array/);
    rejects(body({ nope: 1 }), /\[rank_eval\] unknown field \[nope\]/, "x_content_parse_exception");
    rejects(
      body({ metric: { ndcg: {} } }),
      /unknown metric \[ndcg\]; supported metrics: \[precision, recall, mean_reciprocal_rank, dcg, expected_reciprocal_rank\]/,
    );
    rejects(body({ metric: {} }), /\[metric\] must name exactly one metric/);
    rejects(body({ metric: { precision: {}, recall: {} } }), /\[metric\] must name exactly one metric/);
    rejects(
      body({ metric: { precision: { k: 0 } } }),
      /\[metric\]\[precision\]\[k\] must be a positive integer/,
    );
    rejects(body({ metric: { recall: { k: 2.5 } } }), /\[metric\]\[recall\]\[k\] must be a positive integer/);
    rejects(
      body({ metric: { mean_reciprocal_rank: { relevant_rating_threshold: -1 } } }),
      /\[relevant_rating_threshold\] must be a non-negative integer/,
    );
    rejects(
      body({ metric: { precision: { ignore_unlabeled: "yes" } } }),
      /\[ignore_unlabeled\] must be true or false/,
    );
    rejects(
      body({ metric: { dcg: { normalize: 1 } } }),
      /\[metric\]\[dcg\]\[normalize\] must be true or false/,
    );
    rejects(
      body({ metric: { dcg: { ignore_unlabeled: true } } }),
      /\[metric\]\[dcg\] unknown field \[ignore_unlabeled\]; expected one of \[k, normalize, unknown_doc_rating\]/,
      "x_content_parse_exception",
    );
    rejects(
      body({ metric: { expected_reciprocal_rank: {} } }),
      /\[metric\]\[expected_reciprocal_rank\]\[maximum_relevance\] is required/,
    );
    rejects(body({ max_concurrent_searches: 0 }), /\[max_concurrent_searches\] must be a positive integer/);
  });

  test("rated requests: id, ratings, request or template, summary_fields", () => {
    rejects(body({}, { id: undefined }), /\[requests\]\[0\]\[id\] is required/);
    rejects(body({}, { ratings: undefined }), /\[requests\]\[0\]\[ratings\] is required/);
    rejects(
      body({}, { ratings: { _index: "docs" } }),
      /\[requests\]\[0\]\[ratings\] must be an array of rated documents/,
    );
    rejects(
      body({}, { ratings: [{ _id: "1", rating: 1 }] }),
      /\[requests\]\[0\]\[ratings\]\[0\]\[_index\] is required/,
    );
    rejects(body({}, { ratings: [{ _index: "d", _id: "1" }] }), /\[ratings\]\[0\]\[rating\] is required/);
    rejects(
      body({}, { ratings: [{ _index: "d", _id: "1", rating: "high" }] }),
      /\[rating\] must be an integer/,
    );
    rejects(
      body({}, { ratings: [{ _index: "d", _id: "1", rating: 1, score: 2 }] }),
      /\[requests\]\[0\]\[ratings\]\[0\] unknown field \[score\]/,
      "x_content_parse_exception",
    );
    rejects(
      body({}, { ratings: [...RATINGS, ...RATINGS] }),
      /Found duplicate rated document key \[\{"_index":"docs","_id":"1"\}\] in evaluation request \[q\]/,
    );
    rejects(body({}, { request: undefined }), /\[requests\]\[0\] needs a \[request\]/);
    rejects(body({}, { request: "match_all" }), /\[requests\]\[0\]\[request\] must be a search body/);
    rejects(body({}, { params: { a: 1 } }), /Ambiguous rated request/);
    rejects(body({}, { request: undefined, params: { a: 1 } }), /need to set id of template/);
    rejects(
      body({}, { request: undefined, template_id: "t" }),
      /\[template_id\] \[t\] is not one of the \[templates\]/,
    );
    rejects(body({}, { summary_fields: "title" }), /\[summary_fields\] must be an array of field names/);
    rejects(
      body({}, { request: { aggs: { a: { terms: { field: "x" } } } } }),
      /should not contain aggregations/,
    );
    rejects(body({}, { request: { highlight: { fields: {} } } }), /should not contain a highlighter section/);
    rejects(body({}, { request: { explain: true } }), /should not use explain/);
    rejects(
      { ...body(), requests: [body().requests[0], body().requests[0]] },
      /\[requests\]\[1\]\[id\] \[q\] is used by another request/,
    );
  });

  test("templates: inline mustache source, string or object", () => {
    const templated = (template: unknown) =>
      body(
        { templates: [{ id: "t", template }] },
        { request: undefined, template_id: "t", params: { q: "x" } },
      );
    assert.equal(
      parseRankEvalSpec(templated({ source: '{"query":{"match":{"f":"{{q}}"}}}' })).templates.size,
      1,
    );
    assert.equal(
      parseRankEvalSpec(templated({ source: { query: { match: { f: "{{q}}" } } } })).templates.size,
      1,
    );
    rejects(templated({}), /\[templates\]\[0\]\[template\]\[source\] is required/);
    rejects(templated({ source: 3 }), /\[source\] must be a string or an object/);
    rejects(templated({ id: "stored" }), /stored templates are not supported/);
    rejects(templated({ source: "{}", lang: "painless" }), /\[lang\] must be \[mustache\]/);
    rejects(templated({ source: "{{#a}}" }), /section \{\{#a\}\} is not closed/);
    rejects(body({ templates: {} }), /\[templates\] must be an array/);
  });
});

describe("search templates", () => {
  const render = (source: string, params: Record<string, unknown>) => compileSearchTemplate(source)(params);

  test("{{name}} is escaped for a JSON string, {{{name}}} and {{&name}} are not", () => {
    assert.equal(render('{"q":"{{q}}"}', { q: 'say "hi"\\' }), '{"q":"say \\"hi\\"\\\\"}');
    assert.equal(render('{"size":{{{n}}},"from":{{&m}}}', { n: 5, m: 2 }), '{"size":5,"from":2}');
    assert.equal(
      render('{"q":"{{user.name}}","x":"{{missing}}"}', { user: { name: "ann" } }),
      '{"q":"ann","x":""}',
    );
  });

  test("toJson, join and sections", () => {
    assert.equal(render('{"terms":{{#toJson}}ids{{/toJson}}}', { ids: ["a", "b"] }), '{"terms":["a","b"]}');
    assert.equal(render('"{{#join}}tags{{/join}}"', { tags: ["x", "y"] }), '"x,y"');
    assert.equal(render("{{#join delimiter='|'}}tags{{/join delimiter='|'}}", { tags: [1, 2] }), "1|2");
    assert.equal(render("{{#size}}size {{size}}{{/size}}{{^size}}default{{/size}}", { size: 3 }), "size 3");
    assert.equal(render("{{#size}}size {{size}}{{/size}}{{^size}}default{{/size}}", {}), "default");
    assert.equal(render("{{#items}}[{{.}}]{{/items}}", { items: ["a", "b"] }), "[a][b]");
    assert.equal(render("{{! a comment }}ok", {}), "ok");
  });
});

/** A searcher answering each `match.text` query with fixed hits; records the calls and concurrency. */
class FakeSearcher implements RankEvalSearcher {
  readonly calls: { expr: string; body: Record<string, unknown>; params: Record<string, unknown> }[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly results: Record<string, string[]>) {}

  async searchAsync(expr: string, body: unknown, params: Record<string, unknown> = {}) {
    const b = body as Record<string, unknown>;
    this.calls.push({ expr, body: b, params });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.inFlight--;
    const text = (b.query as { match?: { text?: string } } | undefined)?.match?.text as string;
    const ids = this.results[text];
    if (!ids) throw new EngineError(400, "query_shard_exception", `no results for [${text}]`);
    const size = b.size as number;
    return {
      hits: {
        hits: ids.slice(0, size).map((id, i) => ({
          _index: "docs",
          _id: id,
          _score: 10 - i,
          ...(Array.isArray(b._source) ? { _source: { title: `title ${id}` } } : {}),
        })),
      },
    };
  }
}

describe("rank_eval over a searcher", () => {
  const rating = (id: string, r: number) => ({ _index: "docs", _id: id, rating: r });
  const match = (text: string) => ({ query: { match: { text } } });

  test("precision per request and overall, hits with ratings, unrated docs, forced size and no source", async () => {
    const searcher = new FakeSearcher({ berlin: ["b1", "b2", "x"], amsterdam: ["a1", "y", "a2", "z"] });
    const res = await rankEval(
      searcher,
      "docs",
      {
        requests: [
          {
            id: "berlin",
            request: { ...match("berlin"), size: 50 },
            ratings: [rating("b1", 1), rating("b2", 0)],
          },
          {
            id: "amsterdam",
            request: match("amsterdam"),
            ratings: [rating("a1", 2), rating("a2", 1)],
            summary_fields: ["title"],
          },
        ],
        metric: { precision: { k: 3 } },
      },
      { search_pipeline: "p" },
    );
    for (const call of searcher.calls) {
      assert.equal(call.expr, "docs");
      assert.equal(call.body.size, 3, "k replaces the request's size");
      assert.deepEqual(call.params, { search_pipeline: "p" });
    }
    assert.equal(searcher.calls[0]?.body._source, false);
    assert.deepEqual(searcher.calls[1]?.body._source, ["title"]);
    near(res.metric_score as number, (1 / 3 + 2 / 3) / 2);
    const details = res.details as Record<string, Record<string, unknown>>;
    assert.deepEqual(details.berlin, {
      metric_score: 1 / 3,
      unrated_docs: [{ _index: "docs", _id: "x" }],
      hits: [
        { hit: { _index: "docs", _id: "b1", _score: 10 }, rating: 1 },
        { hit: { _index: "docs", _id: "b2", _score: 9 }, rating: 0 },
        { hit: { _index: "docs", _id: "x", _score: 8 }, rating: null },
      ],
      metric_details: { precision: { relevant_docs_retrieved: 1, docs_retrieved: 3 } },
    });
    assert.deepEqual((details.amsterdam?.hits as { hit: unknown }[] | undefined)?.[0]?.hit, {
      _index: "docs",
      _id: "a1",
      _score: 10,
      _source: { title: "title a1" },
    });
    assert.deepEqual(res.failures, {});
  });

  test("a failing search is reported under failures and left out of the mean; all failing is NaN", async () => {
    const searcher = new FakeSearcher({ ok: ["d1"] });
    const spec = {
      requests: [
        { id: "good", request: match("ok"), ratings: [rating("d1", 1)] },
        { id: "bad", request: match("unknown"), ratings: [rating("d1", 1)] },
      ],
      metric: { mean_reciprocal_rank: {} },
    };
    const res = await rankEval(searcher, "docs", spec);
    assert.equal(res.metric_score, 1);
    assert.deepEqual(Object.keys(res.details as object), ["good"]);
    assert.deepEqual((res.failures as Record<string, unknown>).bad, {
      error: {
        root_cause: [{ type: "query_shard_exception", reason: "no results for [unknown]" }],
        type: "query_shard_exception",
        reason: "no results for [unknown]",
      },
    });
    const none = await rankEval(searcher, "docs", { ...spec, requests: [spec.requests[1]] });
    assert.equal(none.metric_score, "NaN");
  });

  test("templates are rendered with each request's params over the template's defaults", async () => {
    const searcher = new FakeSearcher({ berlin: ["b1"], paris: ["p1"] });
    const res = await rankEval(searcher, "_all", {
      templates: [
        {
          id: "by_text",
          template: {
            source: { query: { match: { text: "{{q}}" } }, size: "{{n}}" },
            params: { q: "paris" },
          },
        },
        { id: "broken", template: { source: '{"query": {{q}} }' } },
      ],
      requests: [
        { id: "t1", template_id: "by_text", params: { q: "berlin" }, ratings: [rating("b1", 1)] },
        { id: "t2", template_id: "by_text", params: { lang: "fr" }, ratings: [rating("p1", 1)] },
        { id: "t3", template_id: "broken", params: { q: "nope" }, ratings: [] },
      ],
      metric: { recall: {} },
    });
    assert.deepEqual(
      searcher.calls.map((c) => (c.body.query as { match: { text: string } }).match.text),
      ["berlin", "paris"],
    );
    assert.equal(res.metric_score, 1);
    const failure = (res.failures as Record<string, { error: { type: string; reason: string } }>).t3;
    assert.equal(failure?.error.type, "json_parse_exception");
    assert.match(
      failure?.error.reason ?? "",
      /template \[broken\] rendered for request \[t3\] is not a search body/,
    );
  });

  test("a rendered template with aggregations refuses the whole call, as a verbatim one does", async () => {
    await assert.rejects(
      rankEval(new FakeSearcher({}), "docs", {
        templates: [{ id: "t", template: { source: '{"aggs":{"a":{"terms":{"field":"{{f}}"}}}}' } }],
        requests: [{ id: "q", template_id: "t", params: { f: "x" }, ratings: [] }],
        metric: { precision: {} },
      }),
      /rendered from template \[t\]: Query in rated requests should not contain aggregations/,
    );
  });

  test("max_concurrent_searches bounds the searches in flight", async () => {
    const results = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`q${i}`, [`d${i}`]]));
    const requests = Object.keys(results).map((q) => ({ id: q, request: match(q), ratings: [] }));
    const limited = new FakeSearcher(results);
    await rankEval(limited, "docs", { requests, metric: { precision: {} }, max_concurrent_searches: 3 });
    assert.equal(limited.maxInFlight, 3);
    const byDefault = new FakeSearcher(results);
    await rankEval(byDefault, "docs", { requests, metric: { precision: {} } });
    assert.equal(byDefault.maxInFlight, 10);
  });
});
