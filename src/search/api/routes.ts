/**
 * The Elasticsearch/OpenSearch REST surface, each route a thin mapping onto SearchEngine.
 * Paths, parameters, status codes and bodies follow OpenSearch 2.x / Elasticsearch 7.10.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { updateOp } from "../bulk.ts";
import type { ByQueryKind } from "../by-query.ts";
import type { SearchEngine } from "../engine.ts";
import { EngineError, errorBody, illegalArgument, isEngineError } from "../errors.ts";
import type { WriteResult } from "../index/shard.ts";
import { checkJsonDepth } from "../json-depth.ts";
import { isObject } from "../mapping.ts";
import { parseSourceFilter, type SourceFilter, sourceSpecOfParams } from "../query/source-filter.ts";
import { catRoutes } from "./cat.ts";
import { boolParam, checkParams, intQuery, jsonBody, rawBody, requireBody, send } from "./http.ts";
import { NODE_NAME, OPENSEARCH_VERSION } from "./identity.ts";
import { ingestRoutes } from "./ingest-routes.ts";
import { rankEvalRoutes } from "./rank-eval-routes.ts";
import { searchPipelineRoutes } from "./search-pipeline-routes.ts";

type Req = FastifyRequest<{ Params: Record<string, string> }>;

export interface SearchApiInfo {
  version: string;
}

/** The `_source` filter of a get or mget request's URL parameters. */
function sourceParams(q: Record<string, string>): SourceFilter {
  return parseSourceFilter(sourceSpecOfParams(q));
}

export function searchRoutes(app: FastifyInstance, engine: SearchEngine, info: SearchApiInfo): void {
  const root = (req: Req, reply: FastifyReply) =>
    send(reply, req, {
      name: NODE_NAME,
      cluster_name: "lodestone",
      cluster_uuid: engine.clusterUuid,
      version: {
        distribution: "opensearch",
        number: OPENSEARCH_VERSION,
        build_type: "lodestone",
        build_hash: info.version,
        build_date: "2026-01-01T00:00:00.000Z",
        build_snapshot: false,
        lucene_version: "8.7.0",
        minimum_wire_compatibility_version: "7.10.0",
        minimum_index_compatibility_version: "7.0.0",
      },
      tagline: "The OpenSearch Project: https://opensearch.org/",
    });
  app.get("/", root);
  app.head("/", (_req, reply) => reply.code(200).send());

  app.get("/_cluster/health", (req: Req, reply) => send(reply, req, engine.health()));
  app.get("/_cluster/health/:index", (req: Req, reply) => {
    engine.resolveIndexNames(req.params.index as string);
    return send(reply, req, engine.health());
  });
  catRoutes(app, engine);
  ingestRoutes(app, engine);
  searchPipelineRoutes(app, engine);
  rankEvalRoutes(app, engine);

  // ---- indices
  app.put("/:index", (req: Req, reply) => {
    checkParams(req, ["include_type_name"]);
    const result = engine.createIndex(req.params.index as string, jsonBody(req));
    return send(reply, req, result.body, 200, result.warnings);
  });
  app.get("/:index", (req: Req, reply) => {
    checkParams(req, ["include_defaults", "flat_settings"]);
    return send(reply, req, engine.getIndex(req.params.index as string));
  });
  app.head("/:index", (req: Req, reply) =>
    reply.code(engine.exists(req.params.index as string) ? 200 : 404).send(),
  );
  app.delete("/:index", (req: Req, reply) =>
    send(reply, req, engine.deleteIndex(req.params.index as string)),
  );

  const getMapping = (req: Req, reply: FastifyReply) =>
    send(reply, req, engine.getMapping(req.params.index ?? "_all"));
  app.get("/_mapping", getMapping);
  app.get("/:index/_mapping", getMapping);
  const putMapping = (req: Req, reply: FastifyReply) => {
    checkParams(req, ["write_index_only"]);
    return send(reply, req, engine.putMapping(req.params.index as string, requireBody(req, "mappings")));
  };
  app.put("/:index/_mapping", putMapping);
  app.post("/:index/_mapping", putMapping);

  const getSettings = (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, ["flat_settings", "include_defaults"]);
    return send(
      reply,
      req,
      engine.getSettings(req.params.index ?? "_all", {
        flat: boolParam(q.flat_settings),
        includeDefaults: boolParam(q.include_defaults),
      }),
    );
  };
  app.get("/_settings", getSettings);
  app.get("/:index/_settings", getSettings);
  const putSettings = (req: Req, reply: FastifyReply) => {
    checkParams(req, ["preserve_existing", "flat_settings"]);
    const result = engine.putSettings(req.params.index ?? "_all", requireBody(req, "settings"));
    return send(reply, req, result.body, 200, result.warnings);
  };
  app.put("/_settings", putSettings);
  app.put("/:index/_settings", putSettings);

  const indexAction =
    (action: (expr: string) => Record<string, unknown>) => (req: Req, reply: FastifyReply) => {
      checkParams(req, ["max_num_segments", "only_expunge_deletes", "flush", "force", "wait_if_ongoing"]);
      return send(reply, req, action(req.params.index ?? "_all"));
    };
  app.post(
    "/:index/_close",
    indexAction((e) => engine.closeIndex(e)),
  );
  app.post(
    "/:index/_open",
    indexAction((e) => engine.openIndex(e)),
  );
  for (const method of ["get", "post"] as const) {
    app[method](
      "/_refresh",
      indexAction((e) => engine.refresh(e)),
    );
    app[method](
      "/:index/_refresh",
      indexAction((e) => engine.refresh(e)),
    );
    app[method](
      "/_flush",
      indexAction((e) => engine.flush(e)),
    );
    app[method](
      "/:index/_flush",
      indexAction((e) => engine.flush(e)),
    );
  }
  app.post(
    "/_forcemerge",
    indexAction((e) => engine.forceMerge(e)),
  );
  app.post(
    "/:index/_forcemerge",
    indexAction((e) => engine.forceMerge(e)),
  );
  app.post(
    "/:index/_reload_search_analyzers",
    indexAction((e) => engine.reloadSearchAnalyzers(e)),
  );

  // ---- documents
  const WRITE_PARAMS = [
    "refresh",
    "op_type",
    "if_seq_no",
    "if_primary_term",
    "version",
    "version_type",
    "pipeline",
    "require_alias",
  ];
  const single = (req: Req, reply: FastifyReply, result: WriteResult) => {
    if (result.error) {
      throw new EngineError(
        result.status,
        result.error.type,
        result.error.reason,
        Object.fromEntries(Object.entries(result.error).filter(([k]) => k !== "type" && k !== "reason")),
      );
    }
    const { status, ...body } = result;
    return send(reply, req, body, status);
  };
  const indexDoc = (create: boolean) => async (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, WRITE_PARAMS);
    const body = requireBody(req, "document source");
    const result = await engine.indexAsync(
      req.params.index as string,
      {
        op: "index",
        id: req.params.id,
        source: body,
        create: create || q.op_type === "create",
        ifSeqNo: intQuery(q.if_seq_no, "if_seq_no"),
        ifPrimaryTerm: intQuery(q.if_primary_term, "if_primary_term"),
      },
      { pipeline: q.pipeline, refresh: q.refresh },
    );
    return single(req, reply, result);
  };
  app.put("/:index/_doc/:id", indexDoc(false));
  app.post("/:index/_doc/:id", indexDoc(false));
  app.post("/:index/_doc", indexDoc(false));
  app.put("/:index/_create/:id", indexDoc(true));
  app.post("/:index/_create/:id", indexDoc(true));

  const GET_PARAMS = [
    "_source",
    "_source_includes",
    "_source_excludes",
    "realtime",
    "refresh",
    "stored_fields",
  ];
  const getDoc = (sourceOnly: boolean) => (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, [...GET_PARAMS, "version"]);
    const { found, body } = engine.getDoc(req.params.index as string, req.params.id as string, {
      source: sourceParams(q),
    });
    if (req.method === "HEAD") return reply.code(found ? 200 : 404).send();
    if (sourceOnly) {
      if (!found)
        throw new EngineError(
          404,
          "resource_not_found_exception",
          `Document not found [${req.params.index}]/[${req.params.id}]`,
        );
      return send(reply, req, body._source);
    }
    return send(reply, req, body, found ? 200 : 404);
  };
  app.get("/:index/_doc/:id", getDoc(false));
  app.head("/:index/_doc/:id", getDoc(false));
  app.get("/:index/_source/:id", getDoc(true));
  const byQuery = (kind: ByQueryKind) => async (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, [
      "conflicts",
      "max_docs",
      "refresh",
      "scroll_size",
      "q",
      "df",
      "default_operator",
      "wait_for_completion",
      "requests_per_second",
      "slices",
      "timeout",
      "scroll",
      ...(kind === "update" ? ["pipeline"] : []),
    ]);
    const result = await engine.byQuery(kind, req.params.index as string, jsonBody(req), q);
    return send(reply, req, result.body, result.status);
  };
  app.post("/:index/_delete_by_query", byQuery("delete"));
  app.post("/:index/_update_by_query", byQuery("update"));
  const mget = (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, [...GET_PARAMS, "routing", "preference"]);
    return send(reply, req, engine.mget(jsonBody(req), req.params.index, sourceParams(q)));
  };
  app.get("/_mget", mget);
  app.post("/_mget", mget);
  app.get("/:index/_mget", mget);
  app.post("/:index/_mget", mget);
  app.delete("/:index/_doc/:id", (req: Req, reply) => {
    const q = checkParams(req, WRITE_PARAMS);
    const [result] = engine.write(
      req.params.index as string,
      [
        {
          op: "delete",
          id: req.params.id as string,
          ifSeqNo: intQuery(q.if_seq_no, "if_seq_no"),
          ifPrimaryTerm: intQuery(q.if_primary_term, "if_primary_term"),
        },
      ],
      q.refresh,
    );
    const r = result as WriteResult;
    if (r.result === "not_found") {
      const { status, ...body } = r;
      return send(reply, req, body, status);
    }
    return single(req, reply, r);
  });
  app.post("/:index/_update/:id", (req: Req, reply) => {
    const q = checkParams(req, [...WRITE_PARAMS, "retry_on_conflict", "_source"]);
    const body = requireBody(req, "update with doc or upsert");
    if (!isObject(body)) throw illegalArgument("update body must be an object with [doc] or [upsert]");
    for (const key of Object.keys(body)) {
      if (
        !["doc", "upsert", "doc_as_upsert", "detect_noop", "_source", "script", "scripted_upsert"].includes(
          key,
        )
      ) {
        throw new EngineError(400, "x_content_parse_exception", `[UpdateRequest] unknown field [${key}]`);
      }
    }
    if (body.script !== undefined)
      throw illegalArgument(
        "scripted updates are not supported by this engine; send a partial [doc] instead",
      );
    const [result] = engine.write(
      req.params.index as string,
      [
        updateOp(
          req.params.id as string,
          body,
          intQuery(q.if_seq_no, "if_seq_no"),
          intQuery(q.if_primary_term, "if_primary_term"),
        ),
      ],
      q.refresh,
    );
    return single(req, reply, result as WriteResult);
  });

  const bulk = async (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, [
      "refresh",
      "pipeline",
      "require_alias",
      "_source",
      "_source_includes",
      "_source_excludes",
    ]);
    return send(
      reply,
      req,
      await engine.bulkAsync(rawBody(req), {
        index: req.params.index,
        refresh: q.refresh,
        pipeline: q.pipeline,
      }),
    );
  };
  for (const method of ["post", "put"] as const) {
    app[method]("/_bulk", bulk);
    app[method]("/:index/_bulk", bulk);
  }

  // ---- search
  const SEARCH_PARAMS = [
    "q",
    "df",
    "default_operator",
    "analyzer",
    "size",
    "from",
    "sort",
    "_source",
    "_source_includes",
    "_source_excludes",
    "track_total_hits",
    "explain",
    "rest_total_hits_as_int",
    "search_type",
    "typed_keys",
    "request_cache",
    "allow_partial_search_results",
    "batched_reduce_size",
    "ccs_minimize_roundtrips",
    "scroll",
    "search_pipeline",
    "track_scores",
    "version",
    "seq_no_primary_term",
    "stored_fields",
    "terminate_after",
    "lenient",
    "min_score",
  ];
  const search = async (req: Req, reply: FastifyReply) => {
    const q = checkParams(req, SEARCH_PARAMS);
    if (q.scroll !== undefined)
      throw illegalArgument("scroll searches are not supported by this engine; page with from/size");
    const body = (jsonBody(req) ?? {}) as Record<string, unknown>;
    if (!isObject(body)) throw illegalArgument("search body must be a JSON object");
    const merged: Record<string, unknown> = { ...body };
    if (q.q !== undefined)
      merged.query = {
        query_string: {
          query: q.q,
          ...(q.df && { default_field: q.df }),
          ...(q.default_operator && { default_operator: q.default_operator }),
        },
      };
    if (q.size !== undefined) merged.size = intQuery(q.size, "size");
    if (q.from !== undefined) merged.from = intQuery(q.from, "from");
    if (q.sort !== undefined) merged.sort = q.sort.split(",");
    const source = sourceSpecOfParams(q);
    if (source !== undefined) merged._source = source;
    if (q.track_total_hits !== undefined)
      merged.track_total_hits =
        q.track_total_hits === "true"
          ? true
          : q.track_total_hits === "false"
            ? false
            : Number(q.track_total_hits);
    if (q.explain !== undefined) merged.explain = boolParam(q.explain);
    if (q.version !== undefined) merged.version = boolParam(q.version);
    if (q.seq_no_primary_term !== undefined) merged.seq_no_primary_term = boolParam(q.seq_no_primary_term);
    if (q.min_score !== undefined) merged.min_score = Number(q.min_score);
    return send(reply, req, await engine.searchAsync(req.params.index ?? "_all", merged, q));
  };
  for (const method of ["get", "post"] as const) {
    app[method]("/_search", search);
    app[method]("/:index/_search", search);
    const count = (req: Req, reply: FastifyReply) => {
      checkParams(req, [
        "q",
        "df",
        "default_operator",
        "analyzer",
        "min_score",
        "terminate_after",
        "lenient",
      ]);
      const q = req.query as Record<string, string>;
      const body = q.q !== undefined ? { query: { query_string: { query: q.q } } } : jsonBody(req);
      return send(reply, req, engine.count(req.params.index ?? "_all", body));
    };
    app[method]("/_count", count);
    app[method]("/:index/_count", count);
    const msearch = async (req: Req, reply: FastifyReply) => {
      checkParams(req, [
        "search_type",
        "max_concurrent_searches",
        "rest_total_hits_as_int",
        "typed_keys",
        "max_concurrent_shard_requests",
        "ccs_minimize_roundtrips",
      ]);
      return send(reply, req, await multiSearch(engine, rawBody(req), req.params.index));
    };
    app[method]("/_msearch", msearch);
    app[method]("/:index/_msearch", msearch);
    const analyze = (req: Req, reply: FastifyReply) => {
      checkParams(req, []);
      return send(reply, req, engine.analyze(req.params.index, requireBody(req, "text to analyze")));
    };
    app[method]("/_analyze", analyze);
    app[method]("/:index/_analyze", analyze);
    app[method]("/:index/_explain/:id", (req: Req, reply) => {
      checkParams(req, ["q", "df", "analyzer", "_source", "stored_fields"]);
      return send(
        reply,
        req,
        engine.explainDoc(req.params.index as string, req.params.id as string, requireBody(req, "query")),
      );
    });
  }

  // ---- aliases
  app.post("/_aliases", (req: Req, reply) =>
    send(reply, req, engine.updateAliases(requireBody(req, "alias actions"))),
  );
  const getAliases = (req: Req, reply: FastifyReply) =>
    send(reply, req, engine.getAliases(req.params.index ?? "_all", req.params.name));
  app.get("/_alias", getAliases);
  app.get("/_aliases", getAliases);
  app.get("/_alias/:name", getAliases);
  app.get("/:index/_alias", getAliases);
  app.get("/:index/_aliases", getAliases);
  app.get("/:index/_alias/:name", getAliases);
  app.head("/_alias/:name", (req: Req, reply) => {
    try {
      engine.getAliases("_all", req.params.name);
      return reply.code(200).send();
    } catch {
      return reply.code(404).send();
    }
  });
  const putAlias = (req: Req, reply: FastifyReply) => {
    const body = (jsonBody(req) ?? {}) as Record<string, unknown>;
    return send(
      reply,
      req,
      engine.updateAliases({
        actions: [{ add: { ...body, index: req.params.index, alias: req.params.name } }],
      }),
    );
  };
  for (const method of ["put", "post"] as const) {
    app[method]("/:index/_alias/:name", putAlias);
    app[method]("/:index/_aliases/:name", putAlias);
  }
  app.delete("/:index/_alias/:name", (req: Req, reply) =>
    send(
      reply,
      req,
      engine.updateAliases({ actions: [{ remove: { index: req.params.index, alias: req.params.name } }] }),
    ),
  );
}

async function multiSearch(
  engine: SearchEngine,
  raw: string,
  defaultIndex: string | undefined,
): Promise<Record<string, unknown>> {
  const started = performance.now();
  const lines = raw.split("\n").filter((l) => l.trim());
  if (lines.length % 2 !== 0)
    throw illegalArgument(
      "The msearch request must be pairs of header and body lines; found an odd number of lines",
    );
  const responses: unknown[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    try {
      let header: unknown;
      let body: unknown;
      try {
        checkJsonDepth(lines[i + 1] as string, `msearch body on line ${i + 2}`);
        header = JSON.parse(lines[i] as string);
        body = JSON.parse(lines[i + 1] as string);
      } catch (err) {
        throw new EngineError(400, "parse_exception", `msearch line ${i + 1}: ${(err as Error).message}`);
      }
      if (!isObject(header)) throw illegalArgument(`msearch header on line ${i + 1} must be an object`);
      const index =
        header.index === undefined
          ? defaultIndex
          : Array.isArray(header.index)
            ? header.index.join(",")
            : String(header.index);
      const params =
        typeof header.search_pipeline === "string" ? { search_pipeline: header.search_pipeline } : {};
      responses.push({ ...(await engine.searchAsync(index ?? "_all", body, params)), status: 200 });
    } catch (err) {
      if (!isEngineError(err)) throw err;
      responses.push({ ...errorBody(err) });
    }
  }
  return { took: Math.round(performance.now() - started), responses };
}
