import type { DataLayout } from "../config/layout.ts";
import type { LodestoneConfig } from "../config/schema.ts";
import type { JobStore } from "../jobs/job-store.ts";
import type { JobRunner } from "../jobs/runner.ts";
import type { ScriptRegistry } from "../jobs/scripts.ts";
import type { RagService } from "../rag/service.ts";
import type { RecommendService } from "../recommend/service.ts";
import type { SearchEngine } from "../search/engine.ts";
import type { EndpointManager } from "../serving/endpoints.ts";
import type { ModelRegistry } from "../serving/registry.ts";
import type { Db } from "../state/db.ts";
import type { ObjectStore } from "../storage/object-store.ts";

/** The services the routes are wired to. */
export interface Platform {
  version: string;
  config: LodestoneConfig;
  layout: DataLayout;
  db: Db;
  objects: ObjectStore;
  scripts: ScriptRegistry;
  jobStore: JobStore;
  jobs: JobRunner;
  search: SearchEngine;
  models: ModelRegistry;
  /** Jobs call the platform API with this key (generated at start, never stored). */
  internalApiKey: string;
  endpoints: EndpointManager;
  /** RAG apps (src/rag): retrieval through the configured search backend. */
  rag: RagService;
  /** AIRec-compatible recommendations (src/recommend). */
  recommend: RecommendService;
  /** Where the search API listens, once it does (GET /health reports it to clients). */
  searchUrl?: string;
}
