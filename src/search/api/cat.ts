/** `_cat` APIs: aligned text tables (with `?v` headers, `?h` columns, `?s` sort) or JSON with `?format=json`. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { SearchEngine } from "../engine.ts";
import { checkParams, send } from "./http.ts";
import { NODE_NAME, OPENSEARCH_VERSION } from "./identity.ts";

type Row = Record<string, string>;
type Req = FastifyRequest<{ Params: Record<string, string> }>;

const CAT_PARAMS = ["v", "h", "s", "help", "bytes", "time", "health", "pri", "include_unloaded_segments"];

/** `columns` are the ones `?h` may pick; `defaults` those shown without it. */
function render(req: Req, reply: FastifyReply, columns: string[], rows: Row[], defaults = columns) {
  const q = checkParams(req, CAT_PARAMS);
  const wanted = q.h ? q.h.split(",").filter((c) => columns.includes(c)) : defaults;
  if (q.s) {
    const [key = "", dir] = q.s.split(":");
    rows.sort((a, b) => {
      const x = a[key] ?? "";
      const y = b[key] ?? "";
      const cmp =
        Number.isFinite(Number(x)) && Number.isFinite(Number(y)) ? Number(x) - Number(y) : x.localeCompare(y);
      return dir === "desc" ? -cmp : cmp;
    });
  }
  if (q.format === "json")
    return send(
      reply,
      req,
      rows.map((r) => Object.fromEntries(wanted.map((c) => [c, r[c] ?? null]))),
    );
  const table = q.v !== undefined ? [Object.fromEntries(wanted.map((c) => [c, c])), ...rows] : rows;
  const widths = wanted.map((c) => Math.max(...table.map((r) => (r[c] ?? "").length)));
  const text = table
    .map((r) =>
      wanted
        .map((c, i) => (r[c] ?? "").padEnd(widths[i] as number))
        .join(" ")
        .trimEnd(),
    )
    .join("\n");
  return reply
    .code(200)
    .header("content-type", "text/plain; charset=UTF-8")
    .send(text ? `${text}\n` : "");
}

function bytes(n: number): string {
  if (n < 1024) return `${n}b`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)}kb`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)}mb`;
  return `${(n / 1024 ** 3).toFixed(1)}gb`;
}

export function catRoutes(app: FastifyInstance, engine: SearchEngine): void {
  const indices = (req: Req, reply: FastifyReply) => {
    const names = engine.resolveIndexNames(req.params.index ?? "_all", { wildcardMatchRequired: false });
    const rows = names.map((name) => {
      const entry = engine.indices.get(name);
      const shard = entry?.shard;
      const size = shard ? bytes(shard.storeBytes) : "";
      return {
        health: entry ? engine.indexHealth(entry) : "red",
        status: shard ? "open" : "close",
        index: name,
        uuid: entry?.row.uuid ?? "",
        pri: "1",
        rep: String(entry?.settings["index.number_of_replicas"] ?? 1),
        "docs.count": shard ? String(shard.docCount) : "",
        "docs.deleted": shard ? String(shard.deletedCount) : "",
        "store.size": size,
        "pri.store.size": size,
      };
    });
    return render(
      req,
      reply,
      [
        "health",
        "status",
        "index",
        "uuid",
        "pri",
        "rep",
        "docs.count",
        "docs.deleted",
        "store.size",
        "pri.store.size",
      ],
      rows,
    );
  };
  app.get("/_cat/indices", indices);
  app.get("/_cat/indices/:index", indices);
  app.get("/_cat/health", (req: Req, reply) => {
    const h = engine.health();
    const now = new Date();
    return render(
      req,
      reply,
      [
        "epoch",
        "timestamp",
        "cluster",
        "status",
        "node.total",
        "node.data",
        "shards",
        "pri",
        "relo",
        "init",
        "unassign",
        "pending_tasks",
        "active_shards_percent",
      ],
      [
        {
          epoch: String(Math.floor(now.getTime() / 1000)),
          timestamp: now.toISOString().slice(11, 19),
          cluster: String(h.cluster_name),
          status: String(h.status),
          "node.total": "1",
          "node.data": "1",
          shards: String(h.active_shards),
          pri: String(h.active_primary_shards),
          relo: "0",
          init: "0",
          unassign: String(h.unassigned_shards),
          pending_tasks: "0",
          active_shards_percent: "100.0%",
        },
      ],
    );
  });
  app.get("/_cat/aliases", (req: Req, reply) => {
    const rows: Row[] = [];
    for (const [index, entry] of engine.indices) {
      for (const [alias, def] of Object.entries(entry.aliases)) {
        rows.push({
          alias,
          index,
          filter: def.filter ? "*" : "-",
          "routing.index": "-",
          "routing.search": "-",
          is_write_index: def.is_write_index === undefined ? "-" : String(def.is_write_index),
        });
      }
    }
    return render(
      req,
      reply,
      ["alias", "index", "filter", "routing.index", "routing.search", "is_write_index"],
      rows,
    );
  });
  const count = (req: Req, reply: FastifyReply) => {
    const res = engine.count(req.params.index ?? "_all", undefined);
    const now = new Date();
    return render(
      req,
      reply,
      ["epoch", "timestamp", "count"],
      [
        {
          epoch: String(Math.floor(now.getTime() / 1000)),
          timestamp: now.toISOString().slice(11, 19),
          count: String(res.count),
        },
      ],
    );
  };
  app.get("/_cat/count", count);
  app.get("/_cat/count/:index", count);
  app.get("/_cat/plugins", (req: Req, reply) => {
    // bundled plugins carry the release's version plus a fourth part, as OpenSearch's do
    const version = `${OPENSEARCH_VERSION}.0`;
    const rows = bundledPlugins(engine).map(([component, description]) => ({
      name: NODE_NAME,
      component,
      version,
      description,
    }));
    return render(req, reply, ["name", "component", "version", "description"], rows, [
      "name",
      "component",
      "version",
    ]);
  });
}

/**
 * The OpenSearch plugins whose APIs the engine implements. Neural search and ML Commons need a
 * model service (the platform's endpoints), so a bare engine lists only k-NN.
 */
function bundledPlugins(engine: SearchEngine): Array<[component: string, description: string]> {
  const plugins: Array<[string, string]> = [["opensearch-knn", "knn_vector fields and knn queries"]];
  if (hasModelService(engine))
    plugins.push(
      ["opensearch-ml", "ML Commons model APIs backed by Lodestone endpoints"],
      ["opensearch-neural-search", "neural and hybrid queries, normalization and rerank pipelines"],
    );
  return plugins;
}

function hasModelService(engine: SearchEngine): boolean {
  try {
    return engine.models !== undefined;
  } catch {
    return false;
  }
}
