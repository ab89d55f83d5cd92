/**
 * `lodestone snapshot create|restore`: a snapshot taken while the server runs, restored into a
 * fresh data directory, answers BM25, knn and neural queries and a RAG app's question with the
 * same ids, scores and answer; the registered model and its endpoint come back; a non-empty target
 * and a corrupted snapshot are refused with clear errors; oss:// round trip.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, test } from "node:test";
import { api, tempDir } from "../helpers/platform.ts";
import { killServer, runCli, type ServerProcess, spawnServer } from "../helpers/server-process.ts";
import { deploySmallEmbedderTo, distinctText, waitEndpointRunning } from "../helpers/small-models.ts";

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Body = any;

const DIMENSION = 16;
const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) await killServer(s);
});

async function start(dir: string): Promise<ServerProcess> {
  const s = await spawnServer(dir, undefined, undefined, 90_000);
  servers.push(s);
  return s;
}

async function build(server: ServerProcess): Promise<string> {
  const endpoint = await deploySmallEmbedderTo(server, DIMENSION);
  const search = server.searchUrl;
  assert.equal(
    (
      await api(search, "PUT", "/_ingest/pipeline/embed", {
        processors: [{ text_embedding: { model_id: endpoint, field_map: { text: "embedding" } } }],
      })
    ).status,
    200,
  );
  const created = await api(search, "PUT", "/docs", {
    settings: { "index.knn": true, "index.default_pipeline": "embed" },
    mappings: {
      properties: {
        title: { type: "text", analyzer: "english" },
        text: { type: "text", analyzer: "english" },
        embedding: { type: "knn_vector", dimension: DIMENSION },
      },
    },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  let body = "";
  for (let n = 0; n < 60; n++)
    body += `${JSON.stringify({ index: { _index: "docs", _id: `d${n}` } })}\n${JSON.stringify({
      title: `note ${n % 7}`,
      text: `${distinctText(n)}. The boundary layer note number ${n} thickens as flow moves downstream.`,
    })}\n`;
  const bulk = await fetch(`${search}/_bulk?refresh=true`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body,
  });
  assert.equal(((await bulk.json()) as Body).errors, false);
  // a second, small index that --indices can leave out
  assert.equal((await api(search, "PUT", "/scratch/_doc/1?refresh=true", { text: "scratch" })).status, 201);
  const app = await api(server.url, "POST", "/v1/rag/apps", {
    name: "kb",
    index: "docs",
    retrieval: { mode: "hybrid", model_id: endpoint, k: 3, candidates: 20 },
    llm: { provider: "builtin" },
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  return endpoint;
}

/** The same queries on either server: ids and scores of each, and the RAG answer. */
async function answers(server: ServerProcess, endpoint: string) {
  const search = (query: unknown) =>
    api<Body>(server.searchUrl, "POST", "/docs/_search", { size: 10, _source: false, query });
  const hits = (res: { body: Body }) => res.body.hits.hits.map((h: Body) => [h._id, h._score]);
  const d5 = await api<Body>(server.searchUrl, "GET", "/docs/_doc/d5");
  const bm25 = await search({ match: { text: "boundary layer downstream note 12" } });
  const knn = await search({ knn: { embedding: { vector: d5.body._source.embedding, k: 10 } } });
  const neural = await search({
    neural: { embedding: { query_text: distinctText(9), model_id: endpoint, k: 10 } },
  });
  const ask = await api<Body>(server.url, "POST", "/v1/rag/apps/kb/chat", {
    query: "What happens to the boundary layer downstream?",
  });
  assert.equal(ask.status, 200, JSON.stringify(ask.body));
  const models = await api<Body>(server.url, "GET", "/v1/models");
  const endpoints = await api<Body>(server.url, "GET", "/v1/endpoints");
  return {
    bm25: hits(bm25),
    knn: hits(knn),
    neural: hits(neural),
    answer: ask.body.answer ?? ask.body.choices?.[0]?.message?.content ?? ask.body,
    citations: JSON.stringify(ask.body.citations ?? null),
    models: models.body.data.map((m: Body) => m.id).sort(),
    endpoints: JSON.stringify(
      (endpoints.body.data ?? endpoints.body).map?.((e: Body) => e.endpoint_id ?? e.id),
    ),
    count: (await api<Body>(server.searchUrl, "GET", "/docs/_count")).body.count,
  };
}

test("a snapshot restored into a fresh data directory answers the same queries with the same results", async () => {
  const source = tempDir("lodestone-snap-src-");
  const server = await start(source);
  const endpoint = await build(server);
  const before = await answers(server, endpoint);
  assert.equal(before.count, 60);
  assert.ok(before.bm25.length > 0 && before.knn.length > 0 && before.neural.length > 0);
  assert.ok(typeof before.answer === "string" && before.answer.length > 0, JSON.stringify(before.answer));
  assert.ok(before.endpoints.includes(endpoint), before.endpoints);

  // taken while the server runs
  const snap = path.join(tempDir("lodestone-snap-"), "s1");
  const created = await runCli(["snapshot", "create", snap, "--data-dir", source, "--json"]);
  assert.equal(created.code, 0, created.stderr);
  const manifest = JSON.parse(created.stdout);
  assert.deepEqual(manifest.indices, [
    { name: "docs", docs: 60 },
    { name: "scratch", docs: 1 },
  ]);
  assert.ok(fs.existsSync(path.join(snap, "manifest.json")));

  const target = path.join(tempDir("lodestone-snap-dst-"), "data");
  const restored = await runCli(["snapshot", "restore", snap, "--data-dir", target]);
  assert.equal(restored.code, 0, restored.stderr);
  assert.match(restored.stdout, /start it with: lodestone serve --data-dir/);

  const copy = await start(target);
  await waitEndpointRunning(copy, endpoint);
  const afterRestore = await answers(copy, endpoint);
  assert.deepEqual(afterRestore, before);

  // a second restore over it is refused unless --force
  const again = await runCli(["snapshot", "restore", snap, "--data-dir", target]);
  assert.equal(again.code, 2, again.stderr);
  assert.match(again.stderr, /is not empty; restore into a fresh directory, or pass --force/);
});

test("a corrupted or cut-short snapshot is refused before anything is written; --indices and oss:// work", async () => {
  const source = tempDir("lodestone-snap-src2-");
  const server = await start(source);
  await api(server.searchUrl, "PUT", "/keep/_doc/1?refresh=true", { text: "kept" });
  await api(server.searchUrl, "PUT", "/skip/_doc/1?refresh=true", { text: "skipped" });

  // taken while documents keep arriving: the copy is one consistent view of the store
  let writing = true;
  let written = 1;
  const writer = (async () => {
    while (writing) {
      const res = await api(server.searchUrl, "PUT", `/keep/_doc/w${written}`, { text: "during" });
      assert.equal(res.status, 201);
      written++;
    }
  })();
  const snap = path.join(tempDir("lodestone-snap-"), "s2");
  const args = ["snapshot", "create", snap, "--data-dir", source, "--indices", "keep", "--json"];
  const created = await runCli(args);
  writing = false;
  await writer;
  assert.equal(created.code, 0, created.stderr);
  const [kept] = JSON.parse(created.stdout).indices;
  assert.equal(kept.name, "keep");
  assert.ok(kept.docs >= 1 && kept.docs <= written, `${kept.docs} of ${written}`);
  const partial = path.join(tempDir("lodestone-snap-dst-"), "data");
  assert.equal((await runCli(["snapshot", "restore", snap, "--data-dir", partial])).code, 0);
  const fromPartial = await start(partial);
  assert.equal((await api<Body>(fromPartial.searchUrl, "GET", "/keep/_count")).body.count, kept.docs);
  assert.equal(
    (await api(fromPartial.searchUrl, "GET", "/skip/_count")).status,
    404,
    "--indices left skip out",
  );
  await killServer(fromPartial);
  const notEmpty = await runCli(["snapshot", "create", snap, "--data-dir", source]);
  assert.equal(notEmpty.code, 2);
  assert.match(notEmpty.stderr, /exists and is not empty; snapshot into a new folder/);
  const missing = await runCli([
    "snapshot",
    "create",
    path.join(snap, "x"),
    "--data-dir",
    source,
    "--indices",
    "nope",
  ]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no index matches nope; the indices are keep, skip/);

  // flip one byte of the platform database: checksum mismatch, nothing restored
  const corrupt = path.join(tempDir("lodestone-snap-"), "bad");
  fs.cpSync(snap, corrupt, { recursive: true });
  const db = path.join(corrupt, "data", "lodestone.db");
  const bytes = fs.readFileSync(db);
  bytes[200] = (bytes[200] as number) ^ 0xff;
  fs.writeFileSync(db, bytes);
  const target = path.join(tempDir("lodestone-snap-dst-"), "data");
  const refused = await runCli(["snapshot", "restore", corrupt, "--data-dir", target]);
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(
    refused.stderr,
    /lodestone\.db does not match its SHA-256 in the manifest \(checksum mismatch\)/,
  );
  assert.equal(fs.existsSync(target), false, "a refused restore wrote nothing");
  const verified = await runCli(["snapshot", "verify", corrupt]);
  assert.equal(verified.code, 2);
  fs.rmSync(path.join(corrupt, "manifest.json"));
  const cut = await runCli(["snapshot", "restore", corrupt, "--data-dir", target]);
  assert.match(cut.stderr, /manifest\.json is missing/);

  // to object storage and back, through the server's oss API
  const url = ["--url", server.url];
  assert.equal((await runCli([...url, "oss", "mb", "oss://backups"])).code, 0);
  const up = await runCli([...url, "snapshot", "create", "oss://backups/nightly/", "--data-dir", source]);
  assert.equal(up.code, 0, up.stderr);
  const down = await runCli([...url, "snapshot", "restore", "oss://backups/nightly/", "--data-dir", target]);
  assert.equal(down.code, 0, down.stderr);
  const copy = await start(target);
  assert.equal((await api<Body>(copy.searchUrl, "GET", "/keep/_count")).body.count, written);
  assert.equal((await api<Body>(copy.searchUrl, "GET", "/skip/_count")).body.count, 1);
});
