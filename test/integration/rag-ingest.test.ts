/**
 * ingest() as a library, on both search backends against the same embedded engine: the embedded
 * backend (plain HTTP) and the OpenSearch backend (the official client), so ingestion is known to
 * run on a cluster too. Covers what the CLI test does not: dry runs, changed chunk options, an
 * interrupted ingestion, and the summary on both backends being the same.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { PDFDocument } from "pdf-lib";
import { createBackend, type SearchBackend } from "../../src/backends/index.ts";
import { type IngestOptions, ingest } from "../../src/rag/ingest/ingest.ts";
import { sourceRoot } from "../../src/rag/ingest/sources.ts";
import { api, startTestPlatform, tempDir } from "../helpers/platform.ts";

type Running = Awaited<ReturnType<typeof startTestPlatform>>;

const words = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => `Line ${i} says something about ${topic}.`).join(" ");

function backendOf(kind: "embedded" | "opensearch", server: Running): SearchBackend {
  return createBackend(
    {
      backend: kind,
      url: kind === "opensearch" ? server.searchUrl : "",
      username: "",
      passwordEnv: "",
      apiKeyEnv: "",
      tlsRejectUnauthorized: true,
      requestTimeoutMs: 60_000,
      platformUrl: "",
    },
    { embeddedUrl: server.searchUrl, platformUrl: server.url, env: {} },
  );
}

describe("ingest() on the embedded and the OpenSearch backend", () => {
  let server: Running;
  let base: string;

  before(async () => {
    server = await startTestPlatform();
    base = tempDir();
    fs.mkdirSync(path.join(base, "kb"));
    fs.writeFileSync(
      path.join(base, "kb", "a.md"),
      `# A\n\n## One\n\n${words("alpha", 12)}\n\n## Two\n\nShort.\n`,
    );
    fs.writeFileSync(path.join(base, "kb", "b.txt"), `${words("beta", 8)}\n\n${words("gamma", 3)}\n`);
  });
  after(() => server.close());

  const count = async (index: string) =>
    (await api<{ count: number }>(server.searchUrl, "GET", `/${index}/_count`)).body.count;
  const versions = async (index: string) => {
    const r = await api<{ hits: { hits: Array<{ _id: string; _version: number }> } }>(
      server.searchUrl,
      "POST",
      `/${index}/_search`,
      { size: 1000, version: true },
    );
    return new Map(r.body.hits.hits.map((h) => [h._id, h._version]));
  };

  test("files without text (blank text, a PDF page without a text layer, JSON without text fields) are skipped with the reason", async () => {
    const dir = path.join(base, "empty");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "blank.txt"), "  \n\n ");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "x", version: "1.0.0" }));
    const pdf = await PDFDocument.create();
    pdf.addPage().drawRectangle({ x: 10, y: 10, width: 100, height: 100 });
    fs.writeFileSync(path.join(dir, "scan.pdf"), await pdf.save());
    const backend = backendOf("embedded", server);
    const s = await ingest({ backend, index: "empty-kb", sources: [await sourceRoot("empty", { base })] });
    assert.deepEqual(s.files, { added: 0, changed: 0, unchanged: 0, deleted: 0, skipped: 3, failed: 0 });
    assert.deepEqual(
      s.skipped.map((k) => [k.source, /no text found|no record has text/.test(k.reason)]),
      [
        ["empty/blank.txt", true],
        ["empty/package.json", true],
        ["empty/scan.pdf", true],
      ],
    );
    assert.equal(s.errors.length, 0);
    await backend.close();
  });

  test("--dedupe: text another file holds is skipped, and indexed once its holder is gone", async () => {
    const dir = path.join(base, "dd");
    fs.mkdirSync(dir);
    const shared = "Shared paragraph that two files contain word for word.";
    fs.writeFileSync(path.join(dir, "a.md"), `## S\n\n${shared}\n\n## T\n\nOnly in A.\n`);
    fs.writeFileSync(path.join(dir, "b.md"), `## S\n\n${shared}\n\n## U\n\nOnly in B.\n`);
    const backend = backendOf("embedded", server);
    const index = "dd-kb";
    const run = async (dedupe = true) =>
      ingest({ backend, index, sources: [await sourceRoot("dd", { base })], dedupe });
    const holders = async () => {
      const r = await api<{ hits: { hits: Array<{ _source: { source: string; content: string } }> } }>(
        server.searchUrl,
        "POST",
        `/${index}/_search`,
        { size: 100, query: { match_phrase: { content: shared } } },
      );
      return r.body.hits.hits.map((h) => h._source.source);
    };
    try {
      const first = await run();
      assert.deepEqual(first.chunks, { indexed: 3, updated: 0, deleted: 0, unchanged: 0, duplicates: 1 });
      assert.deepEqual(await holders(), ["dd/a.md"]);
      // b is read again (it has fewer chunks than planned) but nothing is written
      const v1 = await versions(index);
      const second = await run();
      assert.deepEqual(second.files, {
        added: 0,
        changed: 0,
        unchanged: 2,
        deleted: 0,
        skipped: 0,
        failed: 0,
      });
      assert.equal(second.chunks.duplicates, 1);
      assert.deepEqual(await versions(index), v1);
      // a new file with the same text in the same run as its holder's deletion: b takes it over
      fs.rmSync(path.join(dir, "a.md"));
      fs.writeFileSync(path.join(dir, "c.md"), `${shared}\n`);
      const third = await run();
      assert.equal(third.files.deleted, 1);
      assert.equal(third.chunks.duplicates, 1);
      assert.deepEqual(await holders(), ["dd/b.md"]);
      assert.equal(await count(index), 2);
      // without --dedupe every file has all its chunks
      const all = await run(false);
      assert.deepEqual(all.chunks, { indexed: 1, updated: 0, deleted: 0, unchanged: 2, duplicates: 0 });
      assert.deepEqual((await holders()).sort(), ["dd/b.md", "dd/c.md"]);
    } finally {
      await backend.close();
    }
  });

  for (const kind of ["embedded", "opensearch"] as const) {
    test(`${kind}: dry run, re-run, changed options, interrupted ingestion`, async () => {
      const backend = backendOf(kind, server);
      const index = `kb-${kind}`;
      const run = async (extra: Partial<IngestOptions> = {}) =>
        ingest({
          backend,
          index,
          sources: [await sourceRoot("kb", { base })],
          chunking: { size: 40, overlap: 8 },
          ...extra,
        });
      try {
        // a dry run against a missing index: everything would be added, nothing is created
        const dry = await run({ dryRun: true });
        assert.equal(dry.files.added, 2);
        assert.ok(dry.chunks.indexed > 3);
        assert.equal((await api(server.searchUrl, "GET", `/${index}/_mapping`)).status, 404);

        const first = await run();
        assert.equal(first.created_index, true);
        assert.deepEqual(first.chunks, { ...dry.chunks });
        assert.equal(await count(index), first.chunks.indexed);
        const v1 = await versions(index);

        // an edit seen by a dry run only: reported, not written
        fs.appendFileSync(path.join(base, "kb", "b.txt"), "\nA new closing paragraph.\n");
        const dryEdit = await run({ dryRun: true });
        assert.equal(dryEdit.files.changed, 1);
        assert.ok(dryEdit.chunks.indexed >= 1);
        assert.deepEqual(await versions(index), v1);

        const edit = await run();
        assert.deepEqual(edit.chunks, dryEdit.chunks);
        const v2 = await versions(index);
        const again = await run();
        assert.deepEqual(again.files, {
          added: 0,
          changed: 0,
          unchanged: 2,
          deleted: 0,
          skipped: 0,
          failed: 0,
        });
        assert.deepEqual(await versions(index), v2);

        // other chunk options re-chunk every file
        const resized = await run({ chunking: { size: 80, overlap: 0 } });
        assert.equal(resized.files.changed, 2);
        assert.equal(await count(index), resized.chunks.indexed + resized.chunks.updated);

        // a chunk lost (an interrupted run): the next run restores exactly that chunk
        const ids = [...(await versions(index)).keys()];
        const lost = ids[0] as string;
        assert.equal(
          (await api(server.searchUrl, "DELETE", `/${index}/_doc/${lost}?refresh=true`)).status,
          200,
        );
        const healed = await run({ chunking: { size: 80, overlap: 0 } });
        assert.equal(healed.files.changed, 1);
        assert.equal(healed.chunks.indexed, 1);
        assert.equal(healed.chunks.deleted, 0);
        // the other chunks' metadata is as stored: not rewritten
        assert.equal(healed.chunks.updated, 0);
        assert.equal(healed.chunks.unchanged, ids.length - 1);
        assert.deepEqual([...(await versions(index)).keys()].sort(), ids.sort());

        // a folder and a file in it: the file is handled once, by the first root
        const sized = { chunking: { size: 80, overlap: 0 } };
        const folder = await sourceRoot("kb", { base });
        const file = await sourceRoot("kb/a.md", { base });
        const both = await run({ ...sized, sources: [folder, file] });
        assert.deepEqual(both.files, {
          added: 0,
          changed: 0,
          unchanged: 2,
          deleted: 0,
          skipped: 0,
          failed: 0,
        });
        // a file moving to another root keeps its chunks (only source_root is rewritten) and the
        // old root does not delete it afterwards
        const moved = await run({ ...sized, sources: [file] });
        const aChunks = moved.chunks.updated;
        assert.ok(aChunks > 0);
        assert.deepEqual(moved.chunks, {
          indexed: 0,
          updated: aChunks,
          deleted: 0,
          unchanged: 0,
          duplicates: 0,
        });
        const back = await run({ ...sized, sources: [folder] });
        assert.deepEqual(back.chunks, {
          indexed: 0,
          updated: aChunks,
          deleted: 0,
          unchanged: ids.length - aChunks,
          duplicates: 0,
        });
        assert.deepEqual([...(await versions(index)).keys()].sort(), ids.sort());
      } finally {
        await backend.close();
      }
    });
  }
});
