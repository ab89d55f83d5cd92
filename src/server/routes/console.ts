/**
 * The web console (web/): `GET /` redirects to `/console/`, which serves web/index.html, the
 * stylesheet, and the console's TypeScript modules transpiled on request with esbuild (cached by
 * file mtime — no build step for users), plus uPlot from node_modules. Only files under web/ with
 * a known extension and the named vendor files are served.
 *
 * `/console/api/search/*` passes a request through to this platform's own search API (method,
 * path, query and body), so the console talks to one origin and the platform's API key guards
 * both; it never opens any other URL.
 */
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { transform } from "esbuild";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { LodestoneError, notFound } from "../../common/errors.ts";
import type { Platform } from "../platform-types.ts";

const WEB_ROOT = fileURLToPath(new URL("../../../web/", import.meta.url));
/** The console page (its inline script is allowed by hash in the Content-Security-Policy). */
export const CONSOLE_INDEX = path.join(WEB_ROOT, "index.html");
const UPLOT_DIST = fileURLToPath(new URL("../../../node_modules/uplot/dist/", import.meta.url));
export const SEARCH_PASS_THROUGH = "/console/api/search";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".ts": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};
/** Vendor files by the name the console asks for (served immutable: the file changes only with npm). */
const VENDOR: Record<string, string> = {
  "uPlot.esm.js": path.join(UPLOT_DIST, "uPlot.esm.js"),
  "uPlot.min.css": path.join(UPLOT_DIST, "uPlot.min.css"),
};

/** A transpiled module, valid while the source's mtime and size are unchanged. */
const transpiled = new Map<string, { stamp: string; code: string }>();

/** The file under web/ that `rel` names, or undefined (traversal, dotfiles, unknown types). */
function webFile(rel: string): string | undefined {
  if (rel.split("/").some((part) => part === ".." || part.startsWith("."))) return undefined;
  const file = path.resolve(WEB_ROOT, rel === "" ? "index.html" : rel);
  if (!file.startsWith(WEB_ROOT) || !(path.extname(file) in CONTENT_TYPES)) return undefined;
  // TypeScript is served only from web/src, so web/tsconfig.json and tests stay private
  if (file.endsWith(".ts") && !file.startsWith(path.join(WEB_ROOT, "src") + path.sep)) return undefined;
  return file;
}

async function fileBody(file: string, stat: fs.Stats): Promise<string | Buffer> {
  if (!file.endsWith(".ts")) return fs.promises.readFile(file);
  const stamp = `${stat.mtimeMs}:${stat.size}`;
  const cached = transpiled.get(file);
  if (cached?.stamp === stamp) return cached.code;
  const source = await fs.promises.readFile(file, "utf8");
  const { code } = await transform(source, {
    loader: "ts",
    format: "esm",
    target: "es2022",
    sourcefile: path.relative(WEB_ROOT, file),
    sourcemap: "inline",
  });
  transpiled.set(file, { stamp, code });
  return code;
}

/** Sends a file with its type and an mtime ETag; the browser revalidates console files each load. */
async function sendFile(request: FastifyRequest, reply: FastifyReply, file: string, immutable: boolean) {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    throw notFound("NotFound", `no console file ${request.url.split("?")[0]}`);
  }
  if (!stat.isFile()) throw notFound("NotFound", `no console file ${request.url.split("?")[0]}`);
  const etag = `"${Math.round(stat.mtimeMs).toString(36)}-${stat.size.toString(36)}"`;
  reply
    .header("content-type", CONTENT_TYPES[path.extname(file)])
    .header("cache-control", immutable ? "public, max-age=86400" : "no-cache")
    .header("etag", etag)
    .header("x-content-type-options", "nosniff");
  if (request.headers["if-none-match"] === etag) return reply.code(304).send();
  return reply.send(await fileBody(file, stat));
}

/** Hop-by-hop and length headers are the transport's business, not the pass-through's. */
const DROPPED_HEADERS = new Set(["connection", "keep-alive", "transfer-encoding", "content-length"]);

function searchPassThrough(app: FastifyInstance, platform: Platform): void {
  // Its own scope: bodies arrive raw (JSON, NDJSON for _bulk) and go on unparsed.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_req, body, done) => done(null, body));
    scope.all(
      `${SEARCH_PASS_THROUGH}/*`,
      { bodyLimit: platform.config.limits.searchBodyBytes },
      async (request, reply) => {
        if (!platform.searchUrl)
          throw new LodestoneError(503, "SearchUnavailable", "the search API is not up yet");
        const [rawPath = "", query] = request.url.slice(SEARCH_PASS_THROUGH.length).split(/\?(.*)/s);
        // the path stays on the search API: no scheme, host or dot segments can be smuggled in
        const target = new URL(platform.searchUrl);
        target.pathname = rawPath || "/";
        target.search = query ? `?${query}` : "";
        const body = request.body as Buffer | undefined;
        const contentType = request.headers["content-type"];
        const payload = body && body.length > 0 ? body : undefined;
        const headers: Record<string, string | number> = contentType ? { "content-type": contentType } : {};
        // the caller's key goes on: the search API checks it (and its scope) as the platform did
        for (const name of ["authorization", "x-api-key"]) {
          const value = request.headers[name];
          if (typeof value === "string") headers[name] = value;
        }
        // an explicit length: node would not frame a body of a GET or DELETE otherwise
        if (payload) headers["content-length"] = payload.length;
        // node:http, not fetch: no time limit (tuning answers when done, which may take minutes),
        // and the answer streams through
        const upstream = await new Promise<http.IncomingMessage>((resolve, reject) => {
          const forward = http.request(target, { method: request.method, headers }, resolve);
          forward.on("error", (err) =>
            reject(
              new LodestoneError(502, "SearchUnavailable", `the search API did not answer: ${err.message}`),
            ),
          );
          forward.end(payload);
        });
        reply.code(upstream.statusCode ?? 502);
        for (const [name, value] of Object.entries(upstream.headers)) {
          if (value !== undefined && !DROPPED_HEADERS.has(name)) reply.header(name, value);
        }
        return reply.send(upstream);
      },
    );
  });
}

export function consoleRoutes(app: FastifyInstance, platform: Platform): void {
  app.get("/", async (_request, reply) => reply.redirect("/console/"));
  app.get("/console", async (_request, reply) => reply.redirect("/console/"));
  app.get("/console/vendor/:name", async (request, reply) => {
    const file = VENDOR[(request.params as { name: string }).name];
    if (!file) throw notFound("NotFound", `no console file ${request.url.split("?")[0]}`);
    return sendFile(request, reply, file, true);
  });
  app.get("/console/*", async (request, reply) => {
    // the router has already decoded the path once: decoding again would misread "%25"
    const rel = (request.params as { "*": string })["*"];
    const file = webFile(rel);
    if (!file) throw notFound("NotFound", `no console file ${request.url.split("?")[0]}`);
    return sendFile(request, reply, file, false);
  });
  searchPassThrough(app, platform);
}
