/**
 * The AIRec-compatible recommendation API on a running platform: instance, scene and datasource
 * CRUD with 400s naming the field; the seed's datasource call verbatim against the embedded
 * engine's URL, incremental catalog sync (new, changed, deleted items); a remote endpoint outside
 * the allow-list refused; behaviour pushes rejected event by event and idempotent on event ids;
 * exploration's share of new items within a binomial bound of its rate, and none without it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;
// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Body = any;

describe("recommendation API", () => {
  let server: Running;
  const call = (method: string, route: string, body?: unknown) => api<Body>(server.url, method, route, body);
  const search = (method: string, route: string, body?: unknown) =>
    api<Body>(server.searchUrl, method, route, body);
  const newInstance = async (body: unknown = {}) => {
    const res = await call("POST", "/v2/instances", body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.result.instance_id as string;
  };

  before(async () => {
    server = await startTestPlatform(
      {
        "recommend.allowedEndpoints": ["https://es.allowed.example:9200"],
        "recommend.retrainIntervalMs": 0,
        "recommend.syncIntervalMs": 0,
      },
      tempDir(),
    );
  });
  after(async () => server?.close());

  test("instances and scenes: create, read, list, delete; bad bodies are 400s naming the field", async () => {
    const id = await newInstance({ name: "news", type: "news", behavior_weights: { click: 2 } });
    assert.match(id, /^airec-[0-9a-f]{16}$/);
    const got = await call("GET", `/v2/instances/${id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.result.behavior_weights.click, 2);
    assert.equal(got.body.result.behavior_weights.purchase, 4);
    assert.ok((await call("GET", "/v2/instances")).body.result.some((i: Body) => i.instance_id === id));
    assert.equal(await newInstance({ instance_id: "airec-chosen" }), "airec-chosen");
    const taken = await call("POST", "/v2/instances", { instance_id: "airec-chosen" });
    assert.equal(taken.status, 409);
    assert.equal(taken.body.error.param, "instance_id");
    for (const [body, field] of [
      [{ behavior_weights: { click: -1 } }, "behavior_weights.click"],
      [{ behavior_weights: { teleport: 1 } }, "behavior_weights.teleport"],
      [{ colour: "red" }, "colour"],
      [{ instance_id: "my instance" }, "instance_id"],
    ] as const) {
      const res = await call("POST", "/v2/instances", body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.param, field, JSON.stringify(res.body));
    }

    const scene = await call("POST", `/v2/instances/${id}/scenes`, {
      scene_id: "home",
      filter: { term: { category: "sports" } },
      explore: { strategy: "epsilon_greedy", rate: 0.1 },
    });
    assert.equal(scene.status, 201, JSON.stringify(scene.body));
    assert.equal((await call("POST", `/v2/instances/${id}/scenes`, { scene_id: "home" })).status, 409);
    const badFilter = await call("POST", `/v2/instances/${id}/scenes`, {
      scene_id: "x",
      filter: { bool: { must: [{ term: { colour: "red" } }] } },
    });
    assert.equal(badFilter.status, 400);
    assert.equal(badFilter.body.error.param, "filter.bool.must[0].term.colour");
    const badExplore = await call("POST", `/v2/instances/${id}/scenes`, {
      scene_id: "x",
      explore: { strategy: "greedy" },
    });
    assert.equal(badExplore.status, 400);
    assert.equal(badExplore.body.error.param, "explore.strategy");
    assert.deepEqual(
      (await call("GET", `/v2/instances/${id}/scenes`)).body.result.map((s: Body) => s.scene_id),
      ["home"],
    );
    assert.equal((await call("GET", `/v2/instances/${id}/scenes/home`)).body.result.explore.rate, 0.1);
    assert.equal((await call("DELETE", `/v2/instances/${id}/scenes/home`)).status, 200);
    assert.equal((await call("GET", `/v2/instances/${id}/scenes/home`)).status, 404);

    const rec = await call("POST", "/v2/recommend", { instance_id: id, user_id: "u", size: 0 });
    assert.equal(rec.status, 400);
    assert.equal(rec.body.error.param, "size");
    assert.equal(
      (await call("POST", "/v2/recommend", { instance_id: id, scene: "nope" })).body.error.param,
      "scene",
    );
    assert.equal((await call("DELETE", `/v2/instances/${id}`)).status, 200);
    assert.equal((await call("GET", `/v2/instances/${id}`)).status, 404);
    const gone = await call("POST", "/v2/recommend", { instance_id: id });
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error.param, "instance_id");
  });

  test("the seed's datasource call, verbatim with the embedded engine's URL; incremental sync", async () => {
    const put = await search("PUT", "/rag-docs", {
      settings: { "index.knn": true },
      mappings: {
        properties: {
          title: { type: "text" },
          source: { type: "keyword" },
          modified_at: { type: "date" },
          embedding: { type: "knn_vector", dimension: 3 },
        },
      },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const docs: Record<string, Body> = {
      a: { title: "Alpha", source: "docs/a.md", embedding: [1, 0, 0] },
      b: { title: "Beta", source: "docs/b.md", embedding: [0.9, 0.1, 0] },
      c: { title: "Gamma", source: "docs/c.md", embedding: [0, 1, 0] },
      d: { title: "Delta", source: "docs/d.md", embedding: [0, 0.9, 0.1] },
    };
    for (const [id, doc] of Object.entries(docs)) await search("PUT", `/rag-docs/_doc/${id}`, doc);
    await search("POST", "/rag-docs/_refresh");
    const id = await newInstance();
    const seed = await call("POST", `/v2/instances/${id}/datasources`, {
      type: "elasticsearch",
      endpoint: server.searchUrl,
      index: "rag-docs",
    });
    assert.equal(seed.status, 201, JSON.stringify(seed.body));
    assert.equal(seed.body.result.embedded, true);
    const dsId = seed.body.result.datasource_id;
    let synced = await call("POST", `/v2/instances/${id}/datasources/${dsId}/sync`);
    assert.equal(synced.body.result.sync.state, "synced", JSON.stringify(synced.body));
    assert.equal(synced.body.result.sync.items, 4);
    // the first sync added all four (the one started at creation or this one)
    const info = await call("GET", `/v2/instances/${id}`);
    assert.equal(info.body.result.items, 4);
    // content neighbours come from kNN on the index: a's nearest is b
    const neighbors = server.platform.recommend.catalog.neighbors(id);
    assert.equal(neighbors.get("a")?.[0]?.[0], "b");

    await search("PUT", "/rag-docs/_doc/b", { ...docs.b, title: "Beta, revised" });
    await search("DELETE", "/rag-docs/_doc/c");
    await search("PUT", "/rag-docs/_doc/e", { title: "Epsilon", source: "docs/e.md", embedding: [0, 0, 1] });
    await search("POST", "/rag-docs/_refresh");
    synced = await call("POST", `/v2/instances/${id}/datasources/${dsId}/sync`);
    assert.deepEqual(synced.body.result.sync.last_counts, { added: 1, changed: 1, deleted: 1, unchanged: 2 });
    const items = server.platform.recommend.catalog.items(id, () => true);
    assert.deepEqual([...items.keys()].sort(), ["a", "b", "d", "e"]);
    assert.equal(items.get("b")?.title, "Beta, revised");
    assert.equal(items.get("e")?.category, "docs/e.md");
    assert.equal((await call("GET", `/v2/instances/${id}/datasources`)).body.result.length, 1);

    // the host part alone ("127.0.0.1:port") names the engine too
    const bare = await call("POST", `/v2/instances/${id}/datasources`, {
      type: "elasticsearch",
      endpoint: server.searchUrl.replace("http://", ""),
      index: "rag-docs",
    });
    assert.equal(bare.status, 201);
    assert.equal(
      (await call("DELETE", `/v2/instances/${id}/datasources/${bare.body.result.datasource_id}`)).status,
      200,
    );
  });

  test("remote endpoints: refused unless allow-listed; bad datasource bodies name the field", async () => {
    const id = await newInstance();
    const refused = await call("POST", `/v2/instances/${id}/datasources`, {
      type: "elasticsearch",
      endpoint: "http://169.254.169.254:9200",
      index: "rag-docs",
    });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.code, "EndpointNotAllowed");
    assert.equal(refused.body.error.param, "endpoint");
    // another port on loopback is another server, not the engine
    const otherPort = await call("POST", `/v2/instances/${id}/datasources`, {
      type: "elasticsearch",
      endpoint: "http://127.0.0.1:1",
      index: "rag-docs",
    });
    assert.equal(otherPort.status, 400);
    const allowed = await call("POST", `/v2/instances/${id}/datasources`, {
      type: "elasticsearch",
      endpoint: "https://es.allowed.example:9200",
      index: "rag-docs",
    });
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
    assert.equal(allowed.body.result.embedded, false);
    for (const [body, field] of [
      [{ type: "mysql", endpoint: "x" }, "type"],
      [{ type: "elasticsearch", endpoint: server.searchUrl }, "index"],
      [{ type: "oss", path: "s3://bucket/x.csv" }, "path"],
      [{ type: "file", path: "/etc/passwd" }, "path"],
      [{ type: "oss", path: "oss://b/x.csv", fields: { colour: "c" } }, "fields.colour"],
    ] as const) {
      const res = await call("POST", `/v2/instances/${id}/datasources`, body);
      assert.equal(res.status, 400, JSON.stringify(res.body));
      assert.equal(res.body.error.param, field, JSON.stringify(res.body));
    }
  });

  test("behaviours: each bad event rejected with its reason, the rest stored once", async () => {
    const id = await newInstance();
    const at = Date.now() - 1000;
    const batch = [
      { event_id: "e1", user_id: "u1", item_id: "i1", type: "click", timestamp: at },
      { event_id: "e2", user_id: "u1", item_id: "i2", type: "teleport" },
      { event_id: "e3", item_id: "i2", type: "click" },
      { event_id: "e4", user_id: "u1", item_id: "i3", type: "rating", value: 9 },
      {
        event_id: "e5",
        user_id: "u1",
        item_id: "i3",
        type: "rating",
        value: 4,
        timestamp: "2026-01-02T03:04:05Z",
      },
      {
        cmd: "add",
        fields: { user_id: "u2", item_id: "i1", bhv_type: "like", bhv_time: Math.floor(at / 1000) },
      },
      "not an event",
      { event_id: "e8", user_id: "u1", item_id: "i1", type: "click", timestamp: Date.now() + 7 * 86400_000 },
    ];
    const res = await call("POST", `/v2/instances/${id}/behaviors`, { behaviors: batch });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      res.body.result.rejected.map((r: Body) => [r.index, r.field]),
      [
        [1, "type"],
        [2, "user_id"],
        [3, "value"],
        [6, ""],
        [7, "timestamp"],
      ],
    );
    assert.ok(res.body.result.rejected.every((r: Body) => r.reason.length > 5));
    assert.deepEqual(
      res.body.result.accepted.map((a: Body) => [a.index, a.duplicate]),
      [
        [0, false],
        [4, false],
        [5, false],
      ],
    );
    const again = await call("POST", `/v2/instances/${id}/behaviors`, batch);
    assert.ok(again.body.result.accepted.every((a: Body) => a.duplicate));
    const u1 = await call("GET", `/v2/instances/${id}/behaviors?user_id=u1`);
    assert.deepEqual(u1.body.result.map((b: Body) => b.event_id).sort(), ["e1", "e5"]);
    assert.equal(
      u1.body.result.find((b: Body) => b.event_id === "e5").at,
      Date.parse("2026-01-02T03:04:05Z"),
    );
    assert.equal((await call("POST", `/v2/instances/${id}/behaviors`, { events: [] })).status, 400);
    assert.equal((await call("POST", `/v2/instances/nope/behaviors`, [])).status, 404);
  });

  test("explore: new items fill slots at the configured rate (binomial bound), and never without it", async () => {
    // a JSONL catalog in object storage: 40 items with behaviours, 20 new ones
    const lines = Array.from({ length: 60 }, (_, i) =>
      JSON.stringify({ item_id: `m${i}`, title: `Item ${i}`, category: i % 2 ? "odd" : "even" }),
    );
    await server.platform.objects.createBucket("catalogs", { ifNotExists: true });
    await server.platform.objects.putObject("catalogs", "items.jsonl", `${lines.join("\n")}\n`);
    const id = await newInstance();
    const ds = await call("POST", `/v2/instances/${id}/datasources`, {
      type: "oss",
      path: "oss://catalogs/items.jsonl",
    });
    assert.equal(ds.status, 201, JSON.stringify(ds.body));
    const synced = await call("POST", `/v2/instances/${id}/datasources/${ds.body.result.datasource_id}/sync`);
    assert.equal(synced.body.result.sync.items, 60, JSON.stringify(synced.body));
    const behaviors = [];
    for (let u = 0; u < 30; u++)
      for (let j = 0; j < 4; j++)
        behaviors.push({
          user_id: `u${u}`,
          item_id: `m${(u * 7 + j * 3) % 40}`,
          type: "click",
          event_id: `b${u}-${j}`,
        });
    assert.equal(
      (await call("POST", `/v2/instances/${id}/behaviors`, behaviors)).body.result.rejected.length,
      0,
    );
    const isNew = (itemId: string) => Number(itemId.slice(1)) >= 40;

    const run = async (requests: number, extra: Body) => {
      let slots = 0;
      let fresh = 0;
      for (let r = 0; r < requests; r++) {
        const res = await call("POST", "/v2/recommend", {
          instance_id: id,
          user_id: `u${r % 30}`,
          size: 10,
          ...extra,
        });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(res.body.result.length, 10);
        assert.equal(new Set(res.body.result.map((i: Body) => i.item_id)).size, 10, "no duplicates");
        slots += res.body.result.length;
        fresh += res.body.result.filter((i: Body) => isNew(i.item_id)).length;
        for (const item of res.body.result)
          assert.equal(isNew(item.item_id), item.match_info === "explore", JSON.stringify(item));
      }
      return { slots, fresh };
    };
    const none = await run(100, {});
    assert.equal(none.fresh, 0);
    for (const strategy of ["epsilon_greedy", "thompson", "ucb"]) {
      const rate = 0.2;
      const { slots, fresh } = await run(200, { explore: { strategy, rate } });
      const sd = Math.sqrt(slots * rate * (1 - rate));
      assert.ok(Math.abs(fresh - slots * rate) < 4.5 * sd, `${strategy}: ${fresh} new of ${slots} slots`);
    }
    // the same seed gives the same result (ucb and thompson also learn from the exposures in between)
    const seeded = {
      instance_id: id,
      user_id: "u1",
      explore: { strategy: "epsilon_greedy", rate: 0.5, seed: 7 },
    };
    const a = await call("POST", "/v2/recommend", seeded);
    const b = await call("POST", "/v2/recommend", seeded);
    assert.deepEqual(
      a.body.result.map((i: Body) => i.item_id),
      b.body.result.map((i: Body) => i.item_id),
    );
    // exposures are logged under the trace id
    const exposed = await call("GET", `/v2/instances/${id}/behaviors?user_id=u1&type=expose&limit=10`);
    assert.equal(exposed.body.result[0].trace_id, b.body.trace_id);
    // filters: category, and scene defaults
    const odd = await call("POST", "/v2/recommend", {
      instance_id: id,
      user_id: "u2",
      filter: { term: { category: "odd" } },
    });
    assert.ok(odd.body.result.length > 0);
    assert.ok(odd.body.result.every((i: Body) => Number(i.item_id.slice(1)) % 2 === 1));
    const diverse = await call("POST", "/v2/recommend", {
      instance_id: id,
      user_id: "u3",
      size: 4,
      diversity: { lambda: 0.3, by: "category" },
    });
    assert.deepEqual(new Set(diverse.body.result.map((i: Body) => i.category)), new Set(["odd", "even"]));
  });
});
