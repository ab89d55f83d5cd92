import fs from "node:fs";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { createBackend, registerOwnKey, type SearchBackend } from "../backends/index.ts";
import { assertWritableDir } from "../common/storage-faults.ts";
import { configureOutbound } from "../common/url-policy.ts";
import { dataLayout } from "../config/layout.ts";
import type { LodestoneConfig } from "../config/schema.ts";
import { JOB_BUILTINS } from "../jobs/builtin/index.ts";
import { JobStore } from "../jobs/job-store.ts";
import { JobRunner } from "../jobs/runner.ts";
import { ScriptRegistry } from "../jobs/scripts.ts";
import { RagService } from "../rag/service.ts";
import { RECOMMEND_BUILTINS } from "../recommend/builtins.ts";
import { RecommendService } from "../recommend/service.ts";
import { NODE_NAME } from "../search/api/identity.ts";
import { buildSearchApp } from "../search/api/server.ts";
import { SearchEngine } from "../search/engine.ts";
import { EndpointManager } from "../serving/endpoints.ts";
import { MlCommons } from "../serving/ml-commons.ts";
import { MlConnectorStore } from "../serving/ml-connectors.ts";
import { MlTaskStore } from "../serving/ml-tasks.ts";
import { ModelRegistry } from "../serving/registry.ts";
import { PlatformSearchModels } from "../serving/search-models.ts";
import { BackgroundCheckpointer } from "../state/checkpointer.ts";
import { openDatabase } from "../state/db.ts";
import { LocalObjectStore } from "../storage/local-store.ts";
import { TRAINING_BUILTINS } from "../training-jobs/index.ts";
import { buildApp } from "./app.ts";
import { generateKey, installSearchAuth, KeyGuard } from "./auth.ts";
import { installBrowserSecurity } from "./browser-security.ts";
import { instrumentHttp } from "./metrics/http.ts";
import { PlatformMetrics } from "./metrics/platform-metrics.ts";
import type { Platform } from "./platform-types.ts";
import { ragModels } from "./rag-models.ts";
import { mlCommonsRoutes } from "./routes/ml-commons.ts";
import { tuneRoutes } from "./routes/tune.ts";
import { VERSION } from "./version.ts";

export interface RunningPlatform {
  platform: Platform;
  app: FastifyInstance;
  /** The search API's server (tests enumerate its routes). */
  searchApp: FastifyInstance;
  /** The URL the API listens on. */
  url: string;
  /** The URL of the Elasticsearch/OpenSearch-compatible API. */
  searchUrl: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logFile?: string;
}

/** How often the WAL checkpoint thread copies committed pages back into the databases. */
const CHECKPOINT_INTERVAL_MS = 1000;

/** Opens the data directory, wires every service, recovers jobs and starts listening. */
export async function startPlatform(
  config: LodestoneConfig,
  opts: StartOptions = {},
): Promise<RunningPlatform> {
  const layout = dataLayout(config.dataDir);
  assertWritableDir(layout.root);
  const db = openDatabase(layout.dbFile);
  const objects = new LocalObjectStore(layout.ossRoot, { maxObjectBytes: config.limits.objectBytes });
  const scripts = new ScriptRegistry();
  for (const script of [...JOB_BUILTINS, ...TRAINING_BUILTINS, ...RECOMMEND_BUILTINS])
    scripts.register(script);
  const jobStore = new JobStore(db);
  const jobs = new JobRunner({
    store: jobStore,
    objects,
    scripts,
    jobsRoot: layout.jobsRoot,
    concurrency: config.jobs.concurrency,
    stopGraceMs: config.jobs.stopGraceMs,
    // derived data jobs may rebuild, e.g. the GloVe vectors' binary cache
    env: { LODESTONE_CACHE_DIR: layout.cacheDir },
  });
  jobs.recover();
  const search = await SearchEngine.open({ dataDir: layout.searchDir });
  const models = new ModelRegistry(db, objects, layout.modelsDir);
  const connectors = new MlConnectorStore(db);
  const metrics = new PlatformMetrics();
  const endpoints = new EndpointManager(db, models, {
    cacheDir: layout.cacheDir,
    connectorKey: (id) => connectors.apiKey(id),
    observeCall: metrics.observeModelCall,
  });
  endpoints.restore();
  const searchModels = new PlatformSearchModels(models, endpoints);
  search.useModels(searchModels);
  const mlTasks = new MlTaskStore(db);
  mlTasks.recover();
  const ml = new MlCommons({
    registry: models,
    endpoints,
    models: searchModels,
    tasks: mlTasks,
    connectors,
    node: NODE_NAME,
  });
  // RAG apps search through the configured backend (the embedded engine's port, or a cluster),
  // known once both servers listen
  let ragBackend: SearchBackend | undefined;
  const rag = new RagService(
    db,
    () => {
      if (!ragBackend) throw new Error("the search backend is not ready: the platform is still starting");
      return ragBackend;
    },
    ragModels(models, endpoints),
  );
  let warn = (message: string) => console.warn(message);
  // the platform's own key, for its jobs and its own calls to the search API (in memory only)
  const internalApiKey = generateKey();
  const recommend = new RecommendService({
    db,
    config,
    root: layout.recommendDir,
    dataDir: layout.root,
    objects,
    jobs,
    embeddedUrl: () => platform.searchUrl,
    warn: (message) => warn(message),
  });
  const platform: Platform = {
    version: VERSION,
    config,
    layout,
    db,
    objects,
    scripts,
    jobStore,
    jobs,
    search,
    models,
    endpoints,
    internalApiKey,
    rag,
    recommend,
  };
  if (opts.logFile) fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  configureOutbound(config.outbound.allowedHosts);
  const guard = new KeyGuard(platform);
  const app = buildApp(platform, { ...opts, metrics, guard });
  warn = (message) => app.log.warn(message);
  const searchApp = buildSearchApp(search, {
    bodyLimit: config.limits.searchBodyBytes,
    version: VERSION,
    logger: app.log,
    instrument: (searchServer) => instrumentHttp(searchServer, metrics.http, "search"),
    plugins: (searchServer) => {
      installBrowserSecurity(searchServer, { allowedOrigins: config.cors.allowedOrigins });
      installSearchAuth(searchServer, platform, guard);
      mlCommonsRoutes(searchServer, ml);
      tuneRoutes(searchServer);
    },
  });
  let address: string;
  let searchAddress: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
    searchAddress = await searchApp.listen({ host: config.host, port: config.searchPort });
  } catch (err) {
    await app.close();
    await searchApp.close();
    await endpoints.close();
    await search.close();
    db.close();
    metrics.close();
    throw err;
  }
  const loopback = (a: string) => a.replace("://0.0.0.0", "://127.0.0.1").replace("://[::]", "://127.0.0.1");
  const url = loopback(address);
  const searchUrl = loopback(searchAddress);
  platform.searchUrl = searchUrl;
  // the search API asks for a key when the platform does: the platform's modules send its own
  const forgetOwnKey = registerOwnKey(searchUrl, platform.internalApiKey);
  ragBackend = createBackend(config.search, { embeddedUrl: searchUrl, platformUrl: url });
  jobs.start({ LODESTONE_API_URL: url, LODESTONE_API_KEY: platform.internalApiKey });
  recommend.start();
  // commits on the serving thread no longer stop for WAL checkpoints (state/checkpointer.ts)
  const checkpointer = new BackgroundCheckpointer(CHECKPOINT_INTERVAL_MS, (message) => warn(message));
  checkpointer.attach(db);
  checkpointer.attach(search.store.db);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await app.close();
      await recommend.close();
      forgetOwnKey();
      await searchApp.close();
      await ragBackend?.close();
      await ml.close();
      await jobs.close();
      await endpoints.close();
      await checkpointer.close();
      await search.close();
      db.close();
      metrics.close();
    })();
    return closing;
  };
  return { platform, app, searchApp, url, searchUrl, close };
}
