/** The model service as RAG apps see it (src/rag/models.ts), over the platform's registry and endpoints. */
import { isLodestoneError, LodestoneError, notFound } from "../common/errors.ts";
import type { ModelInfo, RagModels } from "../rag/models.ts";
import { ANSWERER_MODEL } from "../serving/answerer.ts";
import { bm25Scores } from "../serving/bm25-lite.ts";
import type { ChatProvider } from "../serving/chat-types.ts";
import { ConnectorError } from "../serving/connectors/http.ts";
import type { EndpointManager } from "../serving/endpoints.ts";
import type { ModelRecord, ModelRegistry } from "../serving/registry.ts";

const info = (model: ModelRecord): ModelInfo => ({
  kind: model.kind,
  name: model.name,
  dimension: typeof model.config.dimension === "number" ? model.config.dimension : null,
});

/** An upstream's failure as the 502/504 our clients get, instead of an internal error. */
const upstream = (err: unknown) => (err instanceof ConnectorError ? err.toLodestoneError() : err);

function upstreamErrors(provider: ChatProvider): ChatProvider {
  return {
    name: provider.name,
    complete: (req) => provider.complete(req).catch((err) => Promise.reject(upstream(err))),
    async *stream(req) {
      try {
        yield* provider.stream(req);
      } catch (err) {
        throw upstream(err);
      }
    },
  };
}

export function ragModels(registry: ModelRegistry, endpoints: EndpointManager): RagModels {
  return {
    describe(ref, param) {
      try {
        if (ref.startsWith("ep-")) return info(registry.get(endpoints.get(ref).modelId));
      } catch (err) {
        if (isLodestoneError(err)) throw new LodestoneError(err.status, err.code, err.message, param);
        throw err;
      }
      const model = registry.find(ref) ?? registry.latestByName(ref);
      if (!model)
        throw notFound(
          "model_not_found",
          `no endpoint or model ${ref}; list them with GET /v1/endpoints`,
          param,
        );
      return info(model);
    },
    async rerank(ref, query, texts) {
      const served = endpoints.resolve(ref, "rerank.model_id");
      // the same lexical feature POST /v1/rerank gives the reranker
      const bm25 = bm25Scores(query, texts);
      return endpoints.rerank(
        served,
        query,
        texts.map((text, i) => ({ text, bm25: bm25[i] as number })),
      );
    },
    chat(ref) {
      return upstreamErrors(endpoints.chat(endpoints.resolve(ref ?? ANSWERER_MODEL, "llm.model_id")));
    },
  };
}
