/** The README.md model card written beside a trained model's weights. */
import type { EmbedderConfig } from "../models/embedder.ts";
import type { RerankerConfig } from "../models/reranker.ts";

interface CardMetrics {
  data: { source: string; documents: number; train_queries: number; validation_queries: number };
  validation: Record<string, Record<string, number>>;
  training_seconds: number;
  best_epoch: number;
}

function validationTable(metrics: CardMetrics): string[] {
  const rows = Object.entries(metrics.validation).map(
    ([name, m]) =>
      `| ${name} | ${(m.ndcg10 ?? 0).toFixed(4)} | ${(m.recall100 ?? 0).toFixed(4)} | ${(m.mrr10 ?? 0).toFixed(4)} |`,
  );
  return ["| run | nDCG@10 | Recall@100 | MRR@10 |", "|---|---|---|---|", ...rows];
}

function trainingLines(metrics: CardMetrics): string[] {
  return [
    `Trained on ${metrics.data.source} data: ${metrics.data.documents} documents, ${metrics.data.train_queries} training queries; ` +
      `${metrics.data.validation_queries} held-out validation queries chose the best epoch (${metrics.best_epoch}) ` +
      `in ${metrics.training_seconds.toFixed(0)} s.`,
    "",
    "Validation (held out from training):",
    "",
    ...validationTable(metrics),
  ];
}

export function embedderCard(config: EmbedderConfig, metrics: CardMetrics): string {
  return [
    "# Lodestone embedder",
    "",
    `A ${config.dimension}-dimensional text embedder (\`${config.architecture}\`): word and hashed character`,
    `n-gram vectors (initialised from ${config.base_vectors}), learned token weights, weighted-mean pooling`,
    `and a linear projection, L2-normalised; compare vectors with ${config.similarity} similarity.`,
    `Vocabulary ${config.vocab_size} words, ${config.ngram_buckets} n-gram buckets, at most ${config.max_length} tokens per text.`,
    "",
    ...trainingLines(metrics),
    "",
    "Files: `config.json`, `tokenizer.json`, `vocab.txt`, `model.safetensors`, `metrics.json`.",
    "",
  ].join("\n");
}

export function rerankerCard(config: RerankerConfig, metrics: CardMetrics): string {
  return [
    "# Lodestone reranker",
    "",
    `A K-NRM-family reranker (\`${config.architecture}\`): ${config.kernels.mu.length} RBF kernels over query–document`,
    `term similarities plus lexical features (${config.features.slice(config.kernels.mu.length).join(", ")}),`,
    `scored by an MLP with ${config.hidden} hidden units on top of ${config.residual_feature}.`,
    "",
    ...trainingLines(metrics),
    "",
    "Files: `config.json`, `tokenizer.json`, `vocab.txt`, `model.safetensors` (the term encoder under `encoder.`), `metrics.json`.",
    "",
  ].join("\n");
}
