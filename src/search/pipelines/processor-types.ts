/** What the three kinds of search processors do, and what they are given. */
import type { SearchModelKind, SearchModels } from "../models.ts";
import type { ProcessorConfig } from "./processor-config.ts";
import type { ScoreHybridizer } from "./score-combination.ts";

export interface ProcessorCommon {
  type: string;
  tag: string | undefined;
  description: string | undefined;
  /** A failing processor is skipped instead of failing the search. */
  ignoreFailure: boolean;
}

/** What a request processor may consult: a plain search of the same indices, sources, analysis. */
export interface RequestContext {
  /** Runs `body` against the searched indices without any pipeline (a first pass, for rm3). */
  search(body: Record<string, unknown>): Record<string, unknown>;
  source(index: string, id: string): Record<string, unknown> | undefined;
  /** The texts a document gives `field` (a multi-field reads its parent's value). */
  fieldTexts(index: string, id: string, field: string): string[];
  /** The terms of `text` as a match on `field` analyses it (empty when the field is not text). */
  analyze(field: string, text: string): string[];
}

/** Rewrites the search body before it runs (filter_query, neural_query_enricher, rm3). */
export interface RequestProcessor extends ProcessorCommon {
  process(
    body: Record<string, unknown>,
    ctx?: RequestContext,
  ): Record<string, unknown> | Promise<Record<string, unknown>>;
}

/** Turns a hybrid query's sub-query results into one ranking (normalization-processor, score-ranker-processor). */
export interface PhaseProcessor extends ProcessorCommon {
  hybridizer: ScoreHybridizer;
}

export interface ResponseContext {
  /** The search body after request processors, before neural rewriting (what query_text_path reads). */
  request: Record<string, unknown>;
  models(): SearchModels;
  /** A hit's stored source, for processors that read fields the response filtered out. */
  source(index: string, id: string): Record<string, unknown> | undefined;
  /** Each hit's BM25 score for `query` over `fields` (a `match` per field, summed), 0 when none matches. */
  lexicalScores(hits: readonly { _index: string; _id: string }[], fields: string[], query: string): number[];
}

/** Rewrites the response (rerank, collapse, truncate_hits). */
export interface ResponseProcessor extends ProcessorCommon {
  process(response: Record<string, unknown>, ctx: ResponseContext): Promise<Record<string, unknown>>;
}

export interface FactoryContext {
  /** Checks a model id a processor names (when pipelines are created, not when stored ones load). */
  checkModel?(id: string, kind: SearchModelKind, use: string): void;
}

/** What a factory builds: the processor without its common keys. */
export type ProcessorBody<P extends ProcessorCommon> = Omit<P, keyof ProcessorCommon>;

/** Builds a processor from its configuration; the common keys (tag, description …) are read already. */
export type ProcessorFactory<P extends ProcessorCommon> = (
  config: ProcessorConfig,
  ctx: FactoryContext,
) => ProcessorBody<P>;
