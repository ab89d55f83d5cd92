/**
 * Model folders, laid out like Hugging Face's: `config.json` (architecture, dimension,
 * similarity, max length, tokenizer settings), `tokenizer.json` + `vocab.txt`, `model.safetensors`,
 * and, from training, `metrics.json` and a `README.md` model card. Loading validates every file
 * and tensor shape against the config and names what is missing or inconsistent.
 */
import fs from "node:fs";
import path from "node:path";
import { EMBEDDER_ARCHITECTURE, Embedder, type EmbedderConfig } from "./embedder.ts";
import type { NamedTensor, ParamStore } from "./nn/params.ts";
import { RERANKER_ARCHITECTURE, Reranker, type RerankerConfig } from "./reranker.ts";
import {
  readSafetensorsFile,
  type Tensor,
  writeFileAtomicSync,
  writeSafetensorsFile,
} from "./safetensors.ts";
import { ModelTokenizer } from "./tokenizer.ts";
import type { PairScorer, TextEncoder } from "./types.ts";

export const CONFIG_FILE = "config.json";
export const WEIGHTS_FILE = "model.safetensors";
const ENCODER_PREFIX = "encoder.";

export type LoadedModel =
  | { kind: "embedding"; config: EmbedderConfig; encoder: TextEncoder & Embedder }
  | { kind: "reranker"; config: RerankerConfig; scorer: PairScorer & Reranker };

export class ModelFolderError extends Error {}

export interface SaveExtras {
  metrics?: unknown;
  /** Markdown model card. */
  card?: string;
}

export function saveEmbedder(model: Embedder, dir: string, extras: SaveExtras = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  model.tokenizer.save(dir);
  writeJson(dir, CONFIG_FILE, { ...model.config, tokenizer: model.tokenizer.toJSON() });
  writeSafetensorsFile(path.join(dir, WEIGHTS_FILE), tensors(model.params), {
    format: "pt",
    architecture: model.config.architecture,
  });
  writeExtras(dir, extras);
}

export function saveReranker(model: Reranker, dir: string, extras: SaveExtras = {}): void {
  fs.mkdirSync(dir, { recursive: true });
  model.embedder.tokenizer.save(dir);
  writeJson(dir, CONFIG_FILE, {
    ...model.config,
    encoder: { ...model.embedder.config, tokenizer: model.embedder.tokenizer.toJSON() },
  });
  writeSafetensorsFile(
    path.join(dir, WEIGHTS_FILE),
    { ...tensors(model.params), ...tensors(model.embedder.params, ENCODER_PREFIX) },
    { format: "pt", architecture: model.config.architecture },
  );
  writeExtras(dir, extras);
}

/** Reads and validates a model folder written by saveEmbedder or saveReranker. */
export async function loadModelFolder(dir: string): Promise<LoadedModel> {
  const config = readJson(dir, CONFIG_FILE) as Record<string, unknown>;
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  if (!fs.existsSync(weightsFile)) throw new ModelFolderError(`${WEIGHTS_FILE} is missing from ${dir}`);
  let tokenizer: ModelTokenizer;
  try {
    tokenizer = ModelTokenizer.load(dir);
  } catch (err) {
    throw new ModelFolderError(
      `tokenizer files (tokenizer.json, vocab.txt) in ${dir}: ${(err as Error).message}`,
    );
  }
  let weights: Map<string, Tensor>;
  try {
    weights = readSafetensorsFile(weightsFile).tensors;
  } catch (err) {
    throw new ModelFolderError(`${WEIGHTS_FILE}: ${(err as Error).message}`);
  }
  if (config.architecture === EMBEDDER_ARCHITECTURE) {
    const embedderConfig = checkEmbedderConfig(config, tokenizer, CONFIG_FILE);
    const params = Embedder.emptyParams(embedderConfig);
    fill(params, weights, "");
    return {
      kind: "embedding",
      config: embedderConfig,
      encoder: new Embedder(embedderConfig, tokenizer, params),
    };
  }
  if (config.architecture === RERANKER_ARCHITECTURE) {
    const rerankerConfig = config as unknown as RerankerConfig & { encoder: unknown };
    const encoderConfig = checkEmbedderConfig(rerankerConfig.encoder, tokenizer, `${CONFIG_FILE} "encoder"`);
    const encoderParams = Embedder.emptyParams(encoderConfig);
    fill(encoderParams, weights, ENCODER_PREFIX);
    const params = Reranker.emptyParams(rerankerConfig);
    fill(params, weights, "", ENCODER_PREFIX);
    const embedder = new Embedder(encoderConfig, tokenizer, encoderParams);
    return {
      kind: "reranker",
      config: rerankerConfig,
      scorer: new Reranker(rerankerConfig, embedder, params),
    };
  }
  throw new ModelFolderError(
    `${CONFIG_FILE}: "architecture" must be "${EMBEDDER_ARCHITECTURE}" or "${RERANKER_ARCHITECTURE}", got ${JSON.stringify(config.architecture)}`,
  );
}

function checkEmbedderConfig(raw: unknown, tokenizer: ModelTokenizer, where: string): EmbedderConfig {
  if (!raw || typeof raw !== "object") throw new ModelFolderError(`${where}: expected an object`);
  const c = raw as EmbedderConfig;
  for (const key of ["dimension", "word_dimension", "vocab_size", "ngram_buckets", "max_length"] as const) {
    if (!Number.isInteger(c[key]) || (c[key] as number) <= 0)
      throw new ModelFolderError(
        `${where}: "${key}" must be a positive integer, got ${JSON.stringify(c[key])}`,
      );
  }
  if (c.vocab_size !== tokenizer.vocabulary.size)
    throw new ModelFolderError(
      `${where}: "vocab_size" is ${c.vocab_size} but vocab.txt has ${tokenizer.vocabulary.size} words`,
    );
  if (c.ngram_buckets !== tokenizer.settings.buckets)
    throw new ModelFolderError(
      `${where}: "ngram_buckets" is ${c.ngram_buckets} but tokenizer.json has ${tokenizer.settings.buckets} buckets`,
    );
  return c;
}

/** Copies every expected tensor from the file, checking dtype and shape. */
function fill(params: ParamStore, weights: Map<string, Tensor>, prefix: string, skipPrefix?: string): void {
  const expected = new Set(params.list().map((p) => prefix + p.name));
  for (const name of weights.keys()) {
    if (name.startsWith(prefix) && !expected.has(name) && !(skipPrefix && name.startsWith(skipPrefix)))
      throw new ModelFolderError(`${WEIGHTS_FILE}: unexpected tensor ${name}`);
  }
  const loaded: NamedTensor[] = params.list().map((p) => {
    const t = weights.get(prefix + p.name);
    if (!t) throw new ModelFolderError(`${WEIGHTS_FILE}: tensor ${prefix + p.name} is missing`);
    if (t.dtype !== "F32")
      throw new ModelFolderError(`${WEIGHTS_FILE}: tensor ${prefix + p.name} must be F32, is ${t.dtype}`);
    if (t.shape.join(",") !== p.shape.join(","))
      throw new ModelFolderError(
        `${WEIGHTS_FILE}: tensor ${prefix + p.name} has shape [${t.shape.join(", ")}], config.json implies [${p.shape.join(", ")}]`,
      );
    return { name: p.name, shape: t.shape, data: t.data as Float32Array };
  });
  params.load(loaded);
}

function tensors(params: ParamStore, prefix = ""): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const t of params.toTensors()) out[prefix + t.name] = { dtype: "F32", shape: t.shape, data: t.data };
  return out;
}

function writeJson(dir: string, file: string, value: unknown): void {
  writeFileAtomicSync(path.join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
}

function writeExtras(dir: string, extras: SaveExtras): void {
  if (extras.metrics !== undefined) writeJson(dir, "metrics.json", extras.metrics);
  if (extras.card !== undefined) writeFileAtomicSync(path.join(dir, "README.md"), extras.card);
}

function readJson(dir: string, file: string): unknown {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) throw new ModelFolderError(`${file} is missing from ${dir}`);
  try {
    return JSON.parse(fs.readFileSync(full, "utf8"));
  } catch (err) {
    throw new ModelFolderError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}
