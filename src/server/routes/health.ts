import type { FastifyInstance } from "fastify";
import type { Platform } from "../platform-types.ts";

export function healthRoutes(app: FastifyInstance, platform: Platform): void {
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
}
