/**
 * Every metric the platform exports on `GET /metrics` (docs/observability.md lists them): HTTP
 * metrics of both servers, model call latencies, and gauges read at scrape time from the job
 * store, the endpoints, the search engine's indices and the process itself.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { type Histogram, MetricsRegistry } from "../../common/metrics.ts";
import { JOB_STATUSES } from "../../jobs/types.ts";
import { ENDPOINT_STATUSES, type ModelCall } from "../../serving/endpoints.ts";
import type { Platform } from "../platform-types.ts";
import { type HttpMetrics, httpMetrics } from "./http.ts";

export class PlatformMetrics {
  readonly registry = new MetricsRegistry();
  readonly http: HttpMetrics = httpMetrics(this.registry);
  readonly modelCalls: Histogram = this.registry.histogram({
    name: "lodestone_model_call_duration_seconds",
    help: "Embed and rerank calls to served models (batching wait included), by endpoint, kind and outcome.",
    labelNames: ["endpoint", "kind", "outcome"],
  });
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.loopDelay.enable();
    this.processMetrics();
  }

  /** The callback EndpointManager's `observeCall` option takes. */
  readonly observeModelCall = (call: ModelCall): void => {
    this.modelCalls.observe(
      { endpoint: call.endpoint, kind: call.kind, outcome: call.ok ? "ok" : "error" },
      call.seconds,
    );
  };

  /** Adds the gauges read from the platform's services at each scrape. */
  watch(platform: Platform): void {
    const r = this.registry;
    const jobs = r.gauge({ name: "lodestone_jobs", help: "Jobs by state.", labelNames: ["state"] });
    const queue = r.gauge({ name: "lodestone_job_queue_depth", help: "Jobs waiting to run (Queuing)." });
    r.onCollect(() => {
      for (const state of JOB_STATUSES) {
        jobs.set({ state }, platform.jobStore.list({ status: state, limit: 0, offset: 0 }).total);
      }
      queue.set({}, jobs.get({ state: "Queuing" }));
    });

    const endpoints = r.gauge({
      name: "lodestone_endpoints",
      help: "Endpoints by status.",
      labelNames: ["status"],
    });
    const replicas = r.gauge({
      name: "lodestone_endpoint_replicas",
      help: "Replicas serving each running endpoint.",
      labelNames: ["endpoint", "model"],
    });
    const queued = r.gauge({
      name: "lodestone_endpoint_queue_texts",
      help: "Texts waiting in an endpoint's batcher for a free replica.",
      labelNames: ["endpoint"],
    });
    const inFlight = r.gauge({
      name: "lodestone_endpoint_batches_in_flight",
      help: "Batches an endpoint's replicas are computing.",
      labelNames: ["endpoint"],
    });
    r.onCollect(() => {
      for (const g of [replicas, queued, inFlight]) g.reset();
      const list = platform.endpoints.list();
      for (const status of ENDPOINT_STATUSES)
        endpoints.set({ status }, list.filter((e) => e.status === status).length);
      for (const e of list) {
        const load = platform.endpoints.load(e.id);
        if (!load || e.status !== "Running") continue;
        replicas.set({ endpoint: e.id, model: e.modelId }, e.replicas);
        queued.set({ endpoint: e.id }, load.queuedTexts);
        inFlight.set({ endpoint: e.id }, load.inFlightBatches);
      }
    });

    const docs = r.gauge({
      name: "lodestone_index_docs",
      help: "Live documents per index.",
      labelNames: ["index"],
    });
    const deleted = r.gauge({
      name: "lodestone_index_deleted_docs",
      help: "Deleted documents not yet merged away, per index.",
      labelNames: ["index"],
    });
    const bytes = r.gauge({
      name: "lodestone_index_store_bytes",
      help: "Bytes of an index's segment files on disk.",
      labelNames: ["index"],
    });
    const open = r.gauge({
      name: "lodestone_index_open",
      help: "1 for an open index, 0 for a closed one.",
      labelNames: ["index"],
    });
    r.onCollect(() => {
      for (const g of [docs, deleted, bytes, open]) g.reset();
      for (const [index, entry] of platform.search.indices) {
        const shard = entry.shard;
        open.set({ index }, shard ? 1 : 0);
        if (!shard) continue;
        docs.set({ index }, shard.docCount);
        deleted.set({ index }, shard.deletedCount);
        bytes.set({ index }, shard.storeBytes);
      }
    });
  }

  private processMetrics(): void {
    const r = this.registry;
    const rss = r.gauge({ name: "process_resident_memory_bytes", help: "Resident memory size in bytes." });
    const heapUsed = r.gauge({ name: "nodejs_heap_size_used_bytes", help: "V8 heap in use, in bytes." });
    const heapTotal = r.gauge({ name: "nodejs_heap_size_total_bytes", help: "V8 heap allocated, in bytes." });
    const external = r.gauge({
      name: "nodejs_external_memory_bytes",
      help: "Memory of C++ objects bound to JavaScript objects (buffers, typed arrays), in bytes.",
    });
    const cpu = r.counter({
      name: "process_cpu_seconds_total",
      help: "User and system CPU time spent, in seconds.",
    });
    const start = r.gauge({
      name: "process_start_time_seconds",
      help: "Start time of the process since the Unix epoch, in seconds.",
    });
    const lag = r.gauge({
      name: "nodejs_eventloop_lag_seconds",
      help: "Event loop delay since the previous scrape: p50, p99 and max.",
      labelNames: ["quantile"],
    });
    start.set({}, Math.round(Date.now() / 1000 - process.uptime()));
    let cpuSeen = 0;
    r.onCollect(() => {
      const mem = process.memoryUsage();
      rss.set({}, mem.rss);
      heapUsed.set({}, mem.heapUsed);
      heapTotal.set({}, mem.heapTotal);
      external.set({}, mem.external);
      const usage = process.cpuUsage();
      const seconds = (usage.user + usage.system) / 1e6;
      cpu.inc({}, Math.max(0, seconds - cpuSeen));
      cpuSeen = seconds;
      const d = this.loopDelay;
      // before the first sample the histogram reports NaN / 0; a quiet loop has no lag to show
      const seconds_ = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
      lag.set({ quantile: "0.5" }, seconds_(d.percentile(50)));
      lag.set({ quantile: "0.99" }, seconds_(d.percentile(99)));
      lag.set({ quantile: "1" }, seconds_(d.max));
      d.reset();
    });
  }

  close(): void {
    this.loopDelay.disable();
  }
}
