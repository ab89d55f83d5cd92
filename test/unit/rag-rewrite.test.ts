/** Follow-up rewriting: topics, references replaced, elliptical follow-ups, the LLM's condensed reply. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { condensedQuestion, rewriteFollowUp, topicOf } from "../../src/rag/rewrite.ts";

const after = (...queries: string[]) => queries.map((q) => ({ query: q, rewritten_query: q, answer: "" }));

describe("follow-up rewriting", () => {
  test("the topic of a question is its noun phrase", () => {
    assert.equal(topicOf("How do I train an embedding model?"), "embedding model");
    assert.equal(topicOf("What is BM25?"), "BM25");
    assert.equal(topicOf("How does hybrid search work?"), "hybrid search");
    assert.equal(topicOf("Which port does the search engine use?"), "search engine");
    assert.equal(topicOf("What is it?"), undefined);
  });

  test("references to the previous topic are replaced", () => {
    const h = after("How do I train an embedding model?");
    assert.equal(rewriteFollowUp("How do I deploy it?", h), "How do I deploy the embedding model?");
    assert.equal(rewriteFollowUp("What is its dimension?", h), "What is the embedding model's dimension?");
    assert.equal(rewriteFollowUp("Can I delete that?", h), "Can I delete the embedding model?");
    assert.equal(rewriteFollowUp("How do I stop them?", h), "How do I stop the embedding model?");
    // "that" before a noun is a determiner, not a reference
    assert.equal(rewriteFollowUp("What does that job write?", h), "What does that job write?");
  });

  test("elliptical follow-ups are read against the previous question", () => {
    const h = after("How do I create an index?");
    assert.equal(rewriteFollowUp("and on OpenSearch?", h), "How do I create an index on OpenSearch?");
    assert.equal(rewriteFollowUp("what about a search pipeline?", h), "How do I create a search pipeline?");
    assert.equal(rewriteFollowUp("What port does the engine use?", h), "What port does the engine use?");
  });

  test("rewrites chain: the topic comes from the previous rewritten question", () => {
    const turns = [
      {
        query: "How do I train an embedding model?",
        rewritten_query: "How do I train an embedding model?",
        answer: "",
      },
      { query: "How do I deploy it?", rewritten_query: "How do I deploy the embedding model?", answer: "" },
    ];
    assert.equal(
      rewriteFollowUp("How many replicas can it have?", turns),
      "How many replicas can the embedding model have?",
    );
  });

  test("without history the question is kept", () => {
    assert.equal(rewriteFollowUp("  How do I deploy it? ", []), "How do I deploy it?");
  });

  test("the LLM's condensed question is its first line, without labels or quotes", () => {
    assert.equal(
      condensedQuestion('Standalone question: "How do I deploy the embedder?"\nmore'),
      "How do I deploy the embedder?",
    );
    assert.equal(condensedQuestion("   "), undefined);
  });
});
