/**
 * Search pipeline maths and validation: score normalization (min_max, l2, z_score, rrf) and
 * combination (arithmetic, geometric, harmonic mean, RRF sum) against hand-computed values, how
 * fused rankings treat documents a sub-query did not return, weight validation, and the 400s that
 * name the processor and property of a bad pipeline definition.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EngineError } from "../../src/search/errors.ts";
import {
  arithmeticMean,
  fuse,
  geometricMean,
  harmonicMean,
  l2,
  minMax,
  rrf,
  rrfSum,
  type ScoreHybridizer,
  validateWeights,
  zScore,
} from "../../src/search/pipelines/score-combination.ts";
import { parseSearchPipeline } from "../../src/search/pipelines/search-pipelines.ts";

const f = Math.fround;
const close = (actual: number, expected: number, eps = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= eps, `expected ${expected}, got ${actual}`);
const closeAll = (actual: number[], expected: number[]) => {
  assert.equal(actual.length, expected.length);
  for (const [i, a] of actual.entries()) close(a, expected[i] as number);
};

describe("normalization techniques", () => {
  test("min_max: (s − min) / (max − min), the minimum becomes 0.001, a lone or flat list 1.0", () => {
    const [a, b, single, flat] = minMax([[4, 2, 1], [0.9, 0.5], [3], [2, 2]]);
    assert.deepEqual(a, [1, f(1 / 3), 0.001]);
    assert.deepEqual(b, [1, 0.001]);
    assert.deepEqual(single, [1]);
    assert.deepEqual(flat, [1, 1]);
  });

  test("l2: s / sqrt(Σ s²)", () => {
    const [scores] = l2([[3, 4]]);
    assert.deepEqual(scores, [f(0.6), f(0.8)]);
    assert.deepEqual(l2([[0, 0]])[0], [0, 0]);
  });

  test("z_score: (s − mean) / sample std, a score at the mean takes the max, negatives become 0.001", () => {
    // mean 2, sample standard deviation 1
    assert.deepEqual(zScore([[3, 2, 1]])[0], [1, 3, 0.001]);
    // mean 2.5, sample std sqrt(((1.5)²+(0.5)²+(0.5)²+(1.5)²)/3) = 1.2909944
    closeAll(zScore([[4, 3, 2, 1]])[0] as number[], [1.5 / 1.2909944, 0.5 / 1.2909944, 0.001, 0.001]);
  });

  test("rrf: 1 / (rank_constant + rank), rank from 1", () => {
    assert.deepEqual(rrf(60)([[9, 5, 1]])[0], [f(1 / 61), f(1 / 62), f(1 / 63)]);
    assert.deepEqual(rrf(1)([[0.3, 0.2]])[0], [0.5, f(1 / 3)]);
  });
});

describe("combination techniques", () => {
  test("arithmetic_mean: Σ wᵢsᵢ / Σ wᵢ, a missing sub-query counts as 0 with its weight", () => {
    assert.equal(arithmeticMean()([1, 0.5]), 0.75);
    assert.equal(arithmeticMean()([1, 0]), 0.5);
    close(arithmeticMean([0.3, 0.7])([1, 0.5]), 0.65);
    close(arithmeticMean([0.3, 0.7])([0, 0.5]), 0.35);
  });

  test("geometric_mean: exp(Σ wᵢ ln sᵢ / Σ wᵢ) over the sub-queries that returned the document", () => {
    close(geometricMean()([1, 0.25]), 0.5);
    close(geometricMean()([0.8, 0]), 0.8);
    close(geometricMean([0.25, 0.75])([1, 0.5]), 0.5 ** 0.75);
    assert.equal(geometricMean()([0, 0]), 0);
  });

  test("harmonic_mean: Σ wᵢ / Σ (wᵢ / sᵢ) over the sub-queries that returned the document", () => {
    close(harmonicMean()([1, 0.5]), 2 / 3);
    close(harmonicMean()([0.5, 0]), 0.5);
    close(harmonicMean([0.4, 0.6])([0.5, 0.25]), 1 / (0.4 / 0.5 + 0.6 / 0.25));
  });

  test("rrf: the (weighted) sum of rank scores", () => {
    close(rrfSum()([1 / 61, 1 / 62]), 1 / 61 + 1 / 62);
    close(rrfSum([0.2, 0.8])([1 / 61, 1 / 62]), 0.2 / 61 + 0.8 / 62);
  });
});

const hybridizer = (over: Partial<ScoreHybridizer> = {}): ScoreHybridizer => ({
  processor: "processor [test]",
  normalization: "min_max",
  combination: "arithmetic_mean",
  normalize: minMax,
  combine: arithmeticMean(),
  weights: [],
  ...over,
});

describe("fusing sub-query results", () => {
  const lists = [
    [
      { item: "a", score: 4 },
      { item: "b", score: 2 },
      { item: "c", score: 1 },
    ],
    [
      { item: "b", score: 0.9 },
      { item: "d", score: 0.5 },
    ],
  ];

  test("min_max + arithmetic_mean: every document once, missing sub-queries score 0", () => {
    const fused = fuse(lists, (x) => x, hybridizer());
    assert.deepEqual(
      fused.map((x) => x.item),
      ["b", "a", "c", "d"],
    );
    // b: (1/3 + 1) / 2; a: (1 + 0) / 2; c and d: 0.001 / 2, tied (first seen first)
    close(fused[0]?.score as number, (1 / 3 + 1) / 2);
    assert.equal(fused[1]?.score, 0.5);
    close(fused[2]?.score as number, 0.0005);
    assert.deepEqual(fused[0]?.normalized, [f(1 / 3), 1]);
    assert.deepEqual(fused[1]?.normalized, [1, 0]);
  });

  test("weights shift the ranking", () => {
    const fused = fuse(
      lists,
      (x) => x,
      hybridizer({ combine: arithmeticMean([0.9, 0.1]), weights: [0.9, 0.1] }),
    );
    assert.deepEqual(
      fused.map((x) => x.item),
      ["a", "b", "c", "d"],
    );
    // a: 0.9·1; b: 0.9·⅓ + 0.1·1; c: 0.9·0.001; d: 0.1·0.001
    close(fused[0]?.score as number, 0.9);
    close(fused[1]?.score as number, 0.4);
    close(fused[2]?.score as number, 0.0009);
    close(fused[3]?.score as number, 0.0001);
  });

  test("rrf: ranks, not scores, decide", () => {
    const fused = fuse(lists, (x) => x, hybridizer({ normalize: rrf(60), combine: rrfSum() }));
    assert.deepEqual(
      fused.map((x) => x.item),
      ["b", "a", "d", "c"],
    );
    close(fused[0]?.score as number, 1 / 62 + 1 / 61);
    close(fused[1]?.score as number, 1 / 61);
    close(fused[2]?.score as number, 1 / 62);
    close(fused[3]?.score as number, 1 / 63);
  });

  test("as many weights as sub-queries, or a 400", () => {
    assert.throws(
      () => fuse(lists, (x) => x, hybridizer({ weights: [0.2, 0.3, 0.5] })),
      /number of weights \[3\] must match number of sub-queries \[2\] in hybrid query/,
    );
  });
});

describe("weight validation", () => {
  test("each in [0, 1], summing to 1 within 0.01", () => {
    validateWeights([0.3, 0.7], "w");
    validateWeights([0.333, 0.333, 0.333], "w");
    assert.throws(
      () => validateWeights([0.5, 0.6], "w"),
      /sum of weights for combination must be equal to 1.0, submitted weights: \[0.5, 0.6\]/,
    );
    assert.throws(() => validateWeights([1.5, -0.5], "w"), /all weights must be in range \[0.0 ... 1.0\]/);
  });
});

/** The EngineError a pipeline definition fails with. */
function pipelineError(body: unknown, checkModel?: (id: string) => void): EngineError {
  try {
    parseSearchPipeline("p", body, checkModel ? { checkModel: (id) => checkModel(id) } : {});
  } catch (err) {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.status, 400);
    return err;
  }
  assert.fail("the pipeline should have been refused");
}

const normalization = (config: unknown) => ({
  phase_results_processors: [{ "normalization-processor": config }],
});

describe("pipeline definitions", () => {
  test("a complete pipeline parses, with defaults", () => {
    const pipeline = parseSearchPipeline("p", {
      description: "hybrid + rerank",
      request_processors: [
        { filter_query: { query: { term: { lang: "en" } } } },
        { neural_query_enricher: { default_model_id: "ep-1" } },
      ],
      phase_results_processors: [{ "normalization-processor": {} }],
      response_processors: [
        { rerank: { ml_opensearch: { model_id: "ep-r" }, context: { document_fields: ["content"] } } },
      ],
    });
    assert.equal(pipeline.request.length, 2);
    assert.equal(pipeline.phase?.hybridizer.normalization, "min_max");
    assert.equal(pipeline.phase?.hybridizer.combination, "arithmetic_mean");
    assert.equal(pipeline.response[0]?.type, "rerank");
    const rrfPipeline = parseSearchPipeline("r", {
      phase_results_processors: [
        { "score-ranker-processor": { combination: { technique: "rrf", rank_constant: 40 } } },
      ],
    });
    assert.equal(rrfPipeline.phase?.hybridizer.normalize([[5, 3]])[0]?.[0], f(1 / 41));
  });

  test("an unknown processor type lists the supported ones", () => {
    const err = pipelineError({ request_processors: [{ oversample: { sample_factor: 2 } }] });
    assert.match(err.message, /Invalid processor type \[oversample\] in \[request_processors\]/);
    assert.match(err.message, /filter_query, neural_query_enricher/);
    assert.match(err.message, /normalization-processor, score-ranker-processor/);
    assert.match(
      pipelineError({ request_processors: [{ rerank: {} }] }).message,
      /\[rerank\] is not allowed in \[request_processors\]: it belongs in \[response_processors\]/,
    );
  });

  test("bad techniques and parameters name the processor and the property", () => {
    let err = pipelineError(normalization({ normalization: { technique: "max_only" } }));
    assert.match(
      err.message,
      /^\[normalization.technique\] provided normalization technique \[max_only\] is not supported; supported: min_max, l2, z_score/,
    );
    assert.deepEqual(err.extra, {
      processor_type: "normalization-processor",
      property_name: "normalization.technique",
    });
    err = pipelineError(normalization({ combination: { technique: "median" } }));
    assert.match(
      err.message,
      /\[combination.technique\] provided combination technique \[median\] is not supported/,
    );
    err = pipelineError(
      normalization({ combination: { technique: "arithmetic_mean", parameters: { weights: [0.4, 0.4] } } }),
    );
    assert.match(
      err.message,
      /\[normalization-processor\].*sum of weights for combination must be equal to 1.0, submitted weights: \[0.4, 0.4\]/,
    );
    err = pipelineError(normalization({ combination: { parameters: { weights: "0.5,0.5" } } }));
    assert.match(err.message, /\[combination.parameters.weights\] must be a list of numbers/);
    err = pipelineError(normalization({ combination: { parameters: { weights: [0.5, 0.5], factor: 2 } } }));
    assert.match(err.message, /supported parameters are \[weights\]/);
    err = pipelineError(
      normalization({ normalization: { technique: "z_score" }, combination: { technique: "harmonic_mean" } }),
    );
    assert.match(err.message, /z_score normalization technique only supports arithmetic_mean/);
    err = pipelineError(normalization({ combination: { technique: "arithmetic_mean" }, extra: true }));
    assert.match(
      err.message,
      /processor \[normalization-processor\] doesn't support one or more provided configuration parameters \[extra\]/,
    );
    // a nested map's unknown keys are named by their dotted path
    err = pipelineError(normalization({ combination: { technique: "arithmetic_mean", factor: 2 } }));
    assert.equal(
      err.message,
      "processor [normalization-processor] doesn't support one or more provided configuration parameters [combination.factor]",
    );
    err = pipelineError({
      phase_results_processors: [{ "score-ranker-processor": { combination: { rank_constant: 0 } } }],
    });
    assert.match(
      err.message,
      /^\[combination.rank_constant\] must be in the interval between 1 and 10000, got 0$/,
    );
    err = pipelineError({
      phase_results_processors: [{ "score-ranker-processor": { combination: { technique: "borda" } } }],
    });
    assert.match(
      err.message,
      /\[combination.technique\] provided combination technique \[borda\] is not supported; supported: rrf/,
    );
  });

  test("rerank: a type, a model id and the document fields are required", () => {
    const rerank = (config: unknown) => ({ response_processors: [{ rerank: config }] });
    assert.match(
      pipelineError(rerank({ context: { document_fields: ["a"] } })).message,
      /No rerank type found. Possible rerank types are: \[ml_opensearch, by_field\]/,
    );
    assert.match(
      pipelineError(rerank({ ml_opensearch: {}, context: { document_fields: ["a"] } })).message,
      /^\[ml_opensearch.model_id\] required property is missing$/,
    );
    assert.match(
      pipelineError(rerank({ ml_opensearch: { model_id: "ep-r" } })).message,
      /^\[context\] required property is missing$/,
    );
    assert.match(
      pipelineError(rerank({ ml_opensearch: { model_id: "ep-r" }, context: { document_fields: [] } }))
        .message,
      /\[context.document_fields\] must be nonempty/,
    );
    assert.match(
      pipelineError(rerank({ by_field: {} })).message,
      /\[by_field.target_field\] required property is missing/,
    );
    const unknownModel = pipelineError(
      rerank({ ml_opensearch: { model_id: "ep-gone" }, context: { document_fields: ["a"] } }),
      (id) => {
        throw new EngineError(400, "illegal_argument_exception", `model [${id}] not found`);
      },
    );
    assert.match(unknownModel.message, /model \[ep-gone\] not found/);
  });

  test("pipeline-level keys and request processors are validated", () => {
    assert.match(
      pipelineError({ processors: [] }).message,
      /pipeline \[p\] doesn't support one or more provided configuration parameters \[processors\]/,
    );
    assert.match(
      pipelineError({ request_processors: { filter_query: {} } }).message,
      /\[request_processors\] must be a list/,
    );
    assert.match(
      pipelineError({ request_processors: [{ filter_query: {} }] }).message,
      /^\[query\] required property is missing$/,
    );
    assert.deepEqual(pipelineError({ request_processors: [{ filter_query: { tag: "f1" } }] }).extra, {
      processor_type: "filter_query",
      processor_tag: "f1",
      property_name: "query",
    });
    assert.match(
      pipelineError({ request_processors: [{ neural_query_enricher: {} }] }).message,
      /model Id or neural info map either of them should be provided/,
    );
    assert.match(
      pipelineError({
        phase_results_processors: [{ "normalization-processor": {} }, { "score-ranker-processor": {} }],
      }).message,
      /one phase results processor at most/,
    );
  });
});
