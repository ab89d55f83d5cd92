/**
 * The neural-search `text_chunking` processor: splits text fields into passages with the
 * `fixed_token_length` algorithm (token_limit tokens of a word tokenizer per passage, the last
 * floor(token_limit × overlap_rate) tokens repeated at the start of the next, passages cut at
 * token start offsets so no text is lost) or the `delimiter` algorithm (split after each
 * delimiter). `max_chunk_limit` (default 100, -1 off) caps the passages of a document across all
 * its fields: the passage that reaches the cap takes the rest of the text. Same results as
 * OpenSearch 2.x's chunkers.
 */
import { standardTokenizer } from "../analysis/standard-tokenizer.ts";
import { letterTokenizer, lowercaseTokenizer, whitespaceTokenizer } from "../analysis/tokenizers.ts";
import type { Token, Tokenizer } from "../analysis/types.ts";
import { illegalArgument } from "../errors.ts";
import { isObject } from "../mapping.ts";
import { checkFieldValues, type FieldMap, readFieldMap } from "./ingest-field-map.ts";
import type { ProcessorImpl } from "./ingest-pipeline.ts";
import { javaType, type ProcessorConfig } from "./processor-config.ts";

/** Counters shared by every string chunked for one document. */
export interface ChunkBudget {
  /** Passages still allowed (-1: no limit). */
  maxChunkLimit: number;
  /** Non-empty strings still to chunk, this one included (each is owed at least one passage). */
  chunkStringCount: number;
}

export interface Chunker {
  chunk(content: string, budget: ChunkBudget): string[];
}

const DEFAULT_MAX_CHUNK_LIMIT = 100;
const DISABLED = -1;
/** OpenSearch's default `index.analyze.max_token_count`. */
const MAX_TOKEN_COUNT = 10_000;

const WORD_TOKENIZERS: Record<string, Tokenizer> = {
  standard: standardTokenizer(255),
  letter: letterTokenizer,
  lowercase: lowercaseTokenizer,
  whitespace: whitespaceTokenizer(255),
};

const exceedsLimit = (size: number, budget: ChunkBudget) =>
  budget.maxChunkLimit !== DISABLED && size + budget.chunkStringCount >= budget.maxChunkLimit;

type Params = Record<string, unknown>;

function paramError(cfg: ProcessorConfig, reason: string) {
  return cfg.error(undefined, reason);
}

function intParam(cfg: ProcessorConfig, params: Params, name: string, fallback: number): number {
  const v = params[name];
  if (v === undefined) return fallback;
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isInteger(n))
    throw paramError(cfg, `Parameter [${name}] must be of java.lang.Integer type`);
  return n;
}

function stringParam(cfg: ProcessorConfig, params: Params, name: string, fallback: string): string {
  const v = params[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string") throw paramError(cfg, `Parameter [${name}] must be of java.lang.String type`);
  if (!v) throw paramError(cfg, `Parameter [${name}] should not be empty.`);
  return v;
}

function fixedTokenLength(cfg: ProcessorConfig, params: Params): Chunker {
  const tokenLimit = intParam(cfg, params, "token_limit", 384);
  if (tokenLimit <= 0) throw paramError(cfg, "Parameter [token_limit] must be positive.");
  const rawRate = params.overlap_rate ?? 0;
  const overlapRate = typeof rawRate === "string" ? Number(rawRate) : rawRate;
  if (typeof overlapRate !== "number" || Number.isNaN(overlapRate))
    throw paramError(cfg, "Parameter [overlap_rate] must be of java.lang.Double type");
  if (overlapRate < 0 || overlapRate > 0.5)
    throw paramError(cfg, "Parameter [overlap_rate] must be between 0.0 and 0.5");
  const name = stringParam(cfg, params, "tokenizer", "standard");
  const tokenizer = WORD_TOKENIZERS[name];
  if (!tokenizer)
    throw paramError(
      cfg,
      `Tokenizer [${name}] is not supported for [fixed_token_length] algorithm. Supported tokenizers are [${Object.keys(WORD_TOKENIZERS).join(", ")}]`,
    );
  const overlap = Math.floor(tokenLimit * overlapRate);
  return {
    chunk(content, budget) {
      const tokens = tokenize(tokenizer, name, content);
      const out: string[] = [];
      let startToken = 0;
      while (startToken < tokens.length) {
        const start = startToken === 0 ? 0 : (tokens[startToken] as Token).start;
        if (exceedsLimit(out.length, budget)) {
          out.push(content.slice(start));
          break;
        }
        if (startToken + tokenLimit >= tokens.length) {
          out.push(content.slice(start));
          break;
        }
        out.push(content.slice(start, (tokens[startToken + tokenLimit] as Token).start));
        startToken += tokenLimit - overlap;
      }
      return out;
    },
  };
}

function tokenize(tokenizer: Tokenizer, name: string, content: string): Token[] {
  const tokens = tokenizer(content);
  if (tokens.length > MAX_TOKEN_COUNT)
    throw illegalArgument(
      `analyzer ${name} throws exception: The number of tokens produced by calling _analyze has exceeded the allowed maximum of [${MAX_TOKEN_COUNT}]. This limit can be set by changing the [index.analyze.max_token_count] index-level setting.`,
    );
  return tokens;
}

function delimiter(cfg: ProcessorConfig, params: Params): Chunker {
  const delim = stringParam(cfg, params, "delimiter", "\n\n");
  return {
    chunk(content, budget) {
      const out: string[] = [];
      let start = 0;
      let next = content.indexOf(delim);
      while (next !== -1) {
        if (exceedsLimit(out.length, budget)) break;
        const end = next + delim.length;
        out.push(content.slice(start, end));
        start = end;
        next = content.indexOf(delim, start);
      }
      if (start < content.length) out.push(content.slice(start));
      return out;
    },
  };
}

const ALGORITHMS: Record<string, { params: string[]; create: (cfg: ProcessorConfig, p: Params) => Chunker }> =
  {
    fixed_token_length: {
      params: ["token_limit", "overlap_rate", "tokenizer", "max_chunk_limit"],
      create: fixedTokenLength,
    },
    delimiter: { params: ["delimiter", "max_chunk_limit"], create: delimiter },
  };

/** The `algorithm` setting: at most one algorithm with its parameters (fixed_token_length by default). */
export function parseAlgorithm(cfg: ProcessorConfig): { chunker: Chunker; maxChunkLimit: number } {
  const spec = cfg.plainMap("algorithm");
  const entries = Object.entries(spec);
  if (entries.length > 1)
    throw paramError(
      cfg,
      "Unable to create text_chunking processor as [algorithm] contains multiple algorithms",
    );
  const [name, params] = entries[0] ?? ["fixed_token_length", {}];
  const algorithm = ALGORITHMS[name];
  if (!algorithm)
    throw paramError(
      cfg,
      `Chunking algorithm [${name}] is not supported. Supported chunking algorithms are [${Object.keys(ALGORITHMS).join(", ")}]`,
    );
  if (!isObject(params))
    throw paramError(
      cfg,
      `Unable to create text_chunking processor as parameters for [${name}] algorithm must be an object`,
    );
  const unknown = Object.keys(params).filter((k) => !algorithm.params.includes(k));
  if (unknown.length)
    throw paramError(
      cfg,
      `Unknown parameters [${unknown.join(", ")}] for the [${name}] algorithm; expected ${algorithm.params.join(", ")}`,
    );
  const maxChunkLimit = intParam(cfg, params, "max_chunk_limit", DEFAULT_MAX_CHUNK_LIMIT);
  if (maxChunkLimit <= 0 && maxChunkLimit !== DISABLED)
    throw paramError(cfg, "Parameter [max_chunk_limit] must be positive or -1 to disable this parameter");
  return { chunker: algorithm.create(cfg, params), maxChunkLimit };
}

export function textChunking(cfg: ProcessorConfig): ProcessorImpl {
  const fieldMap = readFieldMap(cfg, false);
  const { chunker, maxChunkLimit } = parseAlgorithm(cfg);
  const ignoreMissing = cfg.boolean("ignore_missing", false);
  return {
    run(doc) {
      checkFieldValues(doc.data, fieldMap, true);
      const budget: ChunkBudget = { maxChunkLimit, chunkStringCount: countStrings(doc.data, fieldMap) };
      chunkMap(doc.data, fieldMap, budget, chunker, ignoreMissing);
    },
  };
}

/** Visits the leaf (string-target) entries of a field map over a document, nested lists of objects included. */
function eachLeaf(
  data: Record<string, unknown>,
  fieldMap: FieldMap,
  visit: (node: Record<string, unknown>, source: string, target: string) => void,
): void {
  for (const [source, target] of Object.entries(fieldMap)) {
    if (typeof target === "string") {
      visit(data, source, target);
      continue;
    }
    const value = data[source];
    const nodes = Array.isArray(value) ? value : [value];
    for (const node of nodes) if (isObject(node)) eachLeaf(node, target, visit);
  }
}

function countStrings(data: Record<string, unknown>, fieldMap: FieldMap): number {
  let n = 0;
  eachLeaf(data, fieldMap, (node, source) => {
    const v = node[source];
    if (typeof v === "string") n += v ? 1 : 0;
    else if (Array.isArray(v) && v.every((s) => typeof s === "string")) n += v.filter((s) => s !== "").length;
  });
  return n;
}

function chunkMap(
  data: Record<string, unknown>,
  fieldMap: FieldMap,
  budget: ChunkBudget,
  chunker: Chunker,
  ignoreMissing: boolean,
): void {
  eachLeaf(data, fieldMap, (node, source, target) => {
    const value = node[source];
    if (ignoreMissing && (value === undefined || value === null)) return;
    node[target] = chunkLeaf(value, budget, chunker);
  });
}

function chunkLeaf(value: unknown, budget: ChunkBudget, chunker: Chunker): string[] {
  if (typeof value === "string") return value.trim() ? chunkString(value, budget, chunker) : [];
  if (Array.isArray(value) && value.every((s) => typeof s === "string"))
    return value.flatMap((s: string) => chunkString(s, budget, chunker));
  if (value !== undefined && value !== null)
    throw illegalArgument(
      `field of type [${javaType(value)}] cannot be chunked; expected a string or a list of strings`,
    );
  return [];
}

function chunkString(content: string, budget: ChunkBudget, chunker: Chunker): string[] {
  if (!content) return [];
  const passages = chunker.chunk(content, budget);
  budget.chunkStringCount -= 1;
  if (budget.maxChunkLimit !== DISABLED) budget.maxChunkLimit -= passages.length;
  return passages;
}
