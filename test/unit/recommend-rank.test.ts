/**
 * The recommendation service's pure parts: the filter subset (and the field paths its 400s name),
 * MMR diversity, exploration's slot rate and strategies, and rank's filters (seen, disliked,
 * inactive, new items only through exploration).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Behavior, ItemStats } from "../../src/recommend/behaviors.ts";
import type { CatalogItem } from "../../src/recommend/catalog.ts";
import { categorySimilarity, mmr } from "../../src/recommend/diversity.ts";
import { betaSample, exploreSlots, seededRandom } from "../../src/recommend/explore.ts";
import { parseFilter } from "../../src/recommend/filters.ts";
import { rank } from "../../src/recommend/rank.ts";

const item = (id: string, category: string | null = null, extra: Partial<CatalogItem> = {}): CatalogItem => ({
  item_id: id,
  title: id.toUpperCase(),
  category,
  status: "active",
  item_time: Date.parse("2026-01-01"),
  datasource_id: "ds",
  active: true,
  hash: "",
  added_at: 0,
  ...extra,
});

describe("filters", () => {
  test("term, terms, range, exists and bool", () => {
    const a = item("a", "news", { item_time: Date.parse("2026-03-01") });
    const b = item("b", "sports", { item_time: Date.parse("2025-03-01") });
    const c = item("c", null, { item_time: null });
    const keep = (f: unknown) => [a, b, c].filter(parseFilter(f)).map((i) => i.item_id);
    assert.deepEqual(keep({ term: { category: "news" } }), ["a"]);
    assert.deepEqual(keep({ terms: { category: ["news", "sports"] } }), ["a", "b"]);
    assert.deepEqual(keep({ range: { time: { gte: "2026-01-01" } } }), ["a"]);
    assert.deepEqual(keep({ exists: { field: "category" } }), ["a", "b"]);
    assert.deepEqual(
      keep({ bool: { must_not: [{ term: { item_id: "a" } }], should: [{ term: { category: "sports" } }] } }),
      ["b"],
    );
  });

  test("errors name the path of the bad part", () => {
    for (const [f, param] of [
      [{ term: { colour: "red" } }, "filter.term.colour"],
      [{ match: {} }, "filter.match"],
      [
        { bool: { must: [{ term: { category: "x" } }, { range: { time: { near: 1 } } }] } },
        "filter.bool.must[1].range.time.near",
      ],
      [{ terms: { category: "x" } }, "filter.terms.category"],
      [{ term: { category: "x" }, terms: {} }, "filter"],
    ] as const)
      assert.throws(
        () => parseFilter(f),
        (err: { param?: string }) => err.param === param,
        JSON.stringify(f),
      );
  });
});

test("MMR with a low lambda spreads the result over categories", () => {
  const cats: Record<string, string> = { a: "x", b: "x", c: "x", d: "y", e: "z" };
  const candidates = ["a", "b", "c", "d", "e"].map((id, i) => ({ item_id: id, score: 1 - i * 0.1 }));
  const sim = categorySimilarity((id) => cats[id]);
  assert.deepEqual(
    mmr(candidates, 3, 1, sim).map((c) => c.item_id),
    ["a", "b", "c"],
  );
  assert.deepEqual(
    mmr(candidates, 3, 0.3, sim).map((c) => c.item_id),
    ["a", "d", "e"],
  );
});

describe("exploration", () => {
  const stats = new Map<string, ItemStats>();
  const pool = Array.from({ length: 500 }, (_, i) => `n${i}`);

  test("each slot explores with probability rate (binomial bound), never at rate 0", () => {
    for (const rate of [0.05, 0.3]) {
      let explored = 0;
      const requests = 2000;
      for (let r = 0; r < requests; r++)
        explored += exploreSlots(
          10,
          { strategy: "epsilon_greedy", rate },
          pool,
          () => true,
          stats,
          seededRandom(`t${r}`),
        ).size;
      const n = requests * 10;
      assert.ok(
        Math.abs(explored - n * rate) < 5 * Math.sqrt(n * rate * (1 - rate)),
        `${rate}: ${explored} of ${n}`,
      );
    }
    assert.equal(
      exploreSlots(10, { strategy: "ucb", rate: 0 }, pool, () => true, stats, seededRandom(1)).size,
      0,
    );
  });

  test("only items the caller accepts, each at most once per result", () => {
    const slots = exploreSlots(
      50,
      { strategy: "epsilon_greedy", rate: 1 },
      pool,
      (id) => id.endsWith("7"),
      stats,
      seededRandom(3),
    );
    assert.equal(slots.size, 50);
    assert.ok([...slots.values()].every((id) => id.endsWith("7")));
    assert.equal(new Set(slots.values()).size, 50);
  });

  test("thompson and ucb favour an item that was clicked when shown", () => {
    const s = new Map<string, ItemStats>([
      ["good", { exposes: 40, actions: 0, positives: 30 }],
      ["bad", { exposes: 40, actions: 0, positives: 0 }],
    ]);
    for (const strategy of ["thompson", "ucb"] as const) {
      let good = 0;
      for (let r = 0; r < 200; r++)
        if (
          exploreSlots(1, { strategy, rate: 1 }, ["good", "bad"], () => true, s, seededRandom(r)).get(0) ===
          "good"
        )
          good++;
      assert.ok(good > 190, `${strategy}: ${good}`);
    }
    const random = seededRandom(9);
    const mean = Array.from({ length: 4000 }, () => betaSample(3, 7, random)).reduce((a, b) => a + b) / 4000;
    assert.ok(Math.abs(mean - 0.3) < 0.01, String(mean));
  });
});

describe("rank", () => {
  const loaded = (scores: Record<string, number>) => ({
    model: {
      channel: "item_cf",
      itemIds: Object.keys(scores),
      userIds: ["u"],
      recommend: () => ({
        items: Int32Array.from(Object.keys(scores).map((_, i) => i)),
        scores: Float32Array.from(Object.values(scores)),
      }),
      recommendForHistory: () => ({ items: new Int32Array(0), scores: new Float32Array(0) }),
    },
    item: new Map(Object.keys(scores).map((id, i) => [id, i])),
    user: new Map([["u", 0]]),
    liveMs: 0,
  });
  const behavior = (item_id: string, type: Behavior["type"]): Behavior => ({
    event_id: `${item_id}-${type}`,
    user_id: "u",
    item_id,
    type,
    value: 1,
    at: 0,
    trace_id: null,
    scene: null,
    source: "api",
  });
  const base = () => ({
    size: 5,
    userId: "u",
    history: [behavior("seen", "click"), behavior("hated", "dislike")],
    weightOf: () => 1,
    models: {
      version: "v1",
      channels: new Map([
        ["item_cf", loaded({ seen: 0.9, hated: 0.8, a: 0.7, gone: 0.6, off: 0.5, b: 0.4 })],
      ]),
    },
    catalog: new Map(
      [
        item("seen"),
        item("hated"),
        item("a"),
        item("off", null, { active: false }),
        item("b"),
        item("fresh"),
      ].map((i) => [i.item_id, i]),
    ),
    neighbors: new Map(),
    stats: new Map<string, ItemStats>(
      ["seen", "hated", "a", "off", "b"].map((id) => [id, { exposes: 0, actions: 1, positives: 1 }]),
    ),
    newItems: ["fresh"],
    excludeSeen: true,
    random: seededRandom(1),
  });

  test("seen, disliked, inactive and unknown items are left out; new items only with explore", () => {
    const plain = rank(base());
    assert.deepEqual(
      plain.items.map((r) => r.item_id),
      ["a", "b"],
    );
    assert.equal(plain.items[0]?.channels[0]?.channel, "item_cf");
    assert.ok(Math.abs((plain.items[0]?.channels[0]?.score ?? 0) - 0.7 / 0.9) < 1e-6);
    const explored = rank({ ...base(), explore: { strategy: "epsilon_greedy", rate: 1 } });
    assert.deepEqual(
      explored.items.map((r) => r.item_id),
      ["fresh", "a", "b"],
    );
    assert.equal(explored.explored, 1);
    const withSeen = rank({ ...base(), excludeSeen: false });
    assert.deepEqual(
      withSeen.items.map((r) => r.item_id),
      ["seen", "a", "b"],
    );
  });

  test("the learned blend weighs the channels unless the request gives weights", () => {
    const twoChannels = () => {
      const input = base();
      input.models.channels.set("ease", loaded({ b: 0.9, a: 0.1 }));
      return input;
    };
    // scaled by their best, item_cf gives a 0.78 and b 0.44, ease gives b 1 and a 0.11: with the
    // default weights (1 each) b leads; the learned blend turns ease off; a request's weights win
    assert.deepEqual(
      rank(twoChannels()).items.map((r) => r.item_id),
      ["b", "a"],
    );
    const learned = twoChannels();
    const withLearned = { ...learned, models: { ...learned.models, blend: { item_cf: 1, ease: 0 } } };
    assert.deepEqual(
      rank(withLearned).items.map((r) => r.item_id),
      ["a", "b"],
    );
    assert.deepEqual(
      rank({ ...withLearned, blend: { ease: 1 } }).items.map((r) => r.item_id),
      ["b", "a"],
    );
  });
});
