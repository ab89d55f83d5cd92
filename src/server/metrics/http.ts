/**
 * Request metrics for a Fastify app (the platform's or the search port's): a counter and a latency
 * histogram per route pattern, method and status class, and requests in flight. Also runs each
 * request inside its request context, so downstream calls carry its id (common/request-context).
 */
import type { FastifyInstance } from "fastify";
import type { Counter, Gauge, Histogram, MetricsRegistry } from "../../common/metrics.ts";
import { runInRequest } from "../../common/request-context.ts";

export type ServerName = "platform" | "search";

export interface HttpMetrics {
  requests: Counter;
  duration: Histogram;
  inFlight: Gauge;
}

/** Routes no handler matched share one label, so scanners cannot blow up the series count. */
export const UNMATCHED_ROUTE = "<unmatched>";

export function httpMetrics(registry: MetricsRegistry): HttpMetrics {
  const labelNames = ["server", "method", "route", "status"];
  return {
    requests: registry.counter({
      name: "lodestone_http_requests_total",
      help: "HTTP requests answered, by server, method, route pattern and status class (2xx, 4xx, 5xx).",
      labelNames,
    }),
    duration: registry.histogram({
      name: "lodestone_http_request_duration_seconds",
      help: "Time from receiving a request to the end of its response, by server, method, route pattern and status class.",
      labelNames,
    }),
    inFlight: registry.gauge({
      name: "lodestone_http_requests_in_flight",
      help: "Requests received and not yet answered, by server.",
      labelNames: ["server"],
    }),
  };
}

export function instrumentHttp(app: FastifyInstance, metrics: HttpMetrics, server: ServerName): void {
  metrics.inFlight.set({ server }, 0);
  app.addHook("onRequest", (request, reply, done) => {
    metrics.inFlight.inc({ server });
    // "close" comes once per response, also when the client goes away before the end
    reply.raw.once("close", () => metrics.inFlight.dec({ server }));
    runInRequest(request.id, done);
  });
  app.addHook("onResponse", async (request, reply) => {
    const labels = {
      server,
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status: `${Math.floor(reply.statusCode / 100)}xx`,
    };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
  });
}
