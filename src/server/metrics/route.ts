/** `GET /metrics`: the Prometheus text exposition of both servers' metrics (one process, one registry). */
import type { FastifyInstance } from "fastify";
import { EXPOSITION_CONTENT_TYPE } from "../../common/metrics.ts";
import type { PlatformMetrics } from "./platform-metrics.ts";

export function metricsRoute(app: FastifyInstance, metrics: PlatformMetrics): void {
  app.get("/metrics", async (_request, reply) =>
    reply.header("content-type", EXPOSITION_CONTENT_TYPE).send(await metrics.registry.expose()),
  );
}
