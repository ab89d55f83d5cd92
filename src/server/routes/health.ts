import fs from "node:fs";
import type { FastifyInstance } from "fastify";
import type { Platform } from "../platform-types.ts";

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Readiness: the database and data folder are writable, the search engine is open and its port
 * listens, the job runner has started, and the endpoints brought back at start have loaded
 * (Running or Failed; a Failed one is reported, it does not keep the server out of service).
 */
function readinessChecks(platform: Platform, restoring: Set<string>): Check[] {
  const checks: Check[] = [];
  const writable = (file: string) => {
    try {
      fs.accessSync(file, fs.constants.W_OK);
      return true;
    } catch {
      return false;
    }
  };
  const dbOk =
    platform.db.open &&
    !platform.db.readonly &&
    writable(platform.layout.dbFile) &&
    writable(platform.layout.root);
  checks.push({
    name: "database",
    ok: dbOk,
    detail: dbOk ? "open and writable" : `${platform.layout.dbFile} is closed or not writable`,
  });
  const engineOk = platform.search.store.db.open && platform.searchUrl !== undefined;
  checks.push({
    name: "search",
    ok: engineOk,
    detail: engineOk
      ? `open, listening on ${platform.searchUrl}`
      : "the search engine is closed or its port does not listen yet",
  });
  checks.push({
    name: "jobs",
    ok: platform.jobs.isRunning,
    detail: platform.jobs.isRunning ? "the job runner is started" : "the job runner has not started",
  });
  const loading: string[] = [];
  const failed: string[] = [];
  for (const id of restoring) {
    const status = platform.endpoints.list().find((e) => e.id === id)?.status;
    if (status === "Creating") loading.push(id);
    else {
      if (status === "Failed") failed.push(id);
      restoring.delete(id);
    }
  }
  checks.push({
    name: "endpoints",
    ok: loading.length === 0,
    detail: loading.length
      ? `still loading: ${loading.join(", ")}`
      : `restored${failed.length ? ` (failed: ${failed.join(", ")}; see GET /v1/endpoints)` : ""}`,
  });
  return checks;
}

export function healthRoutes(app: FastifyInstance, platform: Platform): void {
  // the endpoints restore() is bringing back as the app is built; new ones later do not count
  const restoring = new Set(
    platform.endpoints
      .list()
      .filter((e) => e.status === "Creating")
      .map((e) => e.id),
  );

  app.get("/health", async () => {
    const jobs = platform.jobStore.list({ limit: 0, offset: 0 }).total;
    return {
      status: "ok",
      version: platform.version,
      uptime_seconds: Math.round(process.uptime()),
      data_dir: platform.layout.root,
      search_url: platform.searchUrl,
      jobs,
    };
  });

  // liveness: the process answers; nothing else is asked, so a slow dependency never restarts it
  app.get("/health/live", async () => ({ status: "ok" }));

  app.get("/health/ready", async (_request, reply) => {
    const checks = readinessChecks(platform, restoring);
    const failing = checks.filter((c) => !c.ok).map((c) => c.name);
    return reply.code(failing.length ? 503 : 200).send({
      status: failing.length ? "unavailable" : "ready",
      failing,
      checks,
    });
  });
}
