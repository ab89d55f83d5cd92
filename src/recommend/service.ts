/**
 * The recommendation service behind /v2 (docs/recommend.md): instances and scenes, datasources
 * and their catalog sync, the behaviour log (pushed, and read from the RAG apps' interaction log),
 * retraining as jobs, and serving. Serving reads only memory and SQLite (models are swapped in when
 * a job publishes a new version), so it never waits for training or a sync.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { setImmediate as yieldToEvents } from "node:timers/promises";
import { createBackend, type SearchBackend } from "../backends/index.ts";
import { badRequest, errorMessage } from "../common/errors.ts";
import type { LodestoneConfig } from "../config/schema.ts";
import type { JobRunner } from "../jobs/runner.ts";
import type { Db } from "../state/db.ts";
import { InteractionLog } from "../state/interactions.ts";
import type { ObjectStore } from "../storage/object-store.ts";
import { parseOssUrl } from "../storage/oss-url.ts";
import {
  type Behavior,
  BehaviorStore,
  behaviorWeight,
  type Exposure,
  type Rejection,
  validateBehavior,
} from "./behaviors.ts";
import { type CatalogItem, CatalogStore } from "./catalog.ts";
import {
  checkEndpoint,
  checkPath,
  type Datasource,
  DatasourceStore,
  type EndpointPolicy,
  fieldMap,
} from "./datasources.ts";
import { seededRandom } from "./explore.ts";
import { parseFilter } from "./filters.ts";
import { type Instance, InstanceStore } from "./instances.ts";
import { ModelHolder, newVersion } from "./model-holder.ts";
import { TRAINERS } from "./models/index.ts";
import { QuestionChannel } from "./questions.ts";
import { rank } from "./rank.ts";
import type { DatasourceInput, RecommendInput } from "./schema.ts";
import { contentNeighbors, readFileCatalog, readIndex, vectorField } from "./sources.ts";

export const TRAIN_SCRIPT = "recommend-train";

export interface RecommendDeps {
  db: Db;
  config: LodestoneConfig;
  /** `<data>/recommend` */
  root: string;
  dataDir: string;
  objects: ObjectStore;
  jobs: JobRunner;
  /** The embedded engine's URL, once it listens. */
  embeddedUrl: () => string | undefined;
  warn: (message: string) => void;
}

export interface PushResult {
  accepted: Array<{ index: number; event_id: string; duplicate: boolean }>;
  rejected: Rejection[];
}

const EXPORT_PAGE = 5000;
const EXPOSURE_FLUSH_MS = 200;
const EXPOSURE_PRUNE_MS = 10_000;

export class RecommendService {
  readonly instances: InstanceStore;
  readonly datasources: DatasourceStore;
  readonly catalog: CatalogStore;
  readonly behaviors: BehaviorStore;
  readonly models: ModelHolder;
  private readonly log: InteractionLog;
  private readonly backends = new Map<string, SearchBackend>();
  private readonly syncing = new Map<string, Promise<unknown>>();
  private readonly training = new Map<string, Promise<unknown>>();
  private readonly questions: QuestionChannel;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly exposures = new Map<string, Exposure[]>();
  private exposureTimer: NodeJS.Timeout | undefined;
  private readonly newItemCache = new Map<string, { catalog: unknown; warmth: number; ids: string[] }>();
  private closed = false;

  constructor(private readonly deps: RecommendDeps) {
    this.instances = new InstanceStore(deps.db);
    this.datasources = new DatasourceStore(deps.db);
    this.catalog = new CatalogStore(deps.db);
    this.behaviors = new BehaviorStore(deps.db);
    this.models = new ModelHolder(deps.root);
    this.log = new InteractionLog(deps.db);
    this.questions = new QuestionChannel(deps.db);
  }

  /** Starts the background work: RAG intake, periodic syncs and retraining, model refreshes. */
  start(): void {
    const every = (ms: number, fn: () => unknown) => {
      if (ms <= 0) return;
      const timer = setInterval(() => {
        try {
          const done = fn();
          if (done instanceof Promise) done.catch((err) => this.deps.warn(`recommend: ${errorMessage(err)}`));
        } catch (err) {
          this.deps.warn(`recommend: ${errorMessage(err)}`);
        }
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    const cfg = this.deps.config.recommend;
    every(cfg.intakeIntervalMs, () => this.intake());
    every(cfg.syncIntervalMs, () =>
      Promise.all(this.datasources.list().map((d) => this.sync(d.instance_id, d.datasource_id))),
    );
    every(cfg.retrainIntervalMs, () => this.retrainChanged());
    every(2000, () => {
      for (const i of this.instances.list()) this.models.refresh(i.instance_id);
    });
    every(EXPOSURE_PRUNE_MS, () =>
      this.behaviors.pruneExposures(Date.now() - cfg.exposureRetentionDays * 86_400_000, cfg.maxExposures),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.flushExposures();
    await Promise.allSettled([...this.syncing.values(), ...this.training.values()]);
    await Promise.all([...this.backends.values()].map((b) => b.close()));
  }

  // ---- instances

  deleteInstance(id: string): void {
    this.instances.delete(id);
    this.deps.db
      .prepare("DELETE FROM rec_cursors WHERE name IN (?, ?)")
      .run(`rag-intake:${id}`, `trained:${id}`);
    this.datasources.forget();
    this.catalog.forget(id);
    this.behaviors.forget(id);
    this.models.forget(id);
  }

  describe(instance: Instance) {
    const models = this.models.current(instance.instance_id);
    const { n: items } = this.deps.db
      .prepare("SELECT COUNT(*) AS n FROM rec_items WHERE instance_id = ?")
      .get(instance.instance_id) as { n: number };
    return {
      ...instance,
      items,
      ...this.behaviors.counts(instance.instance_id),
      model: {
        version: models.version || null,
        channels: [...models.channels.keys()],
        trained_at: models.trained_at ?? null,
        blend: models.blend ?? null,
      },
      datasources: this.datasources.list(instance.instance_id),
    };
  }

  // ---- datasources

  private policy(): EndpointPolicy {
    const embeddedUrl = this.deps.embeddedUrl();
    if (!embeddedUrl) throw badRequest("NotReady", "the search engine is still starting; try again");
    const { config } = this.deps;
    return {
      embeddedUrl,
      allowed: [
        ...config.recommend.allowedEndpoints,
        ...(config.search.backend === "opensearch" && config.search.url ? [config.search.url] : []),
      ],
      fileRoots: [this.deps.dataDir, ...config.recommend.fileRoots],
    };
  }

  /** Adds a datasource after checking where it points, and starts its first sync. */
  addDatasource(instanceId: string, input: DatasourceInput): Datasource {
    this.instances.get(instanceId);
    const policy = this.policy();
    let embedded: boolean | undefined;
    if (input.type === "elasticsearch") {
      const checked = checkEndpoint(input.endpoint, policy);
      embedded = checked.embedded;
      input = { ...input, endpoint: checked.url };
    } else input = { ...input, path: checkPath(input, policy) };
    const ds = this.datasources.create(instanceId, input, embedded);
    this.sync(instanceId, ds.datasource_id).catch(() => {}); // its state records a failure
    return ds;
  }

  deleteDatasource(instanceId: string, id: string): void {
    this.datasources.delete(instanceId, id);
    this.catalog.forget(instanceId);
  }

  private backendFor(ds: Datasource & { type: "elasticsearch" }): SearchBackend {
    const url = ds.embedded ? (this.deps.embeddedUrl() as string) : ds.endpoint;
    let backend = this.backends.get(url);
    if (!backend) {
      const { search } = this.deps.config;
      const same = search.backend === "opensearch" && search.url.replace(/\/$/, "") === url;
      backend = createBackend(
        ds.embedded
          ? { ...search, backend: "embedded", url }
          : {
              ...search,
              backend: "opensearch",
              url,
              ...(!same && { username: "", passwordEnv: "", apiKeyEnv: "" }),
            },
        { embeddedUrl: url, platformUrl: "" },
      );
      this.backends.set(url, backend);
    }
    return backend;
  }

  /** Syncs one datasource (one at a time per datasource); resolves to its new sync state. */
  sync(instanceId: string, id: string): Promise<Datasource> {
    const running = this.syncing.get(id);
    if (running) return running.then(() => this.datasources.get(instanceId, id));
    const ds = this.datasources.get(instanceId, id);
    const job = this.runSync(ds).finally(() => this.syncing.delete(id));
    this.syncing.set(id, job);
    return job.then(() => this.datasources.get(instanceId, id));
  }

  private async runSync(ds: Datasource): Promise<void> {
    const started = Date.now();
    const previous = ds.sync;
    this.datasources.setSync(ds.datasource_id, { ...previous, state: "syncing", last_started_at: started });
    try {
      const instance = this.instances.get(ds.instance_id);
      const fields = fieldMap(ds.fields, instance.item_id_field, ds.type === "elasticsearch");
      let items: Awaited<ReturnType<typeof readIndex>>;
      let backend: SearchBackend | undefined;
      if (ds.type === "elasticsearch") {
        backend = this.backendFor(ds);
        fields.vector ??= await vectorField(backend, ds.index);
        items = await readIndex(backend, ds.index, fields);
      } else {
        const format = ds.format ?? (ds.path.endsWith(".csv") ? "csv" : "jsonl");
        items = readFileCatalog(await this.readPath(ds), format, fields);
      }
      const before = this.catalog.hashes(ds.instance_id, ds.datasource_id);
      const changed = items.filter((i) => before.get(i.item_id) !== i.hash);
      const present = new Set(items.map((i) => i.item_id));
      const deleted = [...before.keys()].filter((id) => !present.has(id));
      const added = changed.filter((i) => !before.has(i.item_id)).length;
      this.catalog.apply(ds.instance_id, ds.datasource_id, changed, deleted);
      if (backend && fields.vector && ds.type === "elasticsearch" && changed.some((i) => i.vector))
        this.catalog.setNeighbors(
          ds.instance_id,
          await contentNeighbors(backend, ds.index, fields.vector, changed),
        );
      this.datasources.setSync(ds.datasource_id, {
        state: "synced",
        last_started_at: started,
        last_finished_at: Date.now(),
        last_counts: {
          added,
          changed: changed.length - added,
          deleted: deleted.length,
          unchanged: items.length - changed.length,
        },
        items: items.length,
      });
    } catch (err) {
      this.datasources.setSync(ds.datasource_id, {
        ...previous,
        state: "failed",
        last_started_at: started,
        last_finished_at: Date.now(),
        message: errorMessage(err),
      });
      throw err;
    }
  }

  private async readPath(ds: Datasource & { type: "file" | "oss" }): Promise<string> {
    if (ds.type === "file") return fs.promises.readFile(ds.path, "utf8");
    const { bucket, key } = parseOssUrl(ds.path, "path");
    const { body } = await this.deps.objects.getObject(bucket, key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  /** Whether a catalog item may be recommended, by its datasource's active statuses. */
  private activeTest(instanceId: string) {
    const statuses = new Map(
      this.datasources.list(instanceId).map((d) => [d.datasource_id, new Set(d.active_status ?? ["active"])]),
    );
    return (item: { status: string; datasource_id: string }) =>
      statuses.get(item.datasource_id)?.has(item.status) ?? false;
  }

  // ---- behaviours

  /** Validates each event; stores the good ones in one transaction and reports the rest. */
  push(instanceId: string, events: unknown[], source = "api"): PushResult {
    this.instances.get(instanceId);
    const now = Date.now();
    const ok: Array<{ index: number; event: Behavior }> = [];
    const rejected: Rejection[] = [];
    for (const [index, raw] of events.entries()) {
      const v = validateBehavior(raw, index, now);
      if ("rejected" in v) rejected.push(v.rejected);
      else ok.push({ index, event: { ...v.ok, source } });
    }
    const created = this.behaviors.insert(
      instanceId,
      ok.map((o) => o.event),
    );
    return {
      accepted: ok.map((o, i) => ({ index: o.index, event_id: o.event.event_id, duplicate: !created[i] })),
      rejected,
    };
  }

  /**
   * Reads what the RAG apps logged into the behaviour logs of the instances whose datasource is
   * the chunk's index, and their questions into the questions channel. Each instance follows the
   * log with its own cursor, so an instance created later still gets the clicks made before it.
   */
  intake(): number {
    let total = 0;
    total += this.follow("rag-questions", (events) => {
      const asks = events.filter((e) => e.type === "ask" && e.user_id && e.query);
      this.questions.add(
        asks.map((e) => ({
          event_id: e.event_id,
          user_id: e.user_id as string,
          app: e.app,
          query: e.query as string,
          at: e.at,
        })),
      );
    });
    const indices = new Map<string, Set<string>>();
    for (const ds of this.datasources.list())
      if (ds.type === "elasticsearch")
        indices.set(ds.instance_id, (indices.get(ds.instance_id) ?? new Set()).add(ds.index));
    for (const [instanceId, names] of indices)
      total += this.follow(`rag-intake:${instanceId}`, (events) => {
        const behaviors: Behavior[] = [];
        for (const e of events)
          if (e.user_id && e.item_id && e.item_index && names.has(e.item_index) && e.type !== "ask")
            behaviors.push({
              event_id: `rag:${e.event_id}`,
              user_id: e.user_id,
              item_id: e.item_id,
              type: e.type === "dislike" ? "dislike" : e.type === "like" ? "like" : "click",
              value: e.value ?? 1,
              at: e.at,
              trace_id: e.trace_id,
              scene: e.app,
              source: "rag",
            });
        // a changed rating replaces the earlier event of the same id
        if (behaviors.length) this.behaviors.replace(instanceId, behaviors);
      });
    return total;
  }

  /** Hands the interaction log's events after a named cursor to `take`, moving the cursor in the same transaction. */
  private follow(name: string, take: (events: ReturnType<InteractionLog["after"]>) => void): number {
    const row = this.deps.db.prepare("SELECT value FROM rec_cursors WHERE name = ?").get(name) as
      | { value: number }
      | undefined;
    let cursor = row?.value ?? 0;
    let total = 0;
    for (;;) {
      const events = this.log.after(cursor, 1000);
      if (events.length === 0) return total;
      this.deps.db.transaction(() => {
        take(events);
        cursor = events.at(-1)?.seq ?? cursor;
        this.deps.db
          .prepare("INSERT OR REPLACE INTO rec_cursors (name, value) VALUES (?, ?)")
          .run(name, cursor);
      })();
      total += events.length;
    }
  }

  // ---- training

  /** Exports the instance's behaviours and starts a `recommend-train` job; resolves to the job. */
  async train(
    instanceId: string,
    opts: { channels?: string[] } = {},
  ): Promise<{ job_id: string; version: string; events: number }> {
    const instance = this.instances.get(instanceId);
    for (const [i, c] of (opts.channels ?? []).entries())
      if (!TRAINERS[c])
        throw badRequest(
          "InvalidParameter",
          `channels[${i}]: no trainer ${JSON.stringify(c)}; the channels are ${Object.keys(TRAINERS).join(", ")}`,
          `channels[${i}]`,
        );
    const version = newVersion();
    const dir = path.join(this.deps.root, instanceId);
    fs.mkdirSync(path.join(dir, "train"), { recursive: true });
    fs.mkdirSync(this.models.dir(instanceId), { recursive: true });
    const file = path.join(dir, "train", `${version}.jsonl`);
    const out = fs.createWriteStream(file);
    let seq = 0;
    let events = 0;
    // in pages, yielding between them, so requests keep being served during an export
    for (;;) {
      const page = this.behaviors.page(instanceId, seq, EXPORT_PAGE);
      if (page.length === 0) break;
      const lines: string[] = [];
      for (const b of page) {
        const weight = behaviorWeight(instance.behavior_weights, b);
        if (weight > 0) lines.push(JSON.stringify({ user: b.user_id, item: b.item_id, weight, at: b.at }));
      }
      events += lines.length;
      if (lines.length && !out.write(`${lines.join("\n")}\n`))
        await new Promise<void>((r) => out.once("drain", () => r()));
      seq = page.at(-1)?.seq ?? seq;
      await yieldToEvents();
    }
    await new Promise<void>((resolve, reject) =>
      out.end((err?: Error | null) => (err ? reject(err) : resolve())),
    );
    const job = await this.deps.jobs.create({
      displayName: `recommend-train ${instanceId}`,
      script: TRAIN_SCRIPT,
      hyperParameters: {
        data: file,
        model_dir: this.models.dir(instanceId),
        version,
        ...(opts.channels?.length && { channels: opts.channels.join(",") }),
      },
    });
    this.deps.db
      .prepare("INSERT OR REPLACE INTO rec_cursors (name, value) VALUES (?, ?)")
      .run(`trained:${instanceId}`, seq);
    const watch = this.watchJob(instanceId, job.id, file).finally(() => this.training.delete(instanceId));
    this.training.set(instanceId, watch);
    return { job_id: job.id, version, events };
  }

  /** Waits for a training job, then swaps its models in and removes the export. */
  private async watchJob(instanceId: string, jobId: string, exportFile: string): Promise<void> {
    for (;;) {
      await new Promise((r) => setTimeout(r, 200));
      const job = this.deps.jobs.get(jobId);
      if (["Succeeded", "Failed", "Stopped"].includes(job.status)) {
        if (job.status === "Succeeded") this.models.refresh(instanceId);
        else
          this.deps.warn(
            `recommend: training job ${jobId} of ${instanceId} ended ${job.status}: ${job.reasonMessage ?? ""}`,
          );
        fs.rmSync(exportFile, { force: true });
        return;
      }
      if (this.closed) return;
    }
  }

  /** Retrains every instance that received behaviours since its last training (none running). */
  private async retrainChanged(): Promise<void> {
    for (const instance of this.instances.list()) {
      if (this.training.has(instance.instance_id) || this.closed) continue;
      const trained = this.deps.db
        .prepare("SELECT value FROM rec_cursors WHERE name = ?")
        .get(`trained:${instance.instance_id}`) as { value: number } | undefined;
      if (this.behaviors.lastSeq(instance.instance_id) > (trained?.value ?? 0))
        await this.train(instance.instance_id);
    }
  }

  // ---- serving

  async recommend(req: RecommendInput, requestId: string) {
    const instance = this.instances.get(req.instance_id);
    const scene = req.scene ? this.instances.scene(instance.instance_id, req.scene) : undefined;
    const filterSpec = req.filter ?? scene?.filter;
    const filter = filterSpec ? parseFilter(filterSpec, req.filter ? "filter" : "scene.filter") : undefined;
    const explore = req.explore ?? scene?.explore;
    const size = req.size ?? 10;
    const traceId = `${requestId}`;
    const history = req.user_id ? this.behaviors.history(instance.instance_id, req.user_id) : [];
    const questions = req.user_id ? await this.questionHits(instance.instance_id, req.user_id) : undefined;
    const catalog = this.catalog.items(instance.instance_id, this.activeTest(instance.instance_id));
    const { items, explored } = rank({
      size,
      userId: req.user_id,
      items: req.items,
      history,
      weightOf: (b) => behaviorWeight(instance.behavior_weights, b),
      models: this.models.current(instance.instance_id),
      catalog,
      neighbors: this.catalog.neighbors(instance.instance_id),
      stats: this.behaviors.itemStats(instance.instance_id),
      newItems: explore ? this.newItems(instance.instance_id, catalog) : [],
      questions,
      blend: { ...scene?.blend, ...req.blend },
      filter,
      excludeSeen: req.exclude_seen ?? scene?.exclude_seen ?? true,
      explore,
      diversity: req.diversity ?? scene?.diversity,
      random: seededRandom(explore?.seed ?? traceId),
    });
    // exposures: what was shown, under the trace id a later click names
    if (req.user_id)
      this.logExposures(
        instance.instance_id,
        items.map((r) => ({
          user_id: req.user_id as string,
          item_id: r.item_id,
          at: Date.now(),
          trace_id: traceId,
          scene: req.scene ?? null,
        })),
      );
    return {
      request_id: requestId,
      trace_id: traceId,
      explored,
      result: items.map((r, position) => {
        const item = catalog.get(r.item_id);
        return {
          item_id: r.item_id,
          item_type: instance.type,
          score: Number(r.score.toFixed(6)),
          position,
          title: item?.title ?? null,
          category: item?.category ?? null,
          match_info: r.channels.map((c) => c.channel).join(","),
          channels: r.channels.map((c) => ({ channel: c.channel, score: Number(c.score.toFixed(6)) })),
          why: r.why,
          trace_id: traceId,
          trace_info: JSON.stringify({
            scene: req.scene ?? null,
            model: this.models.current(instance.instance_id).version || null,
            position,
          }),
        };
      }),
    };
  }

  /** Active catalog items without behaviours, recomputed only when the catalog or that set changes. */
  private newItems(instanceId: string, catalog: Map<string, CatalogItem>): string[] {
    const warmth = this.behaviors.warmth(instanceId);
    const cached = this.newItemCache.get(instanceId);
    if (cached?.catalog === catalog && cached.warmth === warmth) return cached.ids;
    const stats = this.behaviors.itemStats(instanceId);
    const ids: string[] = [];
    for (const [id, item] of catalog) if (item.active && !(stats.get(id)?.actions ?? 0)) ids.push(id);
    this.newItemCache.set(instanceId, { catalog, warmth, ids });
    return ids;
  }

  /**
   * Exposures are written in batches (one transaction per EXPOSURE_FLUSH_MS rather than one per
   * request): a crash loses at most that much of them, never a pushed behaviour.
   */
  private logExposures(instanceId: string, events: Exposure[]): void {
    const pending = this.exposures.get(instanceId);
    if (pending) pending.push(...events);
    else this.exposures.set(instanceId, [...events]);
    if (!this.exposureTimer) {
      this.exposureTimer = setTimeout(() => this.flushExposures(), EXPOSURE_FLUSH_MS);
      this.exposureTimer.unref();
    }
  }

  /** Writes the exposures logged so far (before they are read, and at shutdown). */
  flushExposures(): void {
    clearTimeout(this.exposureTimer);
    this.exposureTimer = undefined;
    const batches = [...this.exposures];
    this.exposures.clear();
    for (const [instanceId, events] of batches)
      if (this.instances.find(instanceId)) this.behaviors.logExposures(instanceId, events);
  }

  private async questionHits(instanceId: string, userId: string) {
    const ds = this.datasources
      .list(instanceId)
      .find((d) => d.type === "elasticsearch" && d.sync.state === "synced");
    if (ds?.type !== "elasticsearch") return undefined;
    try {
      return await this.questions.hits(userId, this.backendFor(ds), ds.index);
    } catch (err) {
      this.deps.warn(`recommend: the questions channel failed: ${errorMessage(err)}`);
      return undefined;
    }
  }

  /** Trace ids are the platform's request ids; a new one when the caller gives none. */
  static traceId(): string {
    return randomBytes(8).toString("hex");
  }
}
