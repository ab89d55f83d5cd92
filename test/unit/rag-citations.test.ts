/** Citations: [n] markers to chunks, quote offsets found across whitespace, made-up numbers ignored. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { citationsFor, citedClaims, locate } from "../../src/rag/citations.ts";
import { numberedContext, renderTemplate } from "../../src/rag/prompts.ts";
import { type Chunk, chunkSource } from "../../src/rag/retrieval.ts";
import { ExtractiveAnswerer } from "../../src/serving/answerer.ts";

const chunk = (id: string, text: string): Chunk => ({
  id,
  index: "kb",
  score: 1,
  text,
  title: "",
  source: chunkSource(id, {}),
});

describe("citations", () => {
  test("claims and their markers", () => {
    assert.deepEqual(citedClaims("A is so. [1] B is too. [2][3] C."), [
      { text: "A is so.", n: [1] },
      { text: "B is too.", n: [2, 3] },
      { text: "C.", n: [] },
    ]);
  });

  test("a quote is found across line breaks and repeated spaces", () => {
    const text = "Intro.\nThe engine   listens on\nport 9200. More.";
    const span = locate(text, "The engine listens on port 9200.");
    assert.ok(span);
    assert.equal(text.slice(span.start, span.end), "The engine   listens on\nport 9200.");
    assert.equal(locate(text, "not there"), undefined);
  });

  test("the built-in answerer's quotes map back to the chunks they come from", async () => {
    const chunks = [
      chunk("jobs.md#1", "Jobs run in the background.\n\nStop a job with stop-job. Its logs stay."),
      chunk("search.md#2", "The search engine listens on port 9200 by default."),
    ];
    const prompt = renderTemplate(
      "Context:\n{{context}}\n\nQuestion: {{question}}",
      numberedContext(chunks),
      "How do I stop a job?",
    );
    const { content } = await new ExtractiveAnswerer().complete({
      messages: [{ role: "user", content: prompt }],
    });
    const citations = citationsFor(content, chunks);
    assert.equal(citations.length, 1, content);
    const [c] = citations;
    assert.equal(c?.chunk_id, "jobs.md#1");
    assert.equal(c?.source, "jobs.md");
    assert.equal(c?.text.slice(c.quote?.start, c.quote?.end), "Stop a job with stop-job.");
  });

  test("numbers beyond the passages are ignored; a paraphrase has no quote", () => {
    const chunks = [chunk("a", "Alpha is first.")];
    const citations = citationsFor("Alpha comes first [1]. Beta [7].", chunks);
    assert.equal(citations.length, 1);
    assert.equal(citations[0]?.quote, undefined);
  });

  test("a chunk's source: its field, else the file of a passage id, else its title", () => {
    assert.equal(chunkSource("x", { source: "docs/a.md" }), "docs/a.md");
    assert.equal(chunkSource("jobs.md#3", {}), "jobs.md");
    assert.equal(chunkSource("42", { title: "Jobs" }), "Jobs");
  });
});
