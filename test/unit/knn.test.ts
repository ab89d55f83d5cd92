import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { SearchEngine } from "../../src/search/engine.ts";
import { EngineError } from "../../src/search/errors.ts";
import type { SpaceType } from "../../src/search/knn-method.ts";
import { EXACT_BELOW, EXACT_FILTER_MAX, exactFilterLimit } from "../../src/search/query/knn-search.ts";
import { tempDir } from "../helpers/platform.ts";
import { seededRandom } from "../helpers/random.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary ES response bodies
type Body = Record<string, any>;

const engines: SearchEngine[] = [];
after(async () => {
  for (const e of engines) await e.close().catch(() => undefined);
});

async function openEngine(dir = tempDir()): Promise<SearchEngine> {
  const engine = await SearchEngine.open({ dataDir: dir });
  engines.push(engine);
  return engine;
}

function createVectorIndex(
  engine: SearchEngine,
  name: string,
  dimension: number,
  opts: { space?: SpaceType; knn?: boolean } = {},
): void {
  engine.createIndex(name, {
    settings: { "index.knn": opts.knn ?? true },
    mappings: {
      properties: {
        v: {
          type: "knn_vector",
          dimension,
          method: { name: "hnsw", space_type: opts.space ?? "l2", engine: "faiss" },
        },
        tag: { type: "keyword" },
      },
    },
  });
}

function randomVectors(n: number, dim: number, seed: number): number[][] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => Math.fround(random() * 2 - 1)));
}

function bulkVectors(engine: SearchEngine, index: string, vectors: number[][], tag: (i: number) => string) {
  const lines: unknown[] = [];
  vectors.forEach((v, i) => {
    lines.push({ index: { _index: index, _id: `d${i}` } });
    lines.push({ v, tag: tag(i) });
  });
  const res = engine.bulk(lines, { refresh: true }) as Body;
  assert.equal(res.errors, false);
}

function knn(engine: SearchEngine, index: string, spec: Record<string, unknown>, extra: Body = {}): Body {
  return engine.search(index, { size: 100, ...extra, query: { knn: { v: spec } } });
}

const ids = (res: Body): string[] => res.hits.hits.map((h: Body) => h._id);

function l2Score(q: number[], v: number[]): number {
  let d = 0;
  for (let i = 0; i < q.length; i++) d += ((q[i] as number) - (v[i] as number)) ** 2;
  return Math.fround(1 / (1 + d));
}

/** The true k nearest (by l2) among the allowed ids. */
function bruteForce(vectors: number[][], q: number[], k: number, allowed = (_i: number) => true): string[] {
  return vectors
    .map((v, i) => ({ id: `d${i}`, i, score: l2Score(q, v) }))
    .filter((x) => allowed(x.i))
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, k)
    .map((x) => x.id);
}

function recall(found: string[], truth: string[]): number {
  const set = new Set(truth);
  return found.filter((id) => set.has(id)).length / truth.length;
}

function rejects(fn: () => unknown, status: number, type: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof EngineError, String(err));
    assert.equal(err.status, status, err.message);
    assert.equal(err.type, type, err.message);
    assert.match(err.message, pattern);
    return true;
  });
}

test("each space scores as OpenSearch documents it (hand-computed values)", async () => {
  const engine = await openEngine();
  const cases: {
    space: SpaceType;
    q: number[];
    docs: Record<string, number[]>;
    expected: Record<string, number>;
  }[] = [
    // l2: d = Σ(x−y)², score 1/(1+d): [3,4] vs [1,2] → d = 8 → 1/9
    { space: "l2", q: [1, 2], docs: { a: [3, 4], b: [1, 2] }, expected: { a: 1 / 9, b: 1 } },
    // cosinesimil: d = 1 − cos, score (2 − d)/2 = (1 + cos)/2: [1,1] vs [1,0] → (1 + 1/√2)/2
    {
      space: "cosinesimil",
      q: [1, 0],
      docs: { a: [1, 1], b: [-1, 0] },
      expected: { a: (1 + Math.SQRT1_2) / 2, b: 0 },
    },
    // innerproduct: d = −x·y; d < 0 → 1 − d, d ≥ 0 → 1/(1+d): x·y = 11 → 12, x·y = −11 → 1/12
    { space: "innerproduct", q: [1, 2], docs: { a: [3, 4], b: [-3, -4] }, expected: { a: 12, b: 1 / 12 } },
  ];
  for (const c of cases) {
    const index = `space-${c.space}`;
    createVectorIndex(engine, index, 2, { space: c.space });
    const lines = Object.entries(c.docs).flatMap(([id, v]) => [{ index: { _index: index, _id: id } }, { v }]);
    assert.equal((engine.bulk(lines, { refresh: true }) as Body).errors, false);
    const res = knn(engine, index, { vector: c.q, k: 10 });
    const scores = Object.fromEntries(res.hits.hits.map((h: Body) => [h._id, h._score]));
    for (const [id, expected] of Object.entries(c.expected))
      assert.equal(scores[id], Math.fround(expected), `${c.space} score of ${id}`);
    // boost multiplies the space's score
    const boosted = knn(engine, index, { vector: c.q, k: 1, boost: 2 });
    assert.equal(
      boosted.hits.hits[0]._score,
      Math.fround(Math.fround(Math.max(...Object.values(c.expected))) * 2),
    );
  }
  // cosine refuses zero vectors (documents and queries), like the k-NN plugin
  const [zero] = engine.write("space-cosinesimil", [
    { op: "index", id: "z", source: { v: [0, 0] }, create: false },
  ]);
  assert.equal(zero?.status, 400);
  assert.equal(zero?.error?.type, "mapper_parsing_exception");
  assert.match(zero?.error?.reason ?? "", /zero vector is not supported when space type is \[cosinesimil\]/);
  rejects(
    () => knn(engine, "space-cosinesimil", { vector: [0, 0], k: 1 }),
    400,
    "illegal_argument_exception",
    /zero vector/,
  );
});

test("graph search agrees with exact search, and scores are the exact ones", async () => {
  const engine = await openEngine();
  const dim = 16;
  const vectors = randomVectors(EXACT_BELOW * 3, dim, 7);
  createVectorIndex(engine, "graph", dim);
  createVectorIndex(engine, "flat", dim, { knn: false });
  bulkVectors(engine, "graph", vectors, () => "t");
  bulkVectors(engine, "flat", vectors, () => "t");
  const queries = randomVectors(20, dim, 8);
  let total = 0;
  for (const q of queries) {
    const truth = bruteForce(vectors, q, 10);
    const approx = knn(engine, "graph", { vector: q, k: 10 }, { explain: true });
    assert.match(approx.hits.hits[0]._explanation.description, /approximate search/);
    total += recall(ids(approx), truth);
    for (const h of approx.hits.hits)
      assert.equal(h._score, l2Score(q, vectors[Number(h._id.slice(1))] as number[]));
    // index.knn false: no graph, exact search (OpenSearch would refuse the query instead)
    const exact = knn(engine, "flat", { vector: q, k: 10 }, { explain: true });
    assert.match(exact.hits.hits[0]._explanation.description, /exact search/);
    assert.deepEqual(ids(exact), truth);
  }
  assert.ok(total / queries.length >= 0.95, `recall ${total / queries.length}`);
  assert.equal(engine.indices.get("flat")?.shard?.vectorGraphs().length, 0);
  // a document's own vector finds it first
  for (const i of [0, 17, 999])
    assert.equal(ids(knn(engine, "graph", { vector: vectors[i], k: 1 }))[0], `d${i}`);
});

test("filters: a small filter is scored exactly, a large one searched in the graph", async () => {
  const engine = await openEngine();
  const dim = 8;
  const n = EXACT_FILTER_MAX * 2;
  const vectors = randomVectors(n, dim, 11);
  const rare = (i: number) => i % 50 === 0;
  const common = (i: number) => i % 10 !== 0;
  createVectorIndex(engine, "f", dim);
  bulkVectors(engine, "f", vectors, (i) => (rare(i) ? "rare" : common(i) ? "common" : "other"));
  const q = randomVectors(1, dim, 12)[0] as number[];
  const commonCount = vectors.filter((_, i) => common(i)).length;
  assert.ok(
    commonCount > exactFilterLimit(10, 100, n, 16),
    "the common filter is too large to score exactly",
  );

  const small = knn(engine, "f", { vector: q, k: 10, filter: { term: { tag: "rare" } } }, { explain: true });
  assert.match(small.hits.hits[0]._explanation.description, /exact search/);
  assert.deepEqual(ids(small), bruteForce(vectors, q, 10, rare));

  const large = knn(
    engine,
    "f",
    { vector: q, k: 10, filter: { term: { tag: "common" } } },
    { explain: true },
  );
  assert.match(large.hits.hits[0]._explanation.description, /approximate search/);
  assert.ok(ids(large).every((id) => common(Number(id.slice(1)))));
  assert.ok(recall(ids(large), bruteForce(vectors, q, 10, common)) >= 0.9);
  assert.equal(large.hits.total.value, 10);

  // knn as a clause of bool: must, should and filter
  const must = engine.search("f", {
    query: { bool: { must: [{ knn: { v: { vector: q, k: 5 } } }], filter: [{ term: { tag: "common" } }] } },
  }) as Body;
  assert.ok(ids(must).length <= 5 && ids(must).every((id) => common(Number(id.slice(1)))));
  const filtered = engine.search("f", {
    query: { bool: { filter: [{ knn: { v: { vector: q, k: 3 } } }] } },
  }) as Body;
  assert.deepEqual(
    filtered.hits.hits.map((h: Body) => h._score),
    [0, 0, 0],
  );
  const should = engine.search("f", {
    size: 3,
    query: {
      bool: {
        should: [{ knn: { v: { vector: q, k: 3 } } }, { term: { tag: "rare" } }],
        minimum_should_match: 1,
      },
    },
  }) as Body;
  const union = new Set([
    ...ids(knn(engine, "f", { vector: q, k: 3 })),
    ...vectors.flatMap((_, i) => (rare(i) ? [`d${i}`] : [])),
  ]);
  assert.equal(should.hits.total.value, union.size);
});

test("updates, deletes, refresh visibility, merges and restarts are honoured", async () => {
  const dir = tempDir();
  let engine = await openEngine(dir);
  const dim = 4;
  const vectors = randomVectors(EXACT_BELOW * 2, dim, 21);
  createVectorIndex(engine, "u", dim);
  bulkVectors(engine, "u", vectors, () => "t");
  const far = [50, 50, 50, 50];
  engine.write("u", [{ op: "index", id: "d3", source: { v: far }, create: false }], true);
  engine.write("u", [{ op: "delete", id: "d4" }], true);
  const check = () => {
    assert.equal(ids(knn(engine, "u", { vector: far, k: 1 }))[0], "d3");
    assert.ok(!ids(knn(engine, "u", { vector: vectors[3], k: 20 })).includes("d3"));
    assert.ok(!ids(knn(engine, "u", { vector: vectors[4], k: 20 })).includes("d4"));
    assert.equal(ids(knn(engine, "u", { vector: vectors[5], k: 1 }))[0], "d5");
  };
  check();
  // not searchable before a refresh, like text
  engine.write("u", [{ op: "index", id: "late", source: { v: [-60, 0, 0, 0] }, create: false }]);
  assert.notEqual(ids(knn(engine, "u", { vector: [-60, 0, 0, 0], k: 1 }))[0], "late");
  engine.refresh("u");
  assert.equal(ids(knn(engine, "u", { vector: [-60, 0, 0, 0], k: 1 }))[0], "late");
  engine.forceMerge("u");
  check();
  const before = engine.indices.get("u")?.shard?.vectorGraphs()[0];
  assert.equal(before?.live, vectors.length, "one live key per document");

  await engine.close();
  engine = await openEngine(dir);
  const reopened = engine.indices.get("u")?.shard?.vectorGraphs()[0];
  assert.equal(reopened?.origin, "loaded");
  assert.equal(reopened?.file, before?.file);
  check();

  // closing and opening the index loads the same graph; deleting it removes its files
  engine.closeIndex("u");
  engine.openIndex("u");
  assert.equal(engine.indices.get("u")?.shard?.vectorGraphs()[0]?.origin, "loaded");
  check();
  const shardDir = path.join(dir, "indices", engine.indices.get("u")?.row.uuid as string);
  engine.deleteIndex("u");
  assert.equal(fs.existsSync(shardDir), false);
});

test("a missing or corrupt graph file is rebuilt from the segments", async () => {
  const dir = tempDir();
  let engine = await openEngine(dir);
  const vectors = randomVectors(EXACT_BELOW + 100, 8, 31);
  createVectorIndex(engine, "c", 8);
  bulkVectors(engine, "c", vectors, () => "t");
  const uuid = engine.indices.get("c")?.row.uuid as string;
  await engine.close();
  for (const damage of ["corrupt", "missing"]) {
    const shardDir = path.join(dir, "indices", uuid);
    const file = fs.readdirSync(shardDir).find((f) => f.endsWith(".hnsw")) as string;
    if (damage === "corrupt") fs.writeFileSync(path.join(shardDir, file), Buffer.alloc(4096, 7));
    else fs.rmSync(path.join(shardDir, file));
    engine = await openEngine(dir);
    const info = engine.indices.get("c")?.shard?.vectorGraphs()[0];
    assert.equal(info?.origin, "built", damage);
    assert.deepEqual([info?.size, info?.live], [vectors.length, vectors.length]);
    for (const i of [0, 250, vectors.length - 1])
      assert.equal(ids(knn(engine, "c", { vector: vectors[i], k: 1 }))[0], `d${i}`);
    await engine.close();
  }
});

test("update churn leaves stale keys that searches skip, and a flush compacts them", async () => {
  const engine = await openEngine();
  const dim = 8;
  const n = EXACT_BELOW + 100;
  createVectorIndex(engine, "churn", dim);
  let current = randomVectors(n, dim, 41);
  bulkVectors(engine, "churn", current, () => "t");
  for (let round = 0; round < 5; round++) {
    current = randomVectors(n, dim, 42 + round);
    bulkVectors(engine, "churn", current, () => "t");
  }
  const graphInfo = () => engine.indices.get("churn")?.shard?.vectorGraphs()[0];
  assert.deepEqual([graphInfo()?.size, graphInfo()?.live], [n * 6, n]);
  const everyDocFindsItself = () => {
    for (let i = 0; i < n; i++) {
      const res = knn(engine, "churn", { vector: current[i], k: 1 });
      assert.equal(ids(res)[0], `d${i}`, `d${i} by its current vector`);
    }
  };
  everyDocFindsItself();
  engine.flush("churn");
  assert.deepEqual([graphInfo()?.size, graphInfo()?.live], [n, n], "compacted at flush");
  everyDocFindsItself();
});

test("radial search: max_distance and min_score", async () => {
  const engine = await openEngine();
  createVectorIndex(engine, "r", 2);
  const lines = [
    [0, 0],
    [1, 0],
    [2, 0],
    [3, 0],
  ].flatMap((v, i) => [{ index: { _index: "r", _id: `p${i}` } }, { v }]);
  engine.bulk(lines, { refresh: true });
  // squared l2 distances from the origin: 0, 1, 4, 9
  assert.deepEqual(ids(knn(engine, "r", { vector: [0, 0], max_distance: 4 })).sort(), ["p0", "p1", "p2"]);
  // scores 1, 1/2, 1/5, 1/10
  assert.deepEqual(ids(knn(engine, "r", { vector: [0, 0], min_score: 0.5 })).sort(), ["p0", "p1"]);
  assert.deepEqual(
    ids(knn(engine, "r", { vector: [0, 0], max_distance: 100, filter: { ids: { values: ["p3"] } } })),
    ["p3"],
  );
});

test("knn query validation: dimension, field type, k", async () => {
  const engine = await openEngine();
  createVectorIndex(engine, "q", 3);
  engine.bulk([{ index: { _index: "q", _id: "1" } }, { v: [1, 2, 3], tag: "x" }], { refresh: true });
  rejects(
    () => knn(engine, "q", { vector: [1, 2], k: 1 }),
    400,
    "illegal_argument_exception",
    /invalid dimension: 2\. Dimension should be: 3 \(field \[v\]\)/,
  );
  rejects(
    () => engine.search("q", { query: { knn: { tag: { vector: [1, 2, 3], k: 1 } } } }),
    400,
    "illegal_argument_exception",
    /Field 'tag' is not knn_vector type/,
  );
  for (const k of [undefined, 0, -1, 10_001, 1.5])
    rejects(() => knn(engine, "q", { vector: [1, 2, 3], k }), 400, "parsing_exception", /\[knn\] requires/);
  rejects(
    () => knn(engine, "q", { vector: [1, 2, 3], k: 1, max_distance: 2 }),
    400,
    "parsing_exception",
    /exactly one of k, distance or score/,
  );
  rejects(() => knn(engine, "q", { vector: "nope", k: 1 }), 400, "parsing_exception", /array of 3/);
  rejects(
    () => knn(engine, "q", { vector: [1, 2, 3], k: 1, nprobes: 2 }),
    400,
    "parsing_exception",
    /nprobes/,
  );
  // ignore_unmapped (multi-index searches): an unmapped field matches nothing instead of failing
  assert.equal(
    (engine.search("q", { query: { knn: { nope: { vector: [1], k: 1, ignore_unmapped: true } } } }) as Body)
      .hits.total.value,
    0,
  );
  rejects(
    () => engine.search("q", { query: { knn: { nope: { vector: [1], k: 1 } } } }),
    400,
    "illegal_argument_exception",
    /Field 'nope' is not knn_vector type\. It is not mapped\./,
  );
  // method_parameters.ef_search is accepted per query
  assert.deepEqual(ids(knn(engine, "q", { vector: [1, 2, 3], k: 1, method_parameters: { ef_search: 10 } })), [
    "1",
  ]);
  // a document with a vector of the wrong length names both dimensions
  const [short] = engine.write("q", [{ op: "index", id: "2", source: { v: [1, 2] }, create: false }]);
  assert.equal(short?.status, 400);
  assert.equal(short?.error?.type, "mapper_parsing_exception");
  assert.match(short?.error?.reason ?? "", /Expected: 3, Given: 2/);
});

test("knn_vector mapping: method validation and round trip", async () => {
  const engine = await openEngine();
  const vector = (extra: Record<string, unknown>) => ({
    mappings: { properties: { e: { type: "knn_vector", dimension: 4, ...extra } } },
  });
  const refused: [Record<string, unknown>, RegExp][] = [
    [
      { method: { name: "ivf", engine: "faiss" } },
      /\[method\.name\] of knn_vector field \[e\] must be one of \[hnsw\]/,
    ],
    [
      { method: { name: "hnsw", space_type: "l1" } },
      /\[method\.space_type\].*must be one of \[l2, cosinesimil, innerproduct\]/,
    ],
    [{ method: { name: "hnsw", engine: "annoy" } }, /\[method\.engine\].*\[nmslib, faiss, lucene\]/],
    [
      { method: { name: "hnsw", parameters: { encoder: { name: "pq" } } } },
      /\[method\.parameters\.encoder\] of knn_vector field \[e\] must be \{"name": "flat"\}/,
    ],
    [
      { method: { name: "hnsw", parameters: { encoder: { name: "sq", parameters: { type: "int8" } } } } },
      /"type": "fp16"/,
    ],
    [
      { method: { name: "hnsw", parameters: { m: 1 } } },
      /\[method\.parameters\.m\] of knn_vector field \[e\] must be an integer/,
    ],
    [{ method: { space_type: "l2" } }, /\[method\.name\] of knn_vector field \[e\] is required/],
    [{ data_type: "byte" }, /\[data_type\] of knn_vector field \[e\] must be one of \[float\]/],
    [{ space_type: "l2", method: { name: "hnsw", space_type: "innerproduct" } }, /differ/],
    [{ model_id: "m1" }, /\[model_id\]/],
  ];
  for (const [i, [extra, pattern]] of refused.entries())
    rejects(() => engine.createIndex(`bad-${i}`, vector(extra)), 400, "mapper_parsing_exception", pattern);
  const method = {
    name: "hnsw",
    space_type: "cosinesimil",
    engine: "lucene",
    parameters: { ef_construction: 128, m: 24, ef_search: 50, encoder: { name: "flat" } },
  };
  engine.createIndex("ok", { settings: { "index.knn": true }, ...vector({ method }) });
  engine.createIndex("top", {
    settings: { "index.knn": true },
    ...vector({ space_type: "innerproduct", data_type: "float" }),
  });
  assert.deepEqual((engine.getMapping("ok") as Body).ok.mappings.properties.e, {
    type: "knn_vector",
    dimension: 4,
    method,
  });
  const fields = engine.indices.get("ok")?.shard?.mapping.fields;
  assert.deepEqual(fields?.get("e")?.knn, {
    spaceType: "cosinesimil",
    engine: "lucene",
    m: 24,
    efConstruction: 128,
    efSearch: 50,
    encoding: "fp32",
  });
  const top = engine.indices.get("top")?.shard?.mapping.fields.get("e")?.knn;
  assert.equal(top?.spaceType, "innerproduct");
  assert.equal(top?.encoding, "fp16", "the graph keeps fp16 copies unless the mapping asks for flat");
});

test("script_score: the knn_score script and painless k-NN functions", async () => {
  const engine = await openEngine();
  createVectorIndex(engine, "s", 2);
  engine.createIndex("s2", {
    mappings: { properties: { v: { type: "knn_vector", dimension: 2 }, pop: { type: "integer" } } },
  });
  engine.bulk(
    [
      { index: { _index: "s", _id: "a" } },
      { v: [3, 4] },
      { index: { _index: "s", _id: "none" } },
      { tag: "no vector" },
      { index: { _index: "s2", _id: "a" } },
      { v: [3, 4], pop: 5 },
    ],
    { refresh: true },
  );
  const q = [1, 2];
  const score = (index: string, script: unknown, query: unknown = { match_all: {} }) => {
    const res = engine.search(index, { query: { script_score: { query, script } } }) as Body;
    return Object.fromEntries(res.hits.hits.map((h: Body) => [h._id, h._score]));
  };
  const f = Math.fround;
  const knnScore = (space: string) =>
    score("s", {
      lang: "knn",
      source: "knn_score",
      params: { field: "v", query_value: q, space_type: space },
    });
  // q = [1,2], v = [3,4]: l2² = 8, l1 = 4, l∞ = 2, q·v = 11, cos = 11/(√5·5)
  const cos = 11 / (Math.sqrt(5) * 5);
  assert.deepEqual(knnScore("l2"), { a: f(1 / 9), none: 0 });
  assert.deepEqual(knnScore("l1"), { a: f(1 / 5), none: 0 });
  assert.deepEqual(knnScore("linf"), { a: f(1 / 3), none: 0 });
  assert.deepEqual(knnScore("cosinesimil"), { a: f(1 + cos), none: 0 });
  assert.deepEqual(knnScore("innerproduct"), { a: f(12), none: 0 });

  const painless = (source: string, index = "s2") =>
    score(index, { source, params: { query_value: q, field: "v" } }).a;
  assert.equal(painless("1.0 + cosineSimilarity(params.query_value, doc[params.field])"), f(1 + cos));
  assert.equal(painless("1 / (1 + l2Squared(params.query_value, doc[params.field]))"), f(1 / 9));
  assert.equal(painless("1 / (1 + l1Norm(params.query_value, doc['v']))"), f(1 / 5));
  assert.equal(painless("return 1/(1+lInfNorm(params.query_value, doc[params.field]));"), f(1 / 3));
  assert.equal(
    painless("innerProduct(params.query_value, doc[params.field]) + dotProduct(params.query_value, 'v')"),
    22,
  );
  assert.equal(
    painless("cosineSimilarity(params.query_value, doc[params.field], 5) * 10"),
    f((11 / 25) * 10),
  );
  assert.equal(painless("doc[params.field].size() == 0 ? 0 : 2 * (_score + doc['pop'].value) - -1"), 13);
  assert.equal(painless("Math.max(Math.log(1), Math.sqrt(16)) % 3 + Math.pow(2, 3)"), 9);
});

test("script_score: refusals", async () => {
  const engine = await openEngine();
  createVectorIndex(engine, "x", 2);
  engine.bulk(
    [{ index: { _index: "x", _id: "a" } }, { v: [3, 4] }, { index: { _index: "x", _id: "b" } }, { tag: "t" }],
    { refresh: true },
  );
  const run = (script: unknown, query: unknown = { ids: { values: ["a"] } }) =>
    engine.search("x", { query: { script_score: { query, script } } });
  const params = { query_value: [1, 2], field: "v" };
  for (const [source, pattern] of [
    ["System.exit(0)", /unknown variable \[System\]|expected/],
    ["java.lang.Runtime.getRuntime()", /unknown variable/],
    ["foo(params.query_value)", /unknown function \[foo\]/],
    ["params.query_value + ", /unexpected/],
    ["doc['v'] + 1", /is a vector/],
    ["while (true) {}", /unexpected character \[\{\]/],
    ["l2Squared(params.missing, doc['v'])", /params\.missing is not defined/],
    ["l2Squared(params.query_value, doc['tag'])", /is not a knn_vector field/],
    ["1 + `x`", /unexpected character/],
  ] as const)
    rejects(() => run({ source, params }), 400, "script_exception", pattern);
  rejects(
    () =>
      run({
        source: "l2Squared(params.query_value, doc[params.field])",
        params: { ...params, query_value: [1, 2, 3] },
      }),
    400,
    "illegal_argument_exception",
    /invalid dimension: 3\. Dimension should be: 2/,
  );
  rejects(
    () => run({ source: "cosineSimilarity(params.query_value, doc[params.field]) - 2", params }),
    400,
    "illegal_argument_exception",
    /invalid score \[-.*\] for doc \[a\]\. Must be a non-negative score!/,
  );
  rejects(
    () => run({ source: "l2Squared(params.query_value, doc['v'])", params }, { match_all: {} }),
    400,
    "script_exception",
    /document \[b\] has no value for field \[v\]/,
  );
  rejects(
    () => run({ source: "1", lang: "mustache" }),
    400,
    "illegal_argument_exception",
    /lang \[mustache\]/,
  );
  rejects(
    () =>
      run({
        lang: "knn",
        source: "knn_score",
        params: { field: "v", query_value: [1, 2], space_type: "hammingbit" },
      }),
    400,
    "illegal_argument_exception",
    /Invalid space type \[hammingbit\]/,
  );
  // min_score and boost
  const res = engine.search("x", {
    query: {
      script_score: {
        query: { match_all: {} },
        script: { source: "doc['v'].size() == 0 ? 0.5 : 2", params },
        min_score: 2,
        boost: 3,
      },
    },
  }) as Body;
  assert.deepEqual(
    res.hits.hits.map((h: Body) => [h._id, h._score]),
    [["a", 6]],
  );
});
