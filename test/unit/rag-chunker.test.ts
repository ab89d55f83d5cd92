import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { chunkDocuments, type FileFacts } from "../../src/rag/ingest/chunk-documents.ts";
import { chunkDocument, validateChunking } from "../../src/rag/ingest/chunker.ts";
import { loadDocument } from "../../src/rag/ingest/loaders/index.ts";
import { loadMarkdown } from "../../src/rag/ingest/loaders/markdown.ts";
import { sentenceSpans } from "../../src/rag/ingest/sentences.ts";
import { countTokens, tokenSpans } from "../../src/rag/ingest/tokens.ts";
import type { Chunk, ExtractedDocument } from "../../src/rag/ingest/types.ts";
import { splitSentences } from "../../src/serving/sentences.ts";

/** Sentence i of a paragraph: "Sentence i of part P has some words in it." (11 tokens). */
const paragraph = (part: string, sentences: number) =>
  Array.from({ length: sentences }, (_, i) => `Sentence ${i} of part ${part} has some words in it.`).join(
    " ",
  );

function markdown(): ExtractedDocument {
  return loadMarkdown(
    [
      "# Guide",
      "",
      "## Install",
      "",
      paragraph("a", 3),
      "",
      paragraph("b", 2),
      "",
      "## Configure",
      "",
      paragraph("c", 12),
      "",
      "### Ports",
      "",
      "Short one.",
    ].join("\n"),
    { name: "guide.md" },
  );
}

const tokensOf = (c: Chunk) => countTokens(c.text);

describe("tokens", () => {
  test("words, numbers and inner apostrophes are one token; punctuation one each; CJK one per character", () => {
    assert.equal(countTokens("Hello, world."), 4);
    assert.equal(countTokens("don't stop 3.14"), 5);
    assert.equal(countTokens("  \n\t "), 0);
    assert.equal(countTokens("搜索引擎"), 4);
    assert.equal(countTokens("abc中文"), 3);
    const spans = tokenSpans("a  bb, c");
    assert.deepEqual(spans.starts, [0, 3, 5, 7]);
    assert.deepEqual(spans.ends, [1, 5, 6, 8]);
  });

  test("sentences end at terminators before a capital, not after abbreviations or initials", () => {
    const text = "Dr. Smith met J. Doe at 3.5 p.m. today. It rained! Did it? e.g. this stays. 好的。下一句";
    const pieces = sentenceSpans(text, 0, text.length).map(([s, e]) => text.slice(s, e));
    assert.deepEqual(pieces, [
      "Dr. Smith met J. Doe at 3.5 p.m. today.",
      "It rained!",
      "Did it? e.g. this stays.",
      "好的。",
      "下一句",
    ]);
  });

  test("the chunker's sentences are the answerer's, inside a range of the text too", () => {
    const prose = "Run `a. B` first. Then No. 5 follows, etc. and more. The U.S. team won. Done";
    const text = `## Head\n${prose}\ntail`;
    const from = text.indexOf("Run");
    const pieces = sentenceSpans(text, from, from + prose.length).map(([s, e]) => text.slice(s, e));
    assert.deepEqual(
      pieces,
      splitSentences(prose).map((x) => x.text),
    );
    assert.equal(pieces.length, 4);
  });
});

describe("chunker", () => {
  test("chunk text is exactly the extracted text between its offsets", () => {
    const doc = markdown();
    const chunks = chunkDocument(doc, { size: 40, overlap: 8 });
    assert.ok(chunks.length > 4);
    for (const c of chunks) assert.equal(doc.text.slice(c.start, c.end), c.text);
    assert.deepEqual(
      chunks.map((c) => c.ordinal),
      chunks.map((_, i) => i),
    );
  });

  test("no chunk is larger than the size, and the sizes are used (not tiny pieces)", () => {
    const doc = markdown();
    for (const size of [20, 40, 100]) {
      const chunks = chunkDocument(doc, { size, overlap: 5 });
      for (const c of chunks) {
        assert.ok(tokensOf(c) <= size, `${tokensOf(c)} > ${size}: ${c.text}`);
        assert.equal(c.tokens, tokensOf(c));
      }
      const configure = chunks.filter((c) => c.section === "Configure");
      // 12 sentences of 11 tokens: every chunk but the last is filled to within a sentence
      for (const c of configure.slice(0, -1)) assert.ok(tokensOf(c) > size - 11 - 1, `${size}: ${c.tokens}`);
    }
  });

  test("sections are never mixed and carry the heading path; the h1 is the title", () => {
    const doc = markdown();
    assert.equal(doc.title, "Guide");
    const chunks = chunkDocument(doc, { size: 1000, overlap: 0 });
    assert.deepEqual(
      chunks.map((c) => c.section),
      ["Install", "Configure", "Configure › Ports"],
    );
    assert.match(chunks[0]?.text ?? "", /part a[\s\S]*part b/);
    assert.doesNotMatch(chunks[0]?.text ?? "", /part c/);
    assert.equal(chunks[2]?.text, "Short one.");
    assert.ok(chunks.every((c) => c.title === "Guide"));
  });

  test("paragraphs are packed whole; a long one is cut at sentence ends", () => {
    const doc = markdown();
    // a (33 tokens) and b (22) fit 60 together; c (132) is cut between sentences
    const chunks = chunkDocument(doc, { size: 60, overlap: 0 });
    const install = chunks.filter((c) => c.section === "Install");
    assert.equal(install.length, 1);
    for (const c of chunks.filter((x) => x.section === "Configure")) {
      assert.match(c.text, /^Sentence \d+/);
      assert.match(c.text, /in it\.$/);
    }
  });

  test("overlap: each later chunk of a section starts with the previous chunk's last tokens", () => {
    const doc = markdown();
    const overlap = 7;
    const chunks = chunkDocument(doc, { size: 30, overlap }).filter((c) => c.section === "Configure");
    assert.ok(chunks.length >= 4);
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1] as Chunk;
      const cur = chunks[i] as Chunk;
      const prevTokens = tokenSpans(doc.text, prev.start, prev.end);
      const tailStart = prevTokens.starts[prevTokens.starts.length - overlap] as number;
      assert.equal(cur.start, tailStart, `chunk ${i} starts at the last ${overlap} tokens of chunk ${i - 1}`);
      assert.ok(cur.end > prev.end);
    }
    // no overlap across sections: the first chunk of Ports starts at its own text
    const ports = chunkDocument(doc, { size: 30, overlap }).find((c) => c.section === "Configure › Ports");
    assert.equal(ports?.text, "Short one.");
  });

  test("a sentence longer than a chunk is cut at token boundaries; code at line ends", () => {
    const long = Array.from({ length: 50 }, (_, i) => `w${i}`).join(" ");
    const code = Array.from({ length: 30 }, (_, i) => `let x${i} = ${i};`).join("\n");
    const doc = loadMarkdown(`${long}\n\n## Code\n\n\`\`\`js\n${code}\n\`\`\`\n`, { name: "x.md" });
    const chunks = chunkDocument(doc, { size: 20, overlap: 0 });
    const words = chunks.filter((c) => c.text.startsWith("w"));
    assert.deepEqual(
      words.map((c) => c.tokens),
      [20, 20, 10],
    );
    const codeChunks = chunks.filter((c) => c.text.includes("let"));
    assert.ok(codeChunks.length > 1);
    for (const c of codeChunks) {
      assert.match(c.text, /^let x\d+ = \d+;/);
      assert.match(c.text, /;$/);
    }
  });

  test("invalid sizes are refused with the reason", () => {
    assert.match(validateChunking({ size: 0, overlap: 0 }) ?? "", /positive integer/);
    assert.match(validateChunking({ size: 10, overlap: 6 }) ?? "", /half the chunk size \(5\)/);
    assert.equal(validateChunking({ size: 10, overlap: 5 }), undefined);
    assert.throws(() => chunkDocument(markdown(), { size: 10, overlap: 9 }), RangeError);
  });
});

describe("chunk documents", () => {
  const facts = (source: string): FileFacts => ({
    source,
    root: "docs/",
    format: "text",
    sourceHash: "f".repeat(64),
    ingestKey: "k",
    modifiedAt: "2026-01-01T00:00:00.000Z",
  });
  const doc = loadMarkdown(
    "## A\n\nSame words here.\n\n## B\n\nSame   words\nhere.\n\n## C\n\nOther words.",
    {
      name: "dup.md",
    },
  );
  const chunks = chunkDocument(doc, { size: 50, overlap: 0 });

  test("identical text twice in a file is indexed once (its first occurrence); ordinals stay dense", () => {
    assert.equal(chunks.length, 3);
    const docs = chunkDocuments(chunks, facts("docs/dup.md"), "2026-02-02T00:00:00.000Z");
    assert.deepEqual(
      docs.map((d) => [d.doc.section, d.doc.chunk, d.doc.source_chunks]),
      [
        ["A", 0, 2],
        ["C", 1, 2],
      ],
    );
  });

  test("JSON records: the same text in two records is two documents (each has its own title)", async () => {
    const rows = [
      { id: "a", title: "Package A", text: "Transitional dummy package." },
      { id: "b", title: "Package B", text: "Transitional dummy package." },
      { id: "b", title: "Package B", text: "Transitional dummy package.\n\nTransitional dummy package." },
    ];
    const json = await loadDocument(new TextEncoder().encode(JSON.stringify(rows)), "json", {
      name: "p.json",
    });
    const docs = chunkDocuments(chunkDocument(json, { size: 4, overlap: 0 }), facts("p.json"), "t");
    assert.deepEqual(
      docs.map((d) => [d.doc.record, d.doc.title]),
      [
        ["a", "Package A"],
        ["b", "Package B"],
      ],
    );
  });

  test("ids are deterministic per (source, text); the same text in two files is two documents", () => {
    const one = chunkDocuments(chunks, facts("docs/dup.md"), "t1");
    const again = chunkDocuments(chunks, facts("docs/dup.md"), "t2");
    const other = chunkDocuments(chunks, facts("docs/copy.md"), "t1");
    assert.deepEqual(
      one.map((d) => d.id),
      again.map((d) => d.id),
    );
    assert.deepEqual(
      one.map((d) => d.doc.content_hash),
      other.map((d) => d.doc.content_hash),
    );
    for (let i = 0; i < one.length; i++) assert.notEqual(one[i]?.id, other[i]?.id);
  });
});
