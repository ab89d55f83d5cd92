import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import { installAuth, type KeyGuard } from "./auth.ts";
import { installBrowserSecurity } from "./browser-security.ts";
import { installErrorHandling } from "./errors.ts";
import { instrumentHttp } from "./metrics/http.ts";
import { PlatformMetrics } from "./metrics/platform-metrics.ts";
import { metricsRoute } from "./metrics/route.ts";
import { logTraceIds } from "./metrics/trace-ids.ts";
import type { Platform } from "./platform-types.ts";
import { CONSOLE_INDEX, consoleRoutes } from "./routes/console.ts";
import { healthRoutes } from "./routes/health.ts";
import { inferenceRoutes } from "./routes/inference.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { modelRoutes } from "./routes/models.ts";
import { ossRoutes } from "./routes/oss.ts";
import { ragRoutes } from "./routes/rag.ts";
import { recommendRoutes } from "./routes/recommend.ts";

export interface AppOptions {
  /** Write structured logs to this file instead of stdout. */
  logFile?: string;
  /** The process's metrics, shared with the search port's app (a new set when absent). */
  metrics?: PlatformMetrics;
  /** The key policy, shared with the search port's app so a key has one rate limit (a new one when absent). */
  guard?: KeyGuard;
}

/** The platform API server: one Fastify app, one plugin of routes per service. */
export function buildApp(platform: Platform, opts: AppOptions = {}): FastifyInstance {
  const app = Fastify({
    logger: {
      level: platform.config.logLevel,
      ...(opts.logFile && { file: opts.logFile }),
      redact: ["req.headers.authorization", "req.headers['x-api-key']"],
    },
    bodyLimit: platform.config.limits.bodyBytes,
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { coerceTypes: "array", removeAdditional: false, allErrors: false } },
    // Keep `a/b/c` keys intact: the router must not treat %2F differently from "/".
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 2048 },
  });
  app.addHook("onSend", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  const metrics = opts.metrics ?? new PlatformMetrics();
  metrics.watch(platform);
  instrumentHttp(app, metrics.http, "platform");
  logTraceIds(app);
  installErrorHandling(app);
  installBrowserSecurity(app, {
    allowedOrigins: platform.config.cors.allowedOrigins,
    consoleIndex: CONSOLE_INDEX,
  });
  installAuth(app, platform, opts.guard);
  healthRoutes(app, platform);
  metricsRoute(app, metrics);
  ossRoutes(app, platform);
  jobRoutes(app, platform);
  modelRoutes(app, platform);
  inferenceRoutes(app, platform);
  ragRoutes(app, platform);
  recommendRoutes(app, platform.recommend);
  consoleRoutes(app, platform);
  return app;
}
