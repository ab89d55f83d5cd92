/**
 * Micro-batching: embedding requests that arrive while a batch is being formed (the same event
 * loop turn, or up to `maxWaitMs`) are sent to a replica as one batch of at most `maxBatch`
 * texts, and each caller gets its own rows back. Fewer, larger batches amortise the per-call cost
 * (message passing, allocation) when many clients call at once.
 */
export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
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
  /** Batches sent so far and the texts in them (for stats and tests). */
  readonly stats = { batches: 0, texts: 0 };

  constructor(
    private readonly run: (texts: string[]) => Promise<Float32Array>,
    private readonly dimension: () => number,
    private readonly opts: BatcherOptions,
  ) {}

  embed(texts: string[]): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, resolve, reject });
      this.queued += texts.length;
      if (this.queued >= this.opts.maxBatch) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.opts.maxWaitMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length) {
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
    this.run(batch.flatMap((w) => w.texts)).then(
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
