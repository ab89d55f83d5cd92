/**
 * What browsers are told: security headers on every answer (the console's pages get a
 * Content-Security-Policy that allows only its own scripts, styles and API, and may not be
 * framed), and CORS for the origins the config lists — never a wildcard. Installed before the key
 * check, so that a preflight (which carries no key) is answered.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** The console's inline import map, the one inline script its page has, allowed by its hash. */
function inlineScriptHashes(indexHtml: string | undefined): string[] {
  if (!indexHtml || !fs.existsSync(indexHtml)) return [];
  const html = fs.readFileSync(indexHtml, "utf8");
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] as string)
        .digest("base64")}'`,
  );
}

export function consoleCsp(indexHtml?: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' ${inlineScriptHashes(indexHtml).join(" ")}`.trim(),
    // uPlot positions its elements with inline styles
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export interface BrowserSecurityOptions {
  /** Origins (scheme://host[:port]) that may call the API from a browser; exact matches only. */
  allowedOrigins: readonly string[];
  /** The console's index.html (for the hash of its inline import map); none on the search port. */
  consoleIndex?: string;
}

const ALLOWED_HEADERS = "authorization, content-type, x-api-key, x-request-id, x-opaque-id";
const ALLOWED_METHODS = "GET, HEAD, POST, PUT, DELETE";

export function installBrowserSecurity(app: FastifyInstance, opts: BrowserSecurityOptions): void {
  const origins = new Set(opts.allowedOrigins.map((o) => o.replace(/\/+$/, "").toLowerCase()));
  const csp = opts.consoleIndex ? consoleCsp(opts.consoleIndex) : undefined;
  const allowedOrigin = (request: FastifyRequest): string | undefined => {
    const origin = request.headers.origin;
    return typeof origin === "string" && origins.has(origin.toLowerCase()) ? origin : undefined;
  };
  const corsHeaders = (reply: FastifyReply, origin: string) =>
    reply
      .header("access-control-allow-origin", origin)
      .header("access-control-allow-credentials", "true")
      .header("access-control-expose-headers", "x-request-id, retry-after");

  app.addHook("onRequest", async (request, reply) => {
    const origin = allowedOrigin(request);
    if (request.method === "OPTIONS" && origin && request.headers["access-control-request-method"]) {
      corsHeaders(reply, origin)
        .header("access-control-allow-methods", ALLOWED_METHODS)
        .header("access-control-allow-headers", ALLOWED_HEADERS)
        .header("access-control-max-age", "600")
        .header("vary", "Origin");
      return reply.code(204).send();
    }
  });
  app.addHook("onSend", async (request, reply, payload) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-frame-options", "DENY");
    const route = request.routeOptions.url ?? "";
    if (csp && (route === "/" || route.startsWith("/console")) && !route.startsWith("/console/api")) {
      reply.header("content-security-policy", csp);
    }
    const origin = allowedOrigin(request);
    if (origin) corsHeaders(reply, origin);
    reply.header("vary", "Origin");
    return payload;
  });
}
