/**
 * Micro-batching (dynamic, as in TEI or Triton): a request goes out at once when a replica is
 * free; requests that arrive while every replica is busy wait and leave together, up to
 * `maxBatch` texts, as soon as one is free again. Each caller gets its own rows back. Under load
 * the batches grow by themselves, with no fixed delay for a lone caller; `maxWaitMs` adds one
 * (default 0) for servers that prefer fuller batches to latency.
 */
export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
  /** Batches in flight at once (the number of replicas). */
  concurrency: number;
}

interface Waiting {
  texts: string[];
  resolve: (vectors: Float32Array) => void;
  reject: (err: Error) => void;
}

export class EmbeddingBatcher {
  private queue: Waiting[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  /** Batches sent so far and the texts in them (for stats and tests). */
  readonly stats = { batches: 0, texts: 0 };

  constructor(
    private readonly run: (texts: string[]) => Promise<Float32Array>,
    private readonly dimension: () => number,
    private readonly opts: BatcherOptions,
  ) {}

  /** Texts waiting for a free replica, and batches being computed (the metrics read them). */
  get load(): { queuedTexts: number; inFlightBatches: number } {
    return { queuedTexts: this.queued, inFlightBatches: this.inFlight };
  }

  embed(texts: string[]): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, resolve, reject });
      this.queued += texts.length;
      if (this.opts.maxWaitMs > 0 && this.queued < this.opts.maxBatch)
        this.timer ??= setTimeout(() => this.flush(), this.opts.maxWaitMs);
      else this.flush();
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length && this.inFlight < this.opts.concurrency) {
      const batch: Waiting[] = [];
      let size = 0;
      while (
        this.queue.length &&
        (batch.length === 0 || size + (this.queue[0] as Waiting).texts.length <= this.opts.maxBatch)
      ) {
        const w = this.queue.shift() as Waiting;
        batch.push(w);
        size += w.texts.length;
      }
      this.queued -= size;
      this.send(batch, size);
    }
  }

  private send(batch: Waiting[], size: number): void {
    this.stats.batches++;
    this.stats.texts += size;
    this.inFlight++;
    const done = () => {
      this.inFlight--;
      this.flush();
    };
    this.run(batch.flatMap((w) => w.texts))
      .finally(done)
      .then(
        (vectors) => {
          const dim = this.dimension();
          let row = 0;
          for (const w of batch) {
            w.resolve(vectors.slice(row * dim, (row + w.texts.length) * dim));
            row += w.texts.length;
          }
        },
        (err: Error) => {
          for (const w of batch) w.reject(err);
        },
      );
  }
}
