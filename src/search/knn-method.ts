/**
 * The k-NN plugin's `knn_vector` mapping parameters, OpenSearch 2.x syntax: `method` (`hnsw` only,
 * with `space_type`, `engine` and `parameters` m / ef_construction / ef_search), a top-level
 * `space_type`, `data_type`, `mode` and `compression_level`. Every engine name is accepted and served
 * by the same HNSW implementation (usearch), so mappings written for a cluster work unchanged.
 * Errors are mapper_parsing_exceptions naming the field and what is expected.
 */
import { mapperParsing } from "./errors.ts";
import { isObject } from "./mapping.ts";

export const SPACE_TYPES = ["l2", "cosinesimil", "innerproduct"] as const;
export type SpaceType = (typeof SPACE_TYPES)[number];

const METHODS = ["hnsw"];
const ENGINES = ["nmslib", "faiss", "lucene"];
const METHOD_KEYS = ["name", "space_type", "engine", "parameters"];
const PARAMETER_KEYS = ["m", "ef_construction", "ef_search", "encoder"];
/** How the graph stores its copy of the vectors: faiss's `sq` fp16 encoder, or `flat` float32. */
export const GRAPH_ENCODINGS = ["fp16", "fp32"] as const;
export type GraphEncoding = (typeof GRAPH_ENCODINGS)[number];
/**
 * fp16 by default: the graph only navigates — every candidate is re-scored from the stored float32
 * vector — and half-size vectors make each search step cheaper (on 768-d vectors usearch searches
 * ~1.6× faster in fp16 than in float32) at the same recall.
 */
export const DEFAULT_GRAPH_ENCODING: GraphEncoding = "fp16";

export const DEFAULT_M = 16;
export const DEFAULT_EF_CONSTRUCTION = 100;

export interface KnnMethod {
  spaceType: SpaceType;
  engine: string;
  /** HNSW graph degree (usearch connectivity). */
  m: number;
  efConstruction: number;
  /** Per-field ef_search; the index setting `index.knn.algo_param.ef_search` applies when absent. */
  efSearch: number | undefined;
  encoding: GraphEncoding;
}

/** Validates a knn_vector definition's method parameters (`def` is the field's mapping as sent). */
export function parseKnnMethod(path: string, def: Record<string, unknown>): KnnMethod {
  const where = `knn_vector field [${path}]`;
  if (def.model_id !== undefined)
    throw mapperParsing(
      `[model_id] of ${where} is not supported: this engine has no k-NN model training; define [method] instead`,
    );
  oneOf(def.data_type, ["float"], "data_type", where);
  oneOf(def.mode, ["in_memory"], "mode", where);
  oneOf(def.compression_level, ["1x"], "compression_level", where);
  const topSpace = def.space_type === undefined ? undefined : spaceType(def.space_type, "space_type", where);
  const method = def.method;
  if (method === undefined) {
    return {
      spaceType: topSpace ?? "l2",
      engine: "faiss",
      m: DEFAULT_M,
      efConstruction: DEFAULT_EF_CONSTRUCTION,
      efSearch: undefined,
      encoding: DEFAULT_GRAPH_ENCODING,
    };
  }
  if (!isObject(method))
    throw mapperParsing(
      `[method] of ${where} must be an object with name, space_type, engine and parameters`,
    );
  for (const key of Object.keys(method)) {
    if (!METHOD_KEYS.includes(key))
      throw mapperParsing(
        `unknown parameter [${key}] in [method] of ${where}; expected one of [${METHOD_KEYS.join(", ")}]`,
      );
  }
  if (method.name === undefined)
    throw mapperParsing(`[method.name] of ${where} is required; supported methods: [${METHODS.join(", ")}]`);
  oneOf(method.name, METHODS, "method.name", where);
  oneOf(method.engine, ENGINES, "method.engine", where);
  const methodSpace =
    method.space_type === undefined ? undefined : spaceType(method.space_type, "method.space_type", where);
  if (methodSpace && topSpace && methodSpace !== topSpace)
    throw mapperParsing(
      `[method.space_type] [${methodSpace}] and top-level [space_type] [${topSpace}] of ${where} differ; set one of them, or the same value in both`,
    );
  const params = method.parameters ?? {};
  if (!isObject(params)) throw mapperParsing(`[method.parameters] of ${where} must be an object`);
  for (const key of Object.keys(params)) {
    if (!PARAMETER_KEYS.includes(key))
      throw mapperParsing(
        `unknown parameter [${key}] in [method.parameters] of ${where}; supported: [${PARAMETER_KEYS.join(", ")}]`,
      );
  }
  return {
    spaceType: methodSpace ?? topSpace ?? "l2",
    engine: String(method.engine ?? "faiss"),
    m: intIn(params.m, 2, 512, "method.parameters.m", where) ?? DEFAULT_M,
    efConstruction:
      intIn(params.ef_construction, 2, 10_000, "method.parameters.ef_construction", where) ??
      DEFAULT_EF_CONSTRUCTION,
    efSearch: intIn(params.ef_search, 2, 10_000, "method.parameters.ef_search", where),
    encoding: graphEncoding(params.encoder, where),
  };
}

/** faiss's encoder syntax: `{"name": "sq", "parameters": {"type": "fp16"}}` or `{"name": "flat"}`. */
function graphEncoding(encoder: unknown, where: string): GraphEncoding {
  if (encoder === undefined) return DEFAULT_GRAPH_ENCODING;
  const expected = `[method.parameters.encoder] of ${where} must be {"name": "flat"} (float32) or {"name": "sq", "parameters": {"type": "fp16"}}`;
  if (!isObject(encoder)) throw mapperParsing(`${expected}, got ${JSON.stringify(encoder)}`);
  if (encoder.name === "flat" && encoder.parameters === undefined) return "fp32";
  if (encoder.name === "sq") {
    const p = encoder.parameters;
    if (
      p === undefined ||
      (isObject(p) &&
        Object.keys(p).every((k) => k === "type" || k === "clip") &&
        (p.type ?? "fp16") === "fp16")
    )
      return "fp16";
  }
  throw mapperParsing(`${expected}, got ${JSON.stringify(encoder)}`);
}

function spaceType(value: unknown, key: string, where: string): SpaceType {
  oneOf(value, SPACE_TYPES, key, where);
  return value as SpaceType;
}

function oneOf(value: unknown, allowed: readonly string[], key: string, where: string): void {
  if (value === undefined || (typeof value === "string" && allowed.includes(value))) return;
  throw mapperParsing(
    `[${key}] of ${where} must be one of [${allowed.join(", ")}], got ${JSON.stringify(value)}`,
  );
}

function intIn(value: unknown, min: number, max: number, key: string, where: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max)
    throw mapperParsing(
      `[${key}] of ${where} must be an integer between ${min} and ${max}, got ${JSON.stringify(value)}`,
    );
  return n;
}
