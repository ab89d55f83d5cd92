/**
 * Batches the embedding calls of one write request across its documents: every document's
 * pipeline runs up to its text_embedding processor in the same turn of the event loop, the texts
 * they ask for are collected per model, and the model is called once per `batchSize` texts. A
 * failed call fails only the documents whose texts were in it; after a failure the model will
 * not recover from (unknown, stopped), the remaining texts fail without calling it again.
 */
import { EngineError } from "../errors.ts";
import type { SearchModels } from "../models.ts";
import { embedTexts } from "./model-calls.ts";

interface Request {
  texts: string[];
  resolve(vectors: Float32Array[]): void;
  reject(err: EngineError): void;
}

/** Statuses after which another call to the same model would fail the same way. */
const PERMANENT = new Set([400, 404, 409]);

export class EmbeddingBatcher {
  private queues = new Map<string, { modelId: string; batchSize: number; requests: Request[] }>();
  private scheduled = false;

  constructor(private readonly models: () => SearchModels) {}

  embed(modelId: string, texts: string[], batchSize: number): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      const key = `${batchSize}\u0000${modelId}`;
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = { modelId, batchSize, requests: [] }));
      queue.requests.push({ texts, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // after the other documents' synchronous processors, which run in microtasks, have queued theirs
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const queues = [...this.queues.values()];
    this.queues = new Map();
    for (const queue of queues) await this.run(queue.modelId, queue.batchSize, queue.requests);
  }

  private async run(modelId: string, batchSize: number, requests: Request[]): Promise<void> {
    const texts = requests.flatMap((r) => r.texts);
    const vectors: Float32Array[] = new Array(texts.length);
    const failures: Array<{ from: number; to: number; err: EngineError }> = [];
    let permanent: EngineError | undefined;
    for (let from = 0; from < texts.length; from += batchSize) {
      const to = Math.min(texts.length, from + batchSize);
      if (permanent) {
        failures.push({ from, to, err: permanent });
        continue;
      }
      try {
        const out = await embedTexts(this.models(), modelId, texts.slice(from, to));
        out.forEach((v, k) => {
          vectors[from + k] = v;
        });
      } catch (thrown) {
        const err =
          thrown instanceof EngineError
            ? thrown
            : new EngineError(500, "exception", `model [${modelId}] failed: ${(thrown as Error)?.message}`);
        failures.push({ from, to, err });
        if (PERMANENT.has(err.status)) permanent = err;
      }
    }
    let offset = 0;
    for (const r of requests) {
      const end = offset + r.texts.length;
      const failed = failures.find((f) => f.from < end && f.to > offset);
      if (failed) r.reject(failed.err);
      else r.resolve(vectors.slice(offset, end));
      offset = end;
    }
  }
}
