/**
 * The neural-search `text_embedding` processor: embeds the text of each `field_map` source with
 * `model_id` and writes the vector to the target field — a string gives a vector, a list of
 * strings (text_chunking's output, say) a list of `{"knn": vector}` objects, nested maps reach
 * into objects and lists of objects. A missing source is skipped. Vectors are written into the
 * document's source, so they are stored in the same transaction as the document.
 */
import { illegalArgument } from "../errors.ts";
import { isObject } from "../mapping.ts";
import { checkTargetDimensions, embeddingModel } from "./ingest-checks.ts";
import type { IngestDocument } from "./ingest-document.ts";
import { checkFieldValues, type FieldMap, readFieldMap, targetPaths } from "./ingest-field-map.ts";
import type { ProcessorFactory } from "./ingest-pipeline.ts";

/** Texts per model call when the processor sets no `batch_size`. */
export const DEFAULT_BATCH_SIZE = 64;

/** Texts to embed and where their vectors go. */
interface Slot {
  texts: string[];
  assign(vectors: Float32Array[]): void;
}

export const textEmbedding: ProcessorFactory = (cfg, opts) => {
  const modelId = cfg.string("model_id");
  if (!modelId.trim()) throw cfg.error("model_id", "model_id is null or empty, cannot process it");
  const fieldMap = readFieldMap(cfg, true);
  const batchSize = cfg.int("batch_size", DEFAULT_BATCH_SIZE);
  if (batchSize < 1)
    throw cfg.error("batch_size", `batch_size must be a positive integer, got [${batchSize}]`);
  if (opts.models) {
    try {
      embeddingModel(opts.models, modelId);
    } catch (err) {
      throw cfg.error("model_id", (err as Error).message);
    }
  }
  const embedding = { modelId, paths: targetPaths(fieldMap) };
  return {
    embedding,
    async run(doc, ctx) {
      checkFieldValues(doc.data, fieldMap, false);
      const slots: Slot[] = [];
      collect(doc, doc.data, fieldMap, true, slots);
      if (!slots.length) return;
      const { runtime } = ctx;
      const info = embeddingModel(runtime.models(), modelId);
      checkTargetDimensions(embedding, info.dimension, doc.index, (path) =>
        runtime.vectorDimension(doc.index, path),
      );
      const vectors = await runtime.embed(
        modelId,
        slots.flatMap((s) => s.texts),
        batchSize,
      );
      let offset = 0;
      for (const slot of slots) {
        slot.assign(vectors.slice(offset, offset + slot.texts.length));
        offset += slot.texts.length;
      }
    },
  };
};

/** Finds the texts of a field map in a node; top-level targets are paths, nested ones keys (as OpenSearch). */
function collect(
  doc: IngestDocument,
  node: Record<string, unknown>,
  fieldMap: FieldMap,
  top: boolean,
  slots: Slot[],
): void {
  const put = (target: string, value: unknown) => {
    if (top) doc.set(target, value);
    else node[target] = value;
  };
  for (const [source, target] of Object.entries(fieldMap)) {
    const value = node[source];
    if (value === undefined || value === null) continue;
    if (typeof target !== "string") {
      for (const child of Array.isArray(value) ? value : [value])
        if (isObject(child)) collect(doc, child, target, false, slots);
      continue;
    }
    if (typeof value === "string") {
      slots.push({ texts: [value], assign: ([v]) => put(target, vectorJson(v as Float32Array)) });
    } else if (Array.isArray(value)) {
      slots.push({
        texts: value as string[],
        assign: (vs) =>
          put(
            target,
            vs.map((v) => ({ knn: vectorJson(v) })),
          ),
      });
    } else {
      throw illegalArgument(
        `field [${source}] is an object; map the text fields inside it with a nested field_map, e.g. {"${source}": {"<text field>": "<vector field>"}}`,
      );
    }
  }
}

/**
 * A vector as JSON numbers: each float32 in its shortest decimal form that reads back to the same
 * float32, so the stored source holds exactly the vector the model produced.
 */
export function vectorJson(vector: Float32Array): number[] {
  const out = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i] as number;
    let shortest = x;
    for (let p = 6; p <= 9; p++) {
      const candidate = Number(x.toPrecision(p));
      if (Math.fround(candidate) === x) {
        shortest = candidate;
        break;
      }
    }
    out[i] = shortest;
  }
  return out;
}
