/** The main thread's handle on a replica worker: requests by id, pending count for load balancing. */
import type { Worker } from "node:worker_threads";
import { startTsWorker } from "../common/ts-worker.ts";
import type { RerankCandidate } from "../models/types.ts";
import type { ReplicaData, ReplicaReady, ReplicaReply, ReplicaRequest } from "./replica-worker.ts";

type Pending = { resolve: (reply: ReplicaReply) => void; reject: (err: Error) => void };

type Request = ReplicaRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

export class Replica {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  readonly ready: Promise<{ dimension?: number }>;

  constructor(data: ReplicaData) {
    this.worker = startTsWorker(new URL("./replica-worker.ts", import.meta.url), { ...data });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once("message", (msg: ReplicaReady) => {
        if (msg.ready) resolve({ dimension: msg.dimension });
        else reject(new Error(msg.error));
        this.worker.on("message", (reply: ReplicaReply) => this.onReply(reply));
      });
      this.worker.once("error", reject);
    });
    this.ready.catch(() => {});
    this.worker.on("error", (err) => this.fail(err));
    this.worker.on("exit", (code) => this.fail(new Error(`the replica exited (code ${code})`)));
  }

  get load(): number {
    return this.pending.size;
  }

  get alive(): boolean {
    return this.failure === undefined;
  }

  embed(texts: string[]): Promise<Float32Array> {
    return this.call({ op: "embed", texts }).then((r) => (r as { vectors: Float32Array }).vectors);
  }

  rerank(query: string, candidates: RerankCandidate[]): Promise<Float32Array> {
    return this.call({ op: "rerank", query, candidates }).then((r) => (r as { scores: Float32Array }).scores);
  }

  async close(): Promise<void> {
    this.failure ??= new Error("the endpoint was stopped");
    await this.worker.terminate();
  }

  private call(request: Request): Promise<ReplicaReply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<ReplicaReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    }).then((reply) => {
      if ("error" in reply) throw new Error(reply.error);
      return reply;
    });
  }

  private onReply(reply: ReplicaReply): void {
    const p = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    p?.resolve(reply);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
