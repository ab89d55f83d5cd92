/**
 * Recall models on data small enough to check by hand: top-k selection, popularity and trending
 * over time, item_cf neighbours, ALS recovering a block (low-rank) matrix, EASE against its closed
 * form, the blend and its weight search, and save/load round trips.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { candidateMatrix, fitBlend, normaliseScores } from "../../src/recommend/models/blend.ts";
import { userItemMatrix } from "../../src/recommend/models/csr.ts";
import {
  blendScored,
  buildInteractionData,
  loadModel,
  type RecallModel,
  saveModel,
  TRAINERS,
  topK,
} from "../../src/recommend/models/index.ts";
import { cosineNeighbours } from "../../src/recommend/models/item-cf.ts";
import { spdInverse } from "../../src/recommend/models/linalg.ts";
import type { InteractionEvent } from "../../src/recommend/models/types.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);
const ev = (user: string, item: string, weight = 1, at = T0): InteractionEvent => ({
  user,
  item,
  weight,
  at,
});
const ids = (m: RecallModel, items: Int32Array) => [...items].map((i) => m.itemIds[i]);

describe("interaction data and top-k", () => {
  test("dense indices in first-seen order, duplicate events kept, bad weights become 0", () => {
    const d = buildInteractionData([
      ev("u1", "a", 2),
      ev("u2", "b"),
      ev("u1", "a", Number.NaN),
      ev("u1", "c", -3),
    ]);
    assert.deepEqual(d.userIds, ["u1", "u2"]);
    assert.deepEqual(d.itemIds, ["a", "b", "c"]);
    assert.deepEqual([...d.user], [0, 1, 0, 0]);
    assert.deepEqual([...d.item], [0, 1, 0, 2]);
    assert.deepEqual([...d.weight], [2, 1, 0, 0]);
    const m = userItemMatrix(d);
    assert.deepEqual([...m.indptr], [0, 1, 2]); // (u1, c) has weight 0 and is dropped
    assert.deepEqual([...m.values], [2, 1]);
  });

  test("topK: best first, ties by lower index, exclusions and −Infinity skipped", () => {
    const s = Float32Array.of(1, 5, 3, 5, Number.NEGATIVE_INFINITY, 4, 0);
    assert.deepEqual([...topK(s, 3).items], [1, 3, 5]);
    assert.deepEqual([...topK(s, 3, new Set([3])).items], [1, 5, 2]);
    assert.deepEqual([...topK(s, 100).items], [1, 3, 5, 2, 0, 6]);
    assert.deepEqual([...topK(s, 0).items], []);
    // against a full sort on random data
    const r = new Float32Array(1000).map((_, i) => ((i * 7919) % 101) / 7);
    const want = [...r.keys()].sort((a, b) => (r[b] as number) - (r[a] as number) || a - b).slice(0, 25);
    assert.deepEqual([...topK(r, 25).items], want);
  });
});

describe("popular and trending", () => {
  const data = buildInteractionData([
    ev("u1", "old", 1, T0 - 30 * DAY),
    ev("u2", "old", 1, T0 - 30 * DAY),
    ev("u3", "old", 1, T0 - 30 * DAY),
    ev("u1", "new", 1, T0 - DAY),
    ev("u1", "new", 1, T0 - DAY), // one user repeating does not make an item popular
    ev("u1", "new", 1, T0 - DAY),
    ev("u2", "future", 2, T0 + DAY),
  ]);

  test("popular counts distinct users", () => {
    const m = TRAINERS.popular?.train(data) as RecallModel;
    assert.deepEqual(ids(m, m.recommend(0, 3).items), ["old", "new", "future"]);
    assert.deepEqual(ids(m, m.recommend(0, 3, new Set([0])).items), ["new", "future"]);
  });

  test("trending decays with age from `now` and ignores later events", () => {
    const m = TRAINERS.trending?.train(data, { now: T0, halfLifeDays: 7 }) as RecallModel;
    const top = m.recommend(0, 3);
    assert.deepEqual(ids(m, top.items), ["new", "old"]); // "future" happened after now
    assert.ok(Math.abs((top.scores[0] as number) - 3 * 2 ** (-1 / 7)) < 1e-5);
    assert.ok(Math.abs((top.scores[1] as number) - 3 * 2 ** (-30 / 7)) < 1e-5);
    // a month later the future event counts too (decayed from its own time)
    const later = TRAINERS.trending?.train(data, { now: T0 + 30 * DAY }) as RecallModel;
    const top2 = later.recommend(0, 3);
    assert.deepEqual(ids(later, top2.items), ["new", "future", "old"]);
    assert.ok(Math.abs((top2.scores[0] as number) - 3 * 2 ** (-31 / 7)) < 1e-5);
    assert.ok(Math.abs((top2.scores[1] as number) - 2 * 2 ** (-29 / 7)) < 1e-5);
  });
});

describe("item_cf", () => {
  // users: {a, b}, {a, b}, {b, c}, {d}
  const data = buildInteractionData([
    ev("1", "a"),
    ev("1", "b"),
    ev("2", "a"),
    ev("2", "b"),
    ev("3", "b"),
    ev("3", "c"),
    ev("4", "d"),
  ]);

  test("cosine neighbours: a–b 2/√6, b–c 1/√3, nothing for a–c or d", () => {
    const nb = cosineNeighbours(userItemMatrix(data), 10);
    const row = (i: number) =>
      Object.fromEntries(
        [...nb.indices.subarray(nb.indptr[i], nb.indptr[i + 1])].map((j, p) => [
          data.itemIds[j],
          nb.values[(nb.indptr[i] as number) + p],
        ]),
      );
    const [a, b, c, d] = [0, 1, 2, 3].map(row);
    assert.deepEqual(Object.keys(a ?? {}), ["b"]);
    assert.ok(Math.abs((a?.b as number) - 2 / Math.sqrt(6)) < 1e-6);
    assert.deepEqual(Object.keys(b ?? {}), ["a", "c"]);
    assert.ok(Math.abs((c?.b as number) - 1 / Math.sqrt(3)) < 1e-6);
    assert.deepEqual(d, {});
  });

  test("scores sum history weight × similarity; items nothing points to are not recommended", () => {
    const m = TRAINERS.item_cf?.train(data) as RecallModel;
    const forA = m.recommendForHistory(Int32Array.of(0), Float32Array.of(1), 10);
    assert.deepEqual(ids(m, forA.items), ["b"]);
    const forB = m.recommendForHistory(Int32Array.of(1), Float32Array.of(2), 10);
    assert.deepEqual(ids(m, forB.items), ["a", "c"]);
    assert.ok(Math.abs((forB.scores[0] as number) - (2 * 2) / Math.sqrt(6)) < 1e-5);
    // user 3 ({b, c}) gets a, its training items excluded by the caller
    assert.deepEqual(ids(m, m.recommend(2, 10, new Set([1, 2])).items), ["a"]);
  });

  test("time decay: an old co-occurrence weighs less than a recent one", () => {
    const d = buildInteractionData([
      ev("1", "x", 1, T0 - 60 * DAY),
      ev("1", "old", 1, T0 - 60 * DAY),
      ev("2", "x", 1, T0),
      ev("2", "recent", 1, T0),
    ]);
    const m = TRAINERS.item_cf?.train(d, { halfLifeDays: 30, now: T0 }) as RecallModel;
    const r = m.recommendForHistory(Int32Array.of(0), Float32Array.of(1), 5);
    assert.deepEqual(ids(m, r.items), ["recent", "old"]);
    assert.ok((r.scores[0] as number) > (r.scores[1] as number));
  });
});

describe("als", () => {
  // two taste groups: users 0–9 like items 0–9, users 10–19 like items 10–19; each user misses one
  const events: InteractionEvent[] = [];
  for (let u = 0; u < 20; u++) {
    const base = u < 10 ? 0 : 10;
    for (let i = 0; i < 10; i++) if (i !== u % 10) events.push(ev(`u${u}`, `i${base + i}`));
  }
  const data = buildInteractionData(events);

  for (const solver of ["cg", "cholesky"] as const)
    test(`reconstructs the block matrix: each user's missing item of their group ranks first (${solver})`, () => {
      const m = TRAINERS.als?.train(data, {
        factors: 4,
        iterations: 15,
        regularization: 1,
        alpha: 1,
        solver,
      }) as RecallModel;
      for (let u = 0; u < 20; u++) {
        const seen = new Set<number>();
        for (let e = 0; e < data.user.length; e++) if (data.user[e] === u) seen.add(data.item[e] as number);
        const top = m.recommend(u, 3, seen);
        const group = u < 10 ? 0 : 10;
        assert.equal(m.itemIds[top.items[0] as number], `i${group + (u % 10)}`, `user ${u}`);
      }
      // a new user's history folds in: two items of group 2 → the rest of group 2 first
      const items = Int32Array.from(["i10", "i11"].map((id) => m.itemIds.indexOf(id)));
      const r = m.recommendForHistory(items, Float32Array.of(1, 1), 5, new Set(items));
      for (const i of r.items) assert.ok(Number((m.itemIds[i] as string).slice(1)) >= 10);
      // unknown item indices are ignored, not turned into NaN scores
      const odd = m.recommendForHistory(
        Int32Array.of(items[0] as number, 999, -1),
        Float32Array.of(1, 1, 1),
        3,
      );
      assert.equal(odd.items.length, 3);
      for (const s of odd.scores) assert.ok(Number.isFinite(s));
    });
});

describe("bpr", () => {
  const events: InteractionEvent[] = [];
  for (let u = 0; u < 20; u++) {
    const base = u < 10 ? 0 : 10;
    for (let i = 0; i < 10; i++) if (i !== u % 10) events.push(ev(`u${u}`, `i${base + i}`));
  }
  const data = buildInteractionData(events);

  test("ranks each user's missing item of their own group above the other group's items", () => {
    const m = TRAINERS.bpr?.train(data, { factors: 4, epochs: 200 }) as RecallModel;
    assert.equal(m.channel, "bpr");
    for (let u = 0; u < 20; u++) {
      const seen = new Set<number>();
      for (let e = 0; e < data.user.length; e++) if (data.user[e] === u) seen.add(data.item[e] as number);
      const top = m.recommend(u, 1, seen);
      assert.equal(m.itemIds[top.items[0] as number], `i${(u < 10 ? 0 : 10) + (u % 10)}`, `user ${u}`);
    }
  });
});

describe("ease and its linear algebra", () => {
  test("spdInverse(A)·A = I", () => {
    const n = 7;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] = 1 / (1 + Math.abs(i - j)) + (i === j ? n : 0);
    const inv = spdInverse(a.slice(), n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += (a[i * n + k] as number) * (inv[k * n + j] as number);
        assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12);
      }
  });

  test("weights equal B = I − P·diag(1/diag P) on a 3-item example", () => {
    // users {a, b}, {a, b}, {b, c}; Gram + λI with λ = 1
    const d = buildInteractionData([
      ev("1", "a"),
      ev("1", "b"),
      ev("2", "a"),
      ev("2", "b"),
      ev("3", "b"),
      ev("3", "c"),
    ]);
    const m = TRAINERS.ease?.train(d, { lambda: 1, minUsers: 1 }) as RecallModel & { weights: Float32Array };
    const g = Float64Array.of(2 + 1, 2, 0, 2, 3 + 1, 1, 0, 1, 1 + 1);
    const p = spdInverse(g, 3);
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        const want = i === j ? 0 : -(p[i * 3 + j] as number) / (p[j * 3 + j] as number);
        assert.ok(Math.abs((m.weights[i * 3 + j] as number) - want) < 1e-6, `B[${i},${j}]`);
      }
    // history {a} → b (co-occurs) above c
    assert.deepEqual(
      ids(m, m.recommendForHistory(Int32Array.of(0), Float32Array.of(1), 2, new Set([0])).items),
      ["b", "c"],
    );
  });

  test("only the maxItems most-used items are modelled", () => {
    const d = buildInteractionData([
      ev("1", "a"),
      ev("2", "a"),
      ev("1", "b"),
      ev("3", "c"),
      ev("2", "c"),
      ev("3", "d"),
    ]);
    const m = TRAINERS.ease?.train(d, { maxItems: 2, minUsers: 1 }) as RecallModel;
    const r = m.recommendForHistory(Int32Array.of(0), Float32Array.of(1), 10);
    assert.deepEqual(ids(m, r.items).sort(), ["a", "c"]);
  });
});

describe("blend", () => {
  test("min-max normalisation and weighted sum with missing items at 0", () => {
    assert.deepEqual([...normaliseScores(Float32Array.of(10, 5, 0))], [1, 0.5, 0]);
    assert.deepEqual([...normaliseScores(Float32Array.of(3))], [1]);
    const lists = {
      x: { items: Int32Array.of(1, 2), scores: Float32Array.of(2, 1) },
      y: { items: Int32Array.of(3, 2), scores: Float32Array.of(9, 8) },
    };
    const m = candidateMatrix(lists);
    assert.deepEqual([...m.items], [1, 2, 3]);
    // x: 1→1, 2→0; y: 3→1, 2→0
    const b = blendScored(lists, { x: 1, y: 0.5 }, 3);
    assert.deepEqual([...b.items], [1, 3, 2]);
    assert.deepEqual([...b.scores], [1, 0.5, 0]);
    assert.deepEqual([...blendScored(lists, { x: 1, y: 0.5 }, 3, new Set([1])).items], [3, 2]);
  });

  test("fitBlend weights the channel that finds the held-out items", () => {
    const examples = Array.from({ length: 30 }, (_, u) => {
      const target = 100 + u;
      return {
        lists: {
          good: { items: Int32Array.of(target, 1, 2), scores: Float32Array.of(3, 2, 1) },
          noise: { items: Int32Array.of(5, 6, target), scores: Float32Array.of(3, 2, 1) },
        },
        relevant: new Set([target]),
      };
    });
    const fit = fitBlend(examples, { k: 3 });
    assert.equal(fit.single.good, 1);
    assert.ok((fit.single.noise as number) < 0.6);
    assert.equal(fit.ndcg, 1);
    assert.ok((fit.weights.good as number) > (fit.weights.noise as number));
  });
});

describe("save and load", () => {
  const events: InteractionEvent[] = [];
  for (let u = 0; u < 12; u++)
    for (let i = 0; i < 8; i++)
      if ((u * 3 + i * 5) % 4 !== 0) events.push(ev(`u${u}`, `i${i}`, 1, T0 - ((u + i) % 5) * DAY));
  const data = buildInteractionData(events);

  for (const channel of Object.keys(TRAINERS))
    test(`${channel}: a loaded model recommends exactly what the trained one did`, () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rec-model-"));
      try {
        const trained = TRAINERS[channel]?.train(data, {
          factors: 4,
          iterations: 3,
          minUsers: 1,
        }) as RecallModel;
        const target = path.join(dir, "m");
        saveModel(trained, target);
        saveModel(trained, target); // replacing an existing folder
        assert.deepEqual(fs.readdirSync(dir), ["m"]);
        const loaded = loadModel(target);
        assert.equal(loaded.channel, channel);
        assert.deepEqual(loaded.itemIds, trained.itemIds);
        for (let u = 0; u < 12; u++) assert.deepEqual(loaded.recommend(u, 5), trained.recommend(u, 5));
        const h = [Int32Array.of(1, 2), Float32Array.of(1, 0.5)] as const;
        assert.deepEqual(loaded.recommendForHistory(...h, 4), trained.recommendForHistory(...h, 4));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

  test("a folder that is not a model says so", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rec-model-"));
    try {
      assert.throws(() => loadModel(dir), /no model\.json/);
      fs.writeFileSync(
        path.join(dir, "model.json"),
        JSON.stringify({ format: "lodestone-recall-model", version: 1, kind: "nope" }),
      );
      assert.throws(() => loadModel(dir), /unknown model kind "nope"/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
