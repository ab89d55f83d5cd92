/** The seed document's requests, verbatim, for tests that replay them (../shared/seed/). */

/** `PUT /rag-docs` of the seed: ik_max_word text and a 768-d knn_vector, `index.knn: true`. */
export const SEED_RAG_DOCS = {
  mappings: {
    properties: {
      content: { type: "text", analyzer: "ik_max_word" },
      embedding: { type: "knn_vector", dimension: 768 },
    },
  },
  settings: { "index.knn": true },
};
