/**
 * `lodestone ingest` end to end: a mixed folder (md, html, pdf, txt, jsonl, and a file type it
 * skips) into a running server, then the incremental cases — unchanged re-run writes nothing,
 * one edited file rewrites only its chunks, a deleted file loses its chunks — plus oss://, an
 * existing index with its own default pipeline, and bad input.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { localFiles } from "../../src/storage/transfer.ts";
import { api, tempDir } from "../helpers/platform.ts";
import { killServer, runCli, type ServerProcess, spawnServer } from "../helpers/server-process.ts";

interface Summary {
  created_index: boolean;
  added_fields: string[];
  files: Record<"added" | "changed" | "unchanged" | "deleted" | "skipped" | "failed", number>;
  chunks: Record<"indexed" | "updated" | "deleted" | "unchanged", number>;
  skipped: Array<{ source: string; reason: string }>;
  errors: Array<{ source: string; reason: string }>;
}

interface Hit {
  _id: string;
  _version: number;
  _seq_no: number;
  _source: Record<string, unknown>;
}

const sentence = (topic: string, i: number) =>
  `The ${topic} note number ${i} explains one more detail about ${topic} in plain words.`;
const paragraph = (topic: string, n: number) =>
  Array.from({ length: n }, (_, i) => sentence(topic, i)).join(" ");

async function pdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle("Turbine Manual");
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const text of ["Turbine blades spin when steam flows.", "Lubricate the bearings every month."]) {
    doc.addPage().drawText(text, { x: 50, y: 700, font, size: 12 });
  }
  return doc.save();
}

describe("lodestone ingest", () => {
  let server: ServerProcess;
  let work: string;
  const corpus = () => path.join(work, "corpus");
  const cli = (...args: string[]) => runCli(["--url", server.url, ...args], { cwd: work });
  const ingestJson = async (...args: string[]): Promise<Summary> => {
    const result = await cli("ingest", ...args, "--json");
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as Summary;
  };
  const search = async (index: string, body: Record<string, unknown>) => {
    const r = await api<{ hits: { total: { value: number }; hits: Hit[] } }>(
      server.searchUrl,
      "POST",
      `/${index}/_search`,
      { size: 1000, version: true, seq_no_primary_term: true, ...body },
    );
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.hits.hits;
  };
  const count = async (index: string) =>
    (await api<{ count: number }>(server.searchUrl, "GET", `/${index}/_count`)).body.count;
  /** id → [version, seq_no, ingested_at] of every chunk. */
  const snapshot = async (index: string) =>
    new Map((await search(index, {})).map((h) => [h._id, [h._version, h._seq_no, h._source.ingested_at]]));
  const bySource = (hits: Hit[]) => {
    const out = new Map<string, Hit[]>();
    for (const h of hits)
      out.set(String(h._source.source), [...(out.get(String(h._source.source)) ?? []), h]);
    return out;
  };

  before(async () => {
    server = await spawnServer(tempDir());
    work = tempDir();
    fs.mkdirSync(path.join(corpus(), "sub"), { recursive: true });
    fs.writeFileSync(
      path.join(corpus(), "guide.md"),
      `# Pump Guide\n\n## Install\n\n${paragraph("install", 3)}\n\n## Maintain\n\n${paragraph("maintain", 30)}\n`,
    );
    fs.writeFileSync(
      path.join(corpus(), "page.html"),
      `<html><head><title>Valve Page</title><script>var x=1</script></head><body><nav>menu</nav>
<h1>Valves</h1><p>${paragraph("valve", 2)}</p><h2>Sizes</h2><p>Valves come in three sizes.</p></body></html>`,
    );
    fs.writeFileSync(path.join(corpus(), "sub", "manual.pdf"), await pdf());
    fs.writeFileSync(
      path.join(corpus(), "sub", "notes.txt"),
      `${paragraph("notes", 2)}\n\nA second paragraph.\n`,
    );
    fs.writeFileSync(
      path.join(corpus(), "faq.jsonl"),
      `${JSON.stringify({ id: "f1", title: "Why pumps?", text: "Pumps move water uphill." })}\n${JSON.stringify({ id: "f2", title: "Why valves?", text: "Valves stop the flow." })}\n`,
    );
    fs.writeFileSync(path.join(corpus(), "logo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  });
  after(() => killServer(server));

  test("a mixed folder: every file read, chunk metadata indexed, unknown types skipped", async () => {
    const s = await ingestJson(
      "corpus",
      "--index",
      "rag-docs",
      "--chunk-size",
      "60",
      "--chunk-overlap",
      "10",
    );
    assert.equal(s.created_index, true);
    assert.deepEqual(s.files, { added: 5, changed: 0, unchanged: 0, deleted: 0, skipped: 1, failed: 0 });
    assert.deepEqual(
      s.skipped.map((k) => k.source),
      ["corpus/logo.png"],
    );
    assert.match(s.skipped[0]?.reason ?? "", /unsupported file type/);
    assert.ok(s.chunks.indexed >= 10, `${s.chunks.indexed} chunks`);
    assert.equal(await count("rag-docs"), s.chunks.indexed);

    const sources = bySource(await search("rag-docs", {}));
    assert.deepEqual([...sources.keys()].sort(), [
      "corpus/faq.jsonl",
      "corpus/guide.md",
      "corpus/page.html",
      "corpus/sub/manual.pdf",
      "corpus/sub/notes.txt",
    ]);
    for (const hits of sources.values())
      for (const h of hits) {
        const d = h._source;
        assert.equal(d.source_root, "corpus/");
        assert.ok(Number(d.tokens) <= 60 && String(d.content).length > 0);
        assert.equal(Number(d.offset_end) - Number(d.offset_start), String(d.content).length);
        assert.match(String(d.source_hash), /^[0-9a-f]{64}$/);
        assert.match(String(d.content_hash), /^[0-9a-f]{64}$/);
        assert.ok(
          !Number.isNaN(Date.parse(String(d.modified_at))) &&
            !Number.isNaN(Date.parse(String(d.ingested_at))),
        );
      }
    const guide = sources.get("corpus/guide.md") ?? [];
    assert.ok(guide.every((h) => h._source.title === "Pump Guide" && h._source.format === "markdown"));
    assert.deepEqual([...new Set(guide.map((h) => h._source.section))].sort(), ["Install", "Maintain"]);
    assert.ok(guide.length >= 4, "the long section is cut into several chunks");
    const pages = (sources.get("corpus/sub/manual.pdf") ?? []).map((h) => [
      h._source.page,
      h._source.content,
    ]);
    assert.deepEqual(pages.sort(), [
      [1, "Turbine blades spin when steam flows."],
      [2, "Lubricate the bearings every month."],
    ]);
    assert.ok(
      (sources.get("corpus/sub/manual.pdf") ?? []).every((h) => h._source.title === "Turbine Manual"),
    );
    const html = sources.get("corpus/page.html") ?? [];
    assert.ok(html.every((h) => h._source.title === "Valve Page"));
    assert.ok(html.every((h) => !/menu|var x/.test(String(h._source.content))));
    assert.deepEqual(
      (sources.get("corpus/faq.jsonl") ?? []).map((h) => [h._source.record, h._source.title]).sort(),
      [
        ["f1", "Why pumps?"],
        ["f2", "Why valves?"],
      ],
    );
    // the chunks are searchable right away, with the english analyzer
    const found = await search("rag-docs", { query: { match: { content: "lubricating bearing" } } });
    assert.equal(found[0]?._source.page, 2);
  });

  test("ingesting again writes nothing: each chunk once, versions and ingested_at unchanged", async () => {
    const before = await snapshot("rag-docs");
    const s = await ingestJson(
      "corpus",
      "--index",
      "rag-docs",
      "--chunk-size",
      "60",
      "--chunk-overlap",
      "10",
    );
    assert.deepEqual(s.files, { added: 0, changed: 0, unchanged: 5, deleted: 0, skipped: 1, failed: 0 });
    assert.deepEqual(s.chunks, { indexed: 0, updated: 0, deleted: 0, unchanged: before.size, duplicates: 0 });
    assert.equal(await count("rag-docs"), before.size);
    assert.deepEqual(await snapshot("rag-docs"), before);
  });

  test("changing one file rewrites only its chunks; an unchanged section keeps its documents", async () => {
    const before = await snapshot("rag-docs");
    const oldGuide = bySource(await search("rag-docs", {})).get("corpus/guide.md") ?? [];
    const install = oldGuide.filter((h) => h._source.section === "Install");
    fs.writeFileSync(
      path.join(corpus(), "guide.md"),
      `# Pump Guide\n\n## Install\n\n${paragraph("install", 3)}\n\n## Maintain\n\nOnly a short maintenance section now.\n`,
    );
    const s = await ingestJson(
      "corpus",
      "--index",
      "rag-docs",
      "--chunk-size",
      "60",
      "--chunk-overlap",
      "10",
    );
    assert.deepEqual(s.files, { added: 0, changed: 1, unchanged: 4, deleted: 0, skipped: 1, failed: 0 });
    assert.equal(s.chunks.indexed, 1);
    assert.equal(s.chunks.updated, install.length);
    assert.equal(s.chunks.deleted, oldGuide.length - install.length);
    const after = await snapshot("rag-docs");
    const hits = await search("rag-docs", {});
    const guide = hits.filter((h) => h._source.source === "corpus/guide.md");
    assert.deepEqual(
      guide.map((h) => h._source.content).sort(),
      [...install.map((h) => h._source.content), "Only a short maintenance section now."].sort(),
    );
    // the install chunks kept their ids and ingested_at; their metadata follows the new file
    for (const h of install) {
      const now = guide.find((g) => g._id === h._id);
      assert.ok(now, "unchanged text keeps its document");
      assert.equal(now._source.ingested_at, h._source.ingested_at);
      assert.notEqual(now._source.source_hash, h._source.source_hash);
    }
    // every other file's chunks are untouched
    for (const h of hits.filter((x) => x._source.source !== "corpus/guide.md"))
      assert.deepEqual(after.get(h._id), before.get(h._id), `${h._source.source} was rewritten`);
    assert.equal(await count("rag-docs"), before.size - s.chunks.deleted + s.chunks.indexed);
  });

  test("a file deleted from the folder loses its chunks; other roots and files are untouched", async () => {
    // a second root in the same index must survive deletions under the first
    const other = path.join(work, "other.txt");
    fs.writeFileSync(other, "A lone file in another root.");
    assert.equal((await ingestJson("other.txt", "--index", "rag-docs")).files.added, 1);
    const before = await snapshot("rag-docs");
    const html = (await search("rag-docs", { query: { term: { source: "corpus/page.html" } } })).map(
      (h) => h._id,
    );
    assert.ok(html.length > 0);
    fs.rmSync(path.join(corpus(), "page.html"));
    const s = await ingestJson(
      "corpus",
      "--index",
      "rag-docs",
      "--chunk-size",
      "60",
      "--chunk-overlap",
      "10",
    );
    assert.deepEqual(s.files, { added: 0, changed: 0, unchanged: 4, deleted: 1, skipped: 1, failed: 0 });
    assert.equal(s.chunks.deleted, html.length);
    const after = await snapshot("rag-docs");
    for (const id of html) assert.equal(after.has(id), false);
    for (const [id, state] of after) assert.deepEqual(state, before.get(id));
    assert.equal(after.size, before.size - html.length);
    const lone = await search("rag-docs", { query: { term: { source: "other.txt" } } });
    assert.equal(lone.length, 1);
  });

  test("oss:// prefixes: listed and read through the platform, named by their URLs", async () => {
    // uploaded through the platform API directly (the oss commands have their own tests)
    assert.equal((await api(server.url, "PUT", "/v1/oss/kbase")).status < 300, true);
    for (const rel of await localFiles(corpus())) {
      const put = await fetch(`${server.url}/v1/oss/kbase/corpus/${rel}`, {
        method: "PUT",
        headers: { "content-type": "application/octet-stream" },
        body: fs.readFileSync(path.join(corpus(), rel)),
      });
      assert.equal(put.status, 201);
    }
    const s = await ingestJson("oss://kbase/corpus", "--index", "kb-docs");
    assert.deepEqual(s.files, { added: 4, changed: 0, unchanged: 0, deleted: 0, skipped: 1, failed: 0 });
    const hits = await search("kb-docs", {});
    assert.deepEqual([...new Set(hits.map((h) => h._source.source_root))], ["oss://kbase/corpus/"]);
    assert.ok(
      hits.some((h) => h._source.source === "oss://kbase/corpus/sub/manual.pdf" && h._source.page === 2),
    );
    assert.equal((await ingestJson("oss://kbase/corpus/", "--index", "kb-docs")).files.unchanged, 4);
    assert.equal((await api(server.url, "DELETE", "/v1/oss/kbase/corpus/faq.jsonl")).status < 300, true);
    const again = await ingestJson("oss://kbase/corpus/", "--index", "kb-docs");
    assert.equal(again.files.deleted, 1);
    assert.equal(again.chunks.deleted, 2);
  });

  test("an existing index keeps its mapping and default pipeline; missing fields are added", async () => {
    const put = (route: string, body: unknown) => api(server.searchUrl, "PUT", route, body);
    assert.equal(
      (await put("/_ingest/pipeline/mark", { processors: [{ set: { field: "marked", value: "yes" } }] }))
        .status,
      200,
    );
    assert.equal(
      (
        await put("/own", {
          settings: { "index.default_pipeline": "mark" },
          mappings: { properties: { title: { type: "text" }, content: { type: "text" } } },
        })
      ).status,
      200,
    );
    const s = await ingestJson("corpus/sub/notes.txt", "--index", "own");
    assert.equal(s.created_index, false);
    assert.ok(s.added_fields.includes("source") && !s.added_fields.includes("content"));
    const mapping = await api<Record<string, { mappings: { properties: Record<string, { type: string }> } }>>(
      server.searchUrl,
      "GET",
      "/own/_mapping",
    );
    const props = mapping.body.own?.mappings.properties ?? {};
    assert.equal(props.source?.type, "keyword");
    assert.equal(props.page?.type, "integer");
    const hits = await search("own", {});
    assert.ok(hits.length > 0 && hits.every((h) => h._source.marked === "yes"));
    // --pipeline replaces the default one; a failing pipeline fails the items with the reason
    await put("/_ingest/pipeline/broken", { processors: [{ fail: { message: "refused by the test" } }] });
    const failed = await cli("ingest", "corpus/guide.md", "--index", "own", "--pipeline", "broken", "--json");
    assert.equal(failed.code, 1);
    const summary = JSON.parse(failed.stdout) as Summary;
    assert.ok(summary.errors.length > 0);
    assert.match(summary.errors[0]?.reason ?? "", /refused by the test/);
    assert.equal(summary.errors[0]?.source, "corpus/guide.md");
    assert.match(failed.stderr, /run the same command again/);
  });

  test("a rag-docs-like index: its text_embedding pipeline embeds new chunks, kept chunks keep their vectors", async () => {
    const put = (route: string, body: unknown) => api(server.searchUrl, "PUT", route, body);
    const embedder = "m-lodestone-embed-base";
    await put("/_ingest/pipeline/embed-chunks", {
      processors: [{ text_embedding: { model_id: embedder, field_map: { content: "embedding" } } }],
    });
    const created = await put("/vectors", {
      settings: { "index.knn": true, "index.default_pipeline": "embed-chunks" },
      mappings: {
        properties: {
          title: { type: "text" },
          content: { type: "text" },
          embedding: { type: "knn_vector", dimension: 768 },
        },
      },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const file = path.join(work, "pumps.md");
    fs.writeFileSync(
      file,
      `# Pumps\n\n## Priming\n\n${paragraph("priming", 4)}\n\n## Seals\n\nSeals leak when worn.\n`,
    );
    const first = await ingestJson(
      "pumps.md",
      "--index",
      "vectors",
      "--chunk-size",
      "40",
      "--chunk-overlap",
      "5",
    );
    assert.ok(first.chunks.indexed >= 2);
    const vectors = async () =>
      new Map(
        (await search("vectors", { _source: ["embedding", "section", "content"] })).map((h) => [
          h._id,
          h._source as { embedding?: number[]; section: string; content: string },
        ]),
      );
    const before = await vectors();
    assert.ok([...before.values()].every((d) => d.embedding?.length === 768));
    fs.writeFileSync(
      file,
      `# Pumps\n\n## Priming\n\n${paragraph("priming", 4)}\n\n## Seals\n\nSeals are replaced yearly.\n`,
    );
    const second = await ingestJson(
      "pumps.md",
      "--index",
      "vectors",
      "--chunk-size",
      "40",
      "--chunk-overlap",
      "5",
    );
    assert.deepEqual(second.chunks, {
      indexed: 1,
      updated: before.size - 1,
      deleted: 1,
      unchanged: 0,
      duplicates: 0,
    });
    const after = await vectors();
    for (const [id, d] of after) {
      assert.equal(d.embedding?.length, 768, `${d.content} has its vector`);
      if (before.has(id)) assert.deepEqual(d.embedding, before.get(id)?.embedding);
    }
    const neural = await search("vectors", {
      query: {
        neural: { embedding: { query_text: "replacing seals every year", model_id: embedder, k: 3 } },
      },
    });
    assert.equal(neural[0]?._source.content, "Seals are replaced yearly.");
  });

  test("bad input: a clear error and exit code 2, nothing written", async () => {
    const missing = await cli("ingest", "no-such-folder", "--index", "rag-docs");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no-such-folder: no such file or folder/);
    const badName = await cli("ingest", "corpus", "--index", "Rag Docs");
    assert.equal(badName.code, 2);
    assert.match(badName.stderr, /index name "Rag Docs" must be lowercase/);
    const overlap = await cli(
      "ingest",
      "corpus",
      "--index",
      "x",
      "--chunk-size",
      "10",
      "--chunk-overlap",
      "8",
    );
    assert.equal(overlap.code, 2);
    assert.match(overlap.stderr, /overlap must be an integer from 0 to half the chunk size \(5\)/);
    assert.equal((await api(server.searchUrl, "GET", "/x/_mapping")).status, 404);
    const help = await cli("ingest", "--help");
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n\s+lodestone ingest docs --index rag-docs/);
  });
});
