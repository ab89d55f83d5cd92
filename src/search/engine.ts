/**
 * The embedded engine: indices (each one shard), aliases and the operations of the
 * Elasticsearch/OpenSearch REST API as plain methods taking and returning ES-shaped JSON.
 * `search/api` maps HTTP onto these; benchmarks and other modules call them in-process.
 */
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { indexNameProblem } from "../common/index-name.ts";
import { buildAdHocAnalyzer } from "./analysis/registry.ts";
import { AnalysisSettingsError } from "./analysis/settings-validation.ts";
import type { Analyzer } from "./analysis/types.ts";
import { type BulkAction, parseBulk } from "./bulk.ts";
import { type ByQueryEngine, type ByQueryKind, parseByQuery, runByQuery } from "./by-query.ts";
import { EngineError, illegalArgument, indexClosed, indexNotFound } from "./errors.ts";
import { IndexAnalysis } from "./index/index-analysis.ts";
import { IndexShard, type WriteOp, type WriteResult } from "./index/shard.ts";
import { EngineStore, type IndexRow } from "./index/store.ts";
import { type FieldMapping, isObject, Mapping } from "./mapping.ts";
import { parseMget, runMget } from "./mget.ts";
import type { SearchModels } from "./models.ts";
import { type IngestIndexView, IngestPipelines } from "./pipelines/ingest-service.ts";
import { pipelinedSearch } from "./pipelines/pipelined-search.ts";
import { SearchPipelines } from "./pipelines/search-pipelines.ts";
import { compileQuery } from "./query/compile.ts";
import { topLevelHybrid } from "./query/hybrid.ts";
import { hasNeural } from "./query/neural.ts";
import { executeSearch, type SearchTarget } from "./query/search.ts";
import { applySourceFilter, parseSourceFilter, type SourceFilter } from "./query/source-filter.ts";
import {
  type FlatSettings,
  flattenSettings,
  nestSettings,
  settingRule,
  similarityFor,
  validateSettings,
} from "./settings.ts";

export interface EngineOptions {
  dataDir: string;
  /** Where synonyms_path and similar files resolve (default: <dataDir>/config). */
  configDir?: string;
}

export interface IndexEntry {
  row: IndexRow;
  settings: FlatSettings;
  aliases: Record<string, Record<string, unknown>>;
  shard: IndexShard | undefined;
}

export interface WithWarnings<T> {
  body: T;
  warnings: string[];
}

const VERSION_CREATED = "136327827";

export class SearchEngine {
  readonly store: EngineStore;
  readonly indices = new Map<string, IndexEntry>();
  readonly dataDir: string;
  readonly configDir: string;
  readonly clusterUuid: string;
  /** The model service neural queries, text_embedding processors and rerank processors call. */
  private modelService: SearchModels | undefined;
  /** Ingest pipelines (`_ingest/pipeline`), run by the asynchronous write path. */
  readonly ingest: IngestPipelines;
  /** Search pipelines (`/_search/pipeline`), stored in the engine database. */
  readonly searchPipelines: SearchPipelines;

  private constructor(opts: EngineOptions) {
    this.dataDir = path.resolve(opts.dataDir);
    this.configDir = path.resolve(opts.configDir ?? path.join(this.dataDir, "config"));
    fs.mkdirSync(this.configDir, { recursive: true });
    this.store = new EngineStore(path.join(this.dataDir, "engine.db"));
    this.ingest = new IngestPipelines(this.store, {
      models: () => this.models,
      hasModels: () => this.modelService !== undefined,
      writeTarget: (name) => {
        const entry = this.existingWriteIndex(name);
        return entry && this.ingestView(entry);
      },
      indices: () => [...this.indices.values()].map((e) => this.ingestView(e)),
    });
    this.searchPipelines = new SearchPipelines(this.store.db, () => this.models);
    const uuidFile = path.join(this.dataDir, "cluster_uuid");
    if (!fs.existsSync(uuidFile)) fs.writeFileSync(uuidFile, randomUUID());
    this.clusterUuid = fs.readFileSync(uuidFile, "utf8").trim();
  }

  static async open(opts: EngineOptions): Promise<SearchEngine> {
    const engine = new SearchEngine(opts);
    for (const row of engine.store.listIndices()) {
      const entry: IndexEntry = {
        row,
        settings: JSON.parse(row.settings),
        aliases: JSON.parse(row.aliases),
        shard: undefined,
      };
      engine.indices.set(row.name, entry);
      if (row.state === "open") entry.shard = engine.openShard(entry);
    }
    return engine;
  }

  /** Hands the engine a model service (the platform's endpoints; a fake in tests). */
  useModels(models: SearchModels): void {
    this.modelService = models;
  }

  /** The model service, or a 400 saying that this engine runs without one. */
  get models(): SearchModels {
    if (!this.modelService)
      throw illegalArgument(
        "this engine has no model service: neural queries, text_embedding and rerank processors need the Lodestone platform (lodestone serve)",
      );
    return this.modelService;
  }

  private shardDir(uuid: string): string {
    return path.join(this.dataDir, "indices", uuid);
  }

  private openShard(entry: IndexEntry): IndexShard {
    const shard = new IndexShard(
      this.store,
      entry.row.uuid,
      entry.row.name,
      entry.settings,
      JSON.parse(entry.row.mappings),
      this.shardDir(entry.row.uuid),
      entry.row.next_seq_no,
      this.configDir,
    );
    shard.load();
    return shard;
  }

  async close(): Promise<void> {
    for (const entry of this.indices.values()) entry.shard?.close();
    this.store.close();
  }

  // ---- index management -------------------------------------------------

  createIndex(name: string, body: unknown = {}): WithWarnings<Record<string, unknown>> {
    validateIndexName(name);
    if (this.indices.has(name) || this.aliasTargets(name).length) {
      const existing = this.indices.get(name);
      throw new EngineError(
        400,
        "resource_already_exists_exception",
        `index [${name}/${existing?.row.uuid ?? "alias"}] already exists`,
        {
          index_uuid: existing?.row.uuid,
          index: name,
        },
      );
    }
    const b = body === null || body === undefined ? {} : body;
    if (!isObject(b))
      throw illegalArgument("request body must be a JSON object with settings, mappings and aliases");
    for (const key of Object.keys(b)) {
      if (!["settings", "mappings", "aliases"].includes(key)) {
        throw new EngineError(
          400,
          "parse_exception",
          `unknown key [${key}] for create index; expected settings, mappings or aliases`,
        );
      }
    }
    const uuid = randomBytes(16).toString("base64url").slice(0, 22);
    const userSettings = validateSettings(flattenSettings(b.settings));
    const settings: FlatSettings = {
      "index.number_of_shards": 1,
      "index.number_of_replicas": 1,
      ...userSettings,
      "index.uuid": uuid,
      "index.creation_date": String(Date.now()),
      "index.provided_name": name,
      "index.version.created": VERSION_CREATED,
    };
    for (const key of Object.keys(settings))
      if (key.startsWith("index.similarity.")) similarityFor(settings, key.split(".")[2]);
    const aliases = parseAliasesBody(b.aliases);
    const row: IndexRow = {
      uuid,
      name,
      state: "open",
      settings: JSON.stringify(settings),
      mappings: "{}",
      aliases: JSON.stringify(aliases),
      next_seq_no: 0,
      created_ms: Date.now(),
    };
    const entry: IndexEntry = { row, settings, aliases, shard: undefined };
    // build the shard first: invalid analysis or mappings fail before anything is stored
    const shard = new IndexShard(
      this.store,
      uuid,
      name,
      settings,
      b.mappings,
      this.shardDir(uuid),
      0,
      this.configDir,
    );
    row.mappings = JSON.stringify(shard.mapping.toJSON());
    try {
      this.ingest.checkIndex(ingestView(name, settings, shard.mapping.fields));
    } catch (err) {
      fs.rmSync(this.shardDir(uuid), { recursive: true, force: true }); // the shard made its folder
      throw err;
    }
    this.store.insertIndex(row);
    shard.load();
    entry.shard = shard;
    this.indices.set(name, entry);
    return {
      body: { acknowledged: true, shards_acknowledged: true, index: name },
      warnings: [...shard.analysis.warnings],
    };
  }

  deleteIndex(expr: string): Record<string, unknown> {
    const names = this.resolveIndexNames(expr, { allowAliases: false, wildcardMatchRequired: false });
    for (const name of names) {
      const entry = this.indices.get(name) as IndexEntry;
      entry.shard?.close();
      this.store.deleteIndex(entry.row.uuid);
      fs.rmSync(this.shardDir(entry.row.uuid), { recursive: true, force: true });
      this.indices.delete(name);
    }
    return { acknowledged: true };
  }

  exists(expr: string): boolean {
    try {
      return this.resolveIndexNames(expr).length > 0;
    } catch {
      return false;
    }
  }

  getIndex(expr: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of this.resolveIndexNames(expr)) {
      const entry = this.indices.get(name) as IndexEntry;
      out[name] = {
        aliases: entry.aliases,
        mappings: this.mappingOf(entry),
        settings: nestSettings(entry.settings),
      };
    }
    return out;
  }

  private mappingOf(entry: IndexEntry): Record<string, unknown> {
    return entry.shard ? entry.shard.mapping.toJSON() : JSON.parse(entry.row.mappings);
  }

  getMapping(expr = "_all"): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of this.resolveIndexNames(expr))
      out[name] = { mappings: this.mappingOf(this.indices.get(name) as IndexEntry) };
    return out;
  }

  putMapping(expr: string, body: unknown): Record<string, unknown> {
    const names = this.resolveIndexNames(expr);
    for (const name of names) {
      const entry = this.indices.get(name) as IndexEntry;
      const shard = this.requireOpen(entry);
      shard.mapping.merge(body, (n) => shard.analysis.has(n));
      entry.row.mappings = JSON.stringify(shard.mapping.toJSON());
      this.store.setMappings(entry.row.uuid, entry.row.mappings);
    }
    return { acknowledged: true };
  }

  getSettings(
    expr = "_all",
    opts: { flat?: boolean; includeDefaults?: boolean } = {},
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of this.resolveIndexNames(expr)) {
      const entry = this.indices.get(name) as IndexEntry;
      const settings = opts.flat ? stringifyFlat(entry.settings) : nestSettings(entry.settings);
      const item: Record<string, unknown> = { settings };
      if (opts.includeDefaults) {
        const defaults = {
          "index.refresh_interval": "1s",
          "index.max_result_window": "10000",
          "index.similarity.default.type": "BM25",
        };
        item.defaults = opts.flat ? defaults : nestSettings(defaults);
      }
      out[name] = item;
    }
    return out;
  }

  putSettings(expr: string, body: unknown): WithWarnings<Record<string, unknown>> {
    const changes = validateSettings(flattenSettings(body));
    if (!Object.keys(changes).length)
      throw new EngineError(
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: no settings to update;",
      );
    const warnings: string[] = [];
    const names = this.resolveIndexNames(expr);
    for (const name of names) {
      const entry = this.indices.get(name) as IndexEntry;
      const next: FlatSettings = { ...entry.settings };
      for (const [k, v] of Object.entries(changes)) {
        if (v === null) delete next[k];
        else next[k] = v;
      }
      this.ingest.checkIndex(ingestView(name, next, this.fieldsOf(entry)));
      if (
        changes["index.number_of_shards"] !== undefined &&
        changes["index.number_of_shards"] !== entry.settings["index.number_of_shards"]
      ) {
        throw illegalArgument(`final ${name} setting [index.number_of_shards], not updateable`);
      }
      if (entry.shard) {
        const staticChanges = Object.keys(changes).filter(
          (k) => !settingRule(k)?.dynamic && JSON.stringify(entry.settings[k]) !== JSON.stringify(next[k]),
        );
        const blocked = staticChanges.filter(
          (k) => !this.searchTimeOnly(k, entry.settings, next, entry.shard as IndexShard),
        );
        if (blocked.length) {
          throw illegalArgument(
            `Can't update non dynamic settings [[${blocked.join(", ")}]] for open indices [[${name}/${entry.row.uuid}]]; close the index first (POST /${name}/_close), update the settings, then reopen it (POST /${name}/_open)`,
          );
        }
        entry.shard.reconfigure(next);
        warnings.push(...entry.shard.analysis.warnings);
        if (staticChanges.length)
          warnings.push(
            `search-time settings [${staticChanges.join(", ")}] applied to open index [${name}] and its search analyzers reloaded`,
          );
      } else {
        // closed: check the new settings build (analyzers, similarities) before storing them
        for (const key of Object.keys(next))
          if (key.startsWith("index.similarity.")) similarityFor(next, key.split(".")[2]);
      }
      entry.settings = next;
      entry.row.settings = JSON.stringify(next);
      this.store.updateIndex(entry.row.uuid, { settings: entry.row.settings });
    }
    return { body: { acknowledged: true }, warnings: [...new Set(warnings)] };
  }

  /** A static setting change that only affects search (same similarity, or a search-time-only filter). */
  private searchTimeOnly(key: string, before: FlatSettings, after: FlatSettings, shard: IndexShard): boolean {
    if (key.startsWith("index.similarity.")) {
      const name = key.split(".")[2] as string;
      const a = similarityFor(before, name);
      const b = similarityFor(after, name);
      return a.type === b.type && a.k1 === b.k1 && a.b === b.b && a.discountOverlaps === b.discountOverlaps;
    }
    const m = /^index\.analysis\.filter\.([^.]+)\./.exec(key);
    if (!m) return false;
    const filter = m[1] as string;
    const used = shard.mapping.fields;
    // a filter used by no index-time analyzer only changes what queries see
    const analyzersUsing = new Set<string>();
    for (const [k, v] of Object.entries(after)) {
      const am = /^index\.analysis\.analyzer\.([^.]+)\.filter$/.exec(k);
      if (am && Array.isArray(v) && v.includes(filter)) analyzersUsing.add(am[1] as string);
    }
    for (const fm of used.values())
      if (analyzersUsing.has(fm.analyzer))
        return after[`index.analysis.filter.${filter}.updateable`] === true;
    return true;
  }

  reloadSearchAnalyzers(expr: string): Record<string, unknown> {
    const names = this.resolveIndexNames(expr);
    const details = names.map((name) => {
      const entry = this.indices.get(name) as IndexEntry;
      const shard = this.requireOpen(entry);
      shard.reconfigure(entry.settings);
      return {
        index: name,
        reloaded_analyzers: shard.analysis.registry.names(),
        reloaded_node_ids: ["lodestone"],
      };
    });
    return { _shards: { total: names.length, successful: names.length, failed: 0 }, reload_details: details };
  }

  closeIndex(expr: string): Record<string, unknown> {
    const indices: Record<string, unknown> = {};
    for (const name of this.resolveIndexNames(expr)) {
      const entry = this.indices.get(name) as IndexEntry;
      entry.shard?.close();
      entry.shard = undefined;
      entry.row.state = "close";
      this.store.updateIndex(entry.row.uuid, { state: "close" });
      indices[name] = { closed: true };
    }
    return { acknowledged: true, shards_acknowledged: true, indices };
  }

  openIndex(expr: string): Record<string, unknown> {
    for (const name of this.resolveIndexNames(expr)) {
      const entry = this.indices.get(name) as IndexEntry;
      if (entry.shard) continue;
      entry.row.state = "open";
      entry.shard = this.openShard(entry);
      this.store.updateIndex(entry.row.uuid, { state: "open" });
    }
    return { acknowledged: true, shards_acknowledged: true };
  }

  refresh(expr = "_all"): Record<string, unknown> {
    const names = this.resolveIndexNames(expr, { wildcardMatchRequired: false });
    for (const name of names) this.requireOpen(this.indices.get(name) as IndexEntry).refresh();
    return { _shards: { total: names.length, successful: names.length, failed: 0 } };
  }

  flush(expr = "_all"): Record<string, unknown> {
    const names = this.resolveIndexNames(expr, { wildcardMatchRequired: false });
    for (const name of names) this.requireOpen(this.indices.get(name) as IndexEntry).flush();
    return { _shards: { total: names.length, successful: names.length, failed: 0 } };
  }

  forceMerge(expr = "_all"): Record<string, unknown> {
    const names = this.resolveIndexNames(expr, { wildcardMatchRequired: false });
    for (const name of names) {
      const shard = this.requireOpen(this.indices.get(name) as IndexEntry);
      shard.forceMerge();
      shard.flush();
    }
    return { _shards: { total: names.length, successful: names.length, failed: 0 } };
  }

  // ---- documents ---------------------------------------------------------

  /** The single index a write goes to: an index name, or an alias with one (write) index. */
  writeIndex(name: string, autoCreate = true): IndexEntry {
    const entry = this.indices.get(name);
    if (entry) return entry;
    const targets = this.aliasTargets(name);
    if (targets.length === 1) return this.indices.get(targets[0] as string) as IndexEntry;
    const writers = targets.filter((t) => this.indices.get(t)?.aliases[name]?.is_write_index === true);
    if (writers.length === 1) return this.indices.get(writers[0] as string) as IndexEntry;
    if (targets.length > 1) {
      throw illegalArgument(
        `no write index is defined for alias [${name}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
      );
    }
    if (!autoCreate) throw indexNotFound(name);
    this.createIndex(name, {});
    return this.indices.get(name) as IndexEntry;
  }

  /** The existing index a write to `name` goes to, or undefined (no index yet, or no single write index). */
  private existingWriteIndex(name: string): IndexEntry | undefined {
    try {
      return this.writeIndex(name, false);
    } catch (err) {
      if (err instanceof EngineError) return undefined;
      throw err;
    }
  }

  /** Leaf fields of an index's mapping, also when it is closed. */
  private fieldsOf(entry: IndexEntry): Map<string, FieldMapping> {
    if (entry.shard) return entry.shard.mapping.fields;
    const mapping = new Mapping();
    mapping.merge(JSON.parse(entry.row.mappings), () => true);
    return mapping.fields;
  }

  private ingestView(entry: IndexEntry): IngestIndexView {
    return ingestView(entry.row.name, entry.settings, this.fieldsOf(entry));
  }

  private requireOpen(entry: IndexEntry): IndexShard {
    if (!entry.shard) throw indexClosed(entry.row.name);
    return entry.shard;
  }

  /**
   * Writes without ingest pipelines (in-process callers). Index documents bound for an index with
   * a default or final pipeline are refused: `indexAsync` and `bulkAsync` run pipelines.
   */
  write(index: string, ops: WriteOp[], refresh?: unknown): WriteResult[] {
    if (ops.some((op) => op.op === "index") && this.ingest.needsPipelines(index, undefined))
      throw pipelinesNeedAsync(index);
    return this.writeDirect(index, ops, refresh);
  }

  /** Indexes one document through its ingest pipelines (`pipeline`, else the index's default; then its final one). */
  async indexAsync(
    index: string,
    op: IndexOp,
    opts: { pipeline?: string; refresh?: unknown } = {},
  ): Promise<WriteResult> {
    const action: BulkAction = { action: op.create ? "create" : "index", index, id: op.id, op };
    await this.ingest.apply([action], opts.pipeline);
    if (action.error || action.dropped) return settledItem(action) as unknown as WriteResult;
    return this.writeDirect(action.index as string, [action.op as WriteOp], opts.refresh)[0] as WriteResult;
  }

  private writeDirect(index: string, ops: WriteOp[], refresh?: unknown): WriteResult[] {
    const entry = this.writeIndex(index);
    const shard = this.requireOpen(entry);
    if (entry.settings["index.blocks.write"] === true || entry.settings["index.blocks.read_only"] === true) {
      throw new EngineError(
        403,
        "cluster_block_exception",
        `index [${entry.row.name}] blocked by: [FORBIDDEN/8/index write (api)];`,
      );
    }
    const results = shard.write(ops, newDocId);
    if (refresh === true || refresh === "true" || refresh === "" || refresh === "wait_for") shard.refresh();
    return results;
  }

  getDoc(
    index: string,
    id: string,
    opts: { source?: SourceFilter } = {},
  ): { found: boolean; body: Record<string, unknown> } {
    const entry = this.indices.get(index) ?? this.indices.get(this.aliasTargets(index)[0] ?? "");
    if (!entry) throw indexNotFound(index);
    const shard = this.requireOpen(entry);
    const ref = shard.getRef(id);
    if (!ref) return { found: false, body: { _index: entry.row.name, _id: id, found: false } };
    const source = shard.storedSource(id);
    const body: Record<string, unknown> = {
      _index: entry.row.name,
      _id: id,
      _version: ref.version,
      _seq_no: ref.seqNo,
      _primary_term: 1,
      found: true,
    };
    const filtered = source && applySourceFilter(source, opts.source ?? parseSourceFilter(undefined));
    if (filtered) body._source = filtered;
    return { found: true, body };
  }

  /** `_mget`: each entry as getDoc answers it, a missing index an error on its entry only. */
  mget(body: unknown, pathIndex: string | undefined, source: SourceFilter): { docs: unknown[] } {
    return runMget(
      parseMget(body, pathIndex),
      source,
      (index, id, filter) => this.getDoc(index, id, { source: filter }).body,
    );
  }

  /**
   * `_delete_by_query` / `_update_by_query` on the indices of `expr` (see by-query.ts); an update
   * runs `params.pipeline` or each index's default ingest pipeline.
   */
  async byQuery(
    kind: ByQueryKind,
    expr: string,
    body: unknown,
    params: Record<string, string | undefined>,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const request = parseByQuery(kind, body, params);
    this.searchTargets(expr); // a missing index is a 404 before anything runs
    const result = await runByQuery(request, {
      search: async (b) => this.search(expr, b) as Awaited<ReturnType<ByQueryEngine["search"]>>,
      bulk: async (lines) =>
        (await this.bulkAsync(lines, { pipeline: params.pipeline })) as Awaited<
          ReturnType<ByQueryEngine["bulk"]>
        >,
    });
    const refresh = params.refresh;
    if (refresh === "" || refresh === "true" || refresh === "wait_for") this.refresh(expr);
    return result;
  }

  /** `_bulk` without ingest pipelines (in-process callers); items that would run one fail, naming bulkAsync. */
  bulk(lines: unknown[] | string, opts: { index?: string; refresh?: unknown } = {}): Record<string, unknown> {
    const started = performance.now();
    const actions = parseBulk(lines, opts.index);
    for (const a of actions) {
      if (a.error || a.op?.op !== "index" || a.index === undefined) continue;
      if (!this.ingest.needsPipelines(a.index, a.pipeline)) continue;
      const err = pipelinesNeedAsync(a.index);
      a.error = { type: err.type, reason: err.message };
      a.status = err.status;
    }
    return this.applyBulk(actions, opts.refresh, started);
  }

  /**
   * `_bulk` with ingest pipelines: the index and create documents run their pipelines first (all
   * of the request together, so text_embedding calls are batched across documents), then each
   * run of actions for one index commits in one transaction. A pipeline failure fails its item only.
   */
  async bulkAsync(
    lines: unknown[] | string,
    opts: { index?: string; refresh?: unknown; pipeline?: string } = {},
  ): Promise<Record<string, unknown>> {
    const started = performance.now();
    const actions = parseBulk(lines, opts.index);
    await this.ingest.apply(actions, opts.pipeline);
    return this.applyBulk(actions, opts.refresh, started);
  }

  private applyBulk(actions: BulkAction[], refresh: unknown, started: number): Record<string, unknown> {
    const items: Record<string, unknown>[] = new Array(actions.length);
    const settled = (a: BulkAction | undefined) => !!(a?.error || a?.dropped);
    // group consecutive actions per index so each group commits in one transaction, keeping order
    let i = 0;
    while (i < actions.length) {
      const first = actions[i] as BulkAction;
      if (settled(first)) {
        items[i] = { [first.action]: settledItem(first) };
        i++;
        continue;
      }
      let j = i;
      while (j < actions.length && !settled(actions[j]) && actions[j]?.index === first.index) j++;
      const group = actions.slice(i, j);
      try {
        const results = this.writeDirect(
          first.index as string,
          group.map((a) => a.op as WriteOp),
        );
        results.forEach((r, k) => {
          items[i + k] = { [(group[k] as (typeof actions)[number]).action]: r };
        });
      } catch (err) {
        if (!(err instanceof EngineError)) throw err;
        group.forEach((a, k) => {
          items[i + k] = {
            [a.action]: {
              _index: a.index,
              _id: a.id ?? null,
              status: err.status,
              error: { type: err.type, reason: err.message, ...err.extra },
            },
          };
        });
      }
      i = j;
    }
    if (refresh === true || refresh === "true" || refresh === "" || refresh === "wait_for") {
      for (const name of new Set(actions.map((a) => a.index).filter((x): x is string => !!x))) {
        const entry = this.indices.get(name) ?? this.indices.get(this.aliasTargets(name)[0] ?? "");
        entry?.shard?.refresh();
      }
    }
    const errors = items.some((it) =>
      Object.values(it).some((r) => (r as { error?: unknown }).error !== undefined),
    );
    return { took: Math.round(performance.now() - started), errors, items };
  }

  // ---- search ------------------------------------------------------------

  private searchTargets(expr: string): SearchTarget[] {
    const names = this.resolveIndexNames(expr, { wildcardMatchRequired: false });
    return names.map((name) => {
      const entry = this.indices.get(name) as IndexEntry;
      const shard = this.requireOpen(entry);
      return {
        name,
        ctx: shard.queryContext(),
        source: (id: string) => shard.storedSource(id),
        maxResultWindow: Number(entry.settings["index.max_result_window"] ?? 10_000),
        versionOf: (id: string) => {
          const ref = shard.getRef(id);
          return ref ? { version: ref.version, seqNo: ref.seqNo } : undefined;
        },
      };
    });
  }

  /**
   * The synchronous search: no search pipeline, no model calls. Neural and hybrid queries need
   * those, so they are refused here with a pointer to searchAsync.
   */
  search(expr: string, body: unknown, params: Record<string, unknown> = {}): Record<string, unknown> {
    if (isObject(body)) {
      if (hasNeural(body))
        throw illegalArgument(
          "[neural] queries embed their text with a model, which the synchronous search cannot call: send them to the _search endpoint (SearchEngine.searchAsync)",
        );
      if (topLevelHybrid(body.query))
        throw illegalArgument(
          "[hybrid] queries run through a search pipeline, which the synchronous search does not: send them to the _search endpoint (SearchEngine.searchAsync)",
        );
    }
    const filterBody = this.withAliasFilter(expr, body);
    return executeSearch(this.searchTargets(expr), filterBody, params);
  }

  /**
   * A search through its search pipeline (`search_pipeline` parameter or body object, or the index's
   * `index.search.default_pipeline`): request processors, neural query embedding, hybrid queries
   * with score normalization, response processors such as rerank. What the `_search` API runs.
   */
  async searchAsync(
    expr: string,
    body: unknown,
    params: Record<string, unknown> = {},
  ): Promise<Record<string, unknown>> {
    return pipelinedSearch(
      {
        targets: this.searchTargets(expr),
        pipelines: this.searchPipelines,
        defaultPipeline: this.defaultSearchPipeline(expr),
        models: () => this.models,
        aliasFilters: this.aliasFilters(expr),
      },
      body,
      params,
    );
  }

  /** `index.search.default_pipeline` when the request names exactly one index (as OpenSearch resolves it). */
  private defaultSearchPipeline(expr: string): string | undefined {
    if (/[,*]/.test(expr) || expr === "_all") return undefined;
    const names = this.resolveIndexNames(expr);
    if (names.length !== 1) return undefined;
    const id = this.indices.get(names[0] as string)?.settings["index.search.default_pipeline"];
    return typeof id === "string" ? id : undefined;
  }

  count(expr: string, body: unknown): Record<string, unknown> {
    const b = body === undefined || body === null ? {} : body;
    if (!isObject(b)) throw illegalArgument("request body must be a JSON object");
    for (const key of Object.keys(b))
      if (key !== "query")
        throw new EngineError(400, "parsing_exception", `request does not support [${key}]`);
    const res = executeSearch(this.searchTargets(expr), {
      ...(this.withAliasFilter(expr, b) as Record<string, unknown>),
      size: 0,
      track_total_hits: true,
    });
    const hits = res.hits as { total: { value: number } };
    return { count: hits.total.value, _shards: res._shards };
  }

  explainDoc(index: string, id: string, body: unknown): Record<string, unknown> {
    const entry = this.writeIndex(index, false);
    const shard = this.requireOpen(entry);
    const q = isObject(body) ? body.query : undefined;
    if (q === undefined)
      throw new EngineError(
        400,
        "action_request_validation_exception",
        "Validation Failed: 1: query is missing;",
      );
    const ctx = shard.queryContext();
    const weight = compileQuery(ctx, q);
    const ref = shard.getRef(id);
    const explanation = ref?.seg ? weight.explain(ref.seg, ref.doc) : null;
    return {
      _index: entry.row.name,
      _id: id,
      matched: explanation !== null,
      explanation: explanation ?? { value: 0, description: "no matching term", details: [] },
    };
  }

  analyze(index: string | undefined, body: unknown): Record<string, unknown> {
    if (!isObject(body)) throw illegalArgument("request body must be an object with [text]");
    const text = body.text;
    const texts = Array.isArray(text) ? text : [text];
    if (text === undefined || texts.some((t) => typeof t !== "string"))
      throw illegalArgument("[text] is required and must be a string or an array of strings");
    let analyzer: Analyzer;
    const shard = index ? this.requireOpen(this.writeIndex(index, false)) : undefined;
    const analysis = shard?.analysis ?? this.defaultAnalysis();
    if (body.field !== undefined) {
      const fm = shard?.mapping.fields.get(String(body.field));
      if (!fm) throw illegalArgument(`field [${String(body.field)}] is not mapped in index [${index ?? ""}]`);
      analyzer = analysis.get(fm.analyzer);
    } else if (body.tokenizer !== undefined || body.filter !== undefined || body.char_filter !== undefined) {
      try {
        analyzer = buildAdHocAnalyzer(
          { tokenizer: body.tokenizer ?? "keyword", filter: body.filter, char_filter: body.char_filter },
          analysis.registry,
          { configDir: this.configDir, warn: () => {} },
        );
      } catch (err) {
        // an inline definition is request input: its errors are the client's (found by fuzzing)
        if (err instanceof AnalysisSettingsError) throw illegalArgument(err.message, { key: err.key });
        throw err;
      }
    } else analyzer = analysis.get(String(body.analyzer ?? "standard"));
    const tokens: Record<string, unknown>[] = [];
    let offset = 0;
    let positionBase = 0;
    for (const t of texts as string[]) {
      const out = analyzer.analyze(t);
      for (const tok of out) {
        const token: Record<string, unknown> = {
          token: tok.term,
          start_offset: tok.start + offset,
          end_offset: tok.end + offset,
          type: tok.type,
          position: tok.position + positionBase,
        };
        if ((tok.positionLength ?? 1) > 1) token.positionLength = tok.positionLength;
        tokens.push(token);
      }
      offset += t.length + 1;
      positionBase += (out.at(-1)?.position ?? -1) + 101;
    }
    return { tokens };
  }

  private defaultAnalysisCache: IndexAnalysis | undefined;
  private defaultAnalysis(): IndexAnalysis {
    if (!this.defaultAnalysisCache) {
      this.defaultAnalysisCache = new IndexAnalysis({}, this.configDir);
    }
    return this.defaultAnalysisCache;
  }

  // ---- aliases -------------------------------------------------------------

  aliasTargets(alias: string): string[] {
    const out: string[] = [];
    for (const [name, entry] of this.indices) if (entry.aliases[alias]) out.push(name);
    return out;
  }

  /** The filters of the filtered aliases an index expression names. */
  private aliasFilters(expr: string): unknown[] {
    const filters: unknown[] = [];
    for (const part of expr.split(",")) {
      for (const name of this.aliasTargets(part)) {
        const filter = this.indices.get(name)?.aliases[part]?.filter;
        if (filter) filters.push(filter);
      }
    }
    return filters;
  }

  private withAliasFilter(expr: string, body: unknown): unknown {
    const filters = this.aliasFilters(expr);
    if (!filters.length) return body;
    const b = isObject(body) ? body : {};
    return { ...b, query: { bool: { must: b.query ? [b.query] : [], filter: filters } } };
  }

  updateAliases(body: unknown): Record<string, unknown> {
    if (!isObject(body) || !Array.isArray(body.actions))
      throw illegalArgument('[actions] is required: {"actions":[{"add":{"index":…,"alias":…}}]}');
    const staged = new Map<string, Record<string, Record<string, unknown>>>();
    const aliasesOf = (name: string) => {
      let a = staged.get(name);
      if (!a) staged.set(name, (a = structuredClone((this.indices.get(name) as IndexEntry).aliases)));
      return a;
    };
    for (const action of body.actions) {
      if (!isObject(action) || Object.keys(action).length !== 1)
        throw illegalArgument("each alias action must be an object with one of add, remove, remove_index");
      const [type, spec] = Object.entries(action)[0] as [string, unknown];
      if (!isObject(spec)) throw illegalArgument(`[${type}] action must be an object`);
      const indices = listOf(spec.index ?? spec.indices);
      const aliases = listOf(spec.alias ?? spec.aliases);
      if (!indices.length) throw illegalArgument(`[${type}] action requires [index] or [indices]`);
      for (const index of indices.flatMap((i) => this.resolveIndexNames(i, { allowAliases: false }))) {
        if (type === "add") {
          if (!aliases.length) throw illegalArgument("[add] action requires [alias] or [aliases]");
          for (const alias of aliases) {
            validateIndexName(alias);
            if (this.indices.has(alias))
              throw new EngineError(
                400,
                "invalid_alias_name_exception",
                `Invalid alias name [${alias}]: an index or data stream exists with the same name as the alias`,
              );
            const def: Record<string, unknown> = {};
            if (spec.filter !== undefined) {
              compileQuery(
                this.requireOpen(this.indices.get(index) as IndexEntry).queryContext(),
                spec.filter,
              );
              def.filter = spec.filter;
            }
            if (spec.is_write_index !== undefined) def.is_write_index = spec.is_write_index === true;
            aliasesOf(index)[alias] = def;
          }
        } else if (type === "remove") {
          for (const alias of aliases) {
            if (!aliasesOf(index)[alias])
              throw new EngineError(404, "aliases_not_found_exception", `aliases [${alias}] missing`, {
                "resource.id": alias,
              });
            delete aliasesOf(index)[alias];
          }
        } else if (type === "remove_index") {
          this.deleteIndex(index);
          staged.delete(index);
        } else throw illegalArgument(`unknown alias action [${type}]; expected add, remove or remove_index`);
      }
    }
    for (const [name, aliases] of staged) {
      const entry = this.indices.get(name);
      if (!entry) continue;
      entry.aliases = aliases;
      entry.row.aliases = JSON.stringify(aliases);
      this.store.updateIndex(entry.row.uuid, { aliases: entry.row.aliases });
    }
    return { acknowledged: true };
  }

  getAliases(indexExpr = "_all", aliasExpr?: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const re = aliasExpr ? patternRegExp(aliasExpr) : undefined;
    for (const name of this.resolveIndexNames(indexExpr, { wildcardMatchRequired: false })) {
      const aliases = (this.indices.get(name) as IndexEntry).aliases;
      const picked = Object.fromEntries(Object.entries(aliases).filter(([a]) => !re || re.test(a)));
      if (!re || Object.keys(picked).length) out[name] = { aliases: picked };
    }
    if (aliasExpr && !Object.keys(out).length) {
      throw new EngineError(404, "aliases_not_found_exception", `alias [${aliasExpr}] missing`, {
        "resource.id": aliasExpr,
      });
    }
    return out;
  }

  // ---- names ---------------------------------------------------------------

  /** Concrete index names for an expression: names, aliases, `*` wildcards, `_all`, comma lists, `-exclusions`. */
  resolveIndexNames(
    expr: string,
    opts: { allowAliases?: boolean; wildcardMatchRequired?: boolean } = {},
  ): string[] {
    const allowAliases = opts.allowAliases ?? true;
    const out = new Set<string>();
    const parts = expr
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean);
    if (!parts.length) throw indexNotFound(expr);
    for (const part of parts) {
      if (part === "_all" || part === "*") {
        for (const name of this.indices.keys()) out.add(name);
        continue;
      }
      if (part.startsWith("-") && out.size) {
        const re = patternRegExp(part.slice(1));
        for (const name of [...out]) if (re.test(name)) out.delete(name);
        continue;
      }
      if (part.includes("*")) {
        const re = patternRegExp(part);
        for (const name of this.indices.keys()) if (re.test(name)) out.add(name);
        if (allowAliases)
          for (const entry of this.indices.values())
            for (const a of Object.keys(entry.aliases))
              if (re.test(a)) for (const t of this.aliasTargets(a)) out.add(t);
        continue;
      }
      if (this.indices.has(part)) {
        out.add(part);
        continue;
      }
      const targets = allowAliases ? this.aliasTargets(part) : [];
      if (!targets.length) throw indexNotFound(part);
      for (const t of targets) out.add(t);
    }
    return [...out].sort();
  }

  // ---- cluster ---------------------------------------------------------------

  health(): Record<string, unknown> {
    const open = [...this.indices.values()].filter((e) => e.shard);
    const anyReplicas = open.some((e) => Number(e.settings["index.number_of_replicas"] ?? 1) > 0);
    return {
      cluster_name: "lodestone",
      status: anyReplicas ? "yellow" : "green",
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      discovered_master: true,
      active_primary_shards: open.length,
      active_shards: open.length,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: open.reduce((n, e) => n + Number(e.settings["index.number_of_replicas"] ?? 1), 0),
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: open.length ? 100 : 100,
    };
  }

  indexHealth(entry: IndexEntry): string {
    if (!entry.shard) return "red";
    return Number(entry.settings["index.number_of_replicas"] ?? 1) > 0 ? "yellow" : "green";
  }
}

type IndexOp = Extract<WriteOp, { op: "index" }>;

function pipelinesNeedAsync(index: string): EngineError {
  return illegalArgument(
    `writes to [${index}] run ingest pipelines (a pipeline parameter, index.default_pipeline or index.final_pipeline); use the REST API or SearchEngine.indexAsync / bulkAsync, which run them`,
  );
}

/** The bulk item of an action settled before writing: its error, or a noop when a pipeline dropped it. */
function settledItem(a: BulkAction): Record<string, unknown> {
  if (a.error) return { _index: a.index, _id: a.id ?? null, status: a.status ?? 400, error: a.error };
  // OpenSearch answers a dropped document as a noop with version -3 (MATCH_ANY) and no shards
  return {
    _index: a.index,
    _id: a.id ?? null,
    _version: -3,
    result: "noop",
    _shards: { total: 0, successful: 0, failed: 0 },
    status: 200,
  };
}

function ingestView(
  name: string,
  settings: FlatSettings,
  fields: Map<string, FieldMapping>,
): IngestIndexView {
  return {
    name,
    settings,
    vectorDimension: (path) => {
      const field = fields.get(path);
      return field?.type === "knn_vector" ? field.dimension : undefined;
    },
  };
}

function newDocId(): string {
  return randomBytes(15).toString("base64url");
}

function listOf(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
}

function patternRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
}

function stringifyFlat(flat: FlatSettings): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(flat).map(([k, v]) => [
      k,
      typeof v === "number" || typeof v === "boolean" ? String(v) : v,
    ]),
  );
}

function parseAliasesBody(aliases: unknown): Record<string, Record<string, unknown>> {
  if (aliases === undefined) return {};
  if (!isObject(aliases)) throw illegalArgument("[aliases] must be an object of alias name → definition");
  const out: Record<string, Record<string, unknown>> = {};
  for (const [name, def] of Object.entries(aliases)) {
    validateIndexName(name);
    out[name] = isObject(def) ? def : {};
  }
  return out;
}

export function validateIndexName(name: string): void {
  const why = indexNameProblem(name);
  if (why)
    throw new EngineError(400, "invalid_index_name_exception", `Invalid index name [${name}], ${why}`, {
      index_uuid: "_na_",
      index: name,
    });
}
