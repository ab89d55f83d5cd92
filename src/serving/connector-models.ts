/**
 * Upstream models registered as connectors: an OpenAI-compatible chat server (DashScope
 * compatible mode, vLLM, Ollama, OpenAI), an OpenAI-compatible embeddings server (e.g. TEI or vLLM
 * serving bge), or a TEI/Cohere-style rerank server. The spec is stored with the model; the API
 * key is never stored — only the name of the environment variable that holds it.
 */
import { badRequest } from "../common/errors.ts";
import type { ChatProvider } from "./chat-types.ts";
import { ConnectorError } from "./connectors/http.ts";
import { OpenAiChatConnector } from "./connectors/openai-chat.ts";
import { OpenAiEmbeddingsConnector } from "./connectors/openai-embeddings.ts";
import { RerankConnector } from "./connectors/rerank.ts";

export const CONNECTOR_TYPES = ["openai-chat", "openai-embeddings", "rerank"] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

export interface ConnectorSpec {
  type: ConnectorType;
  base_url: string;
  /** The upstream's model id. */
  model: string;
  /** Environment variable holding the upstream API key (the key itself is never stored). */
  api_key_env?: string;
  /** Rerank servers: "tei" (POST /rerank {query, texts}) or "cohere" ({query, documents}). */
  style?: "tei" | "cohere";
  /** Embeddings: the dimension the user expects; checked against a probe call at registration. */
  dimensions?: number;
  timeout_ms?: number;
  /** Set when registered through an ML Commons connector: its key is kept with the connector. */
  connector_id?: string;
}

export type ConnectorClient =
  | { kind: "chat"; chat: ChatProvider }
  | { kind: "embedding"; embeddings: OpenAiEmbeddingsConnector }
  | { kind: "reranker"; rerank: RerankConnector };

export function connectorKind(type: ConnectorType): "chat" | "embedding" | "reranker" {
  return type === "openai-chat" ? "chat" : type === "openai-embeddings" ? "embedding" : "reranker";
}

/** `apiKey` (from an ML Commons connector's credential) takes the place of `api_key_env`. */
export function connectorClient(name: string, spec: ConnectorSpec, apiKey?: string): ConnectorClient {
  if (!(CONNECTOR_TYPES as readonly string[]).includes(spec.type))
    throw badRequest(
      "invalid_connector",
      `connector.type must be one of ${CONNECTOR_TYPES.join(", ")}`,
      "connector.type",
    );
  if (!/^https?:\/\//.test(spec.base_url))
    throw badRequest(
      "invalid_connector",
      "connector.base_url must be an http(s) URL such as http://host:8000/v1",
      "connector.base_url",
    );
  const key = apiKey ?? (spec.api_key_env ? process.env[spec.api_key_env] : undefined);
  if (spec.api_key_env && !key)
    throw badRequest(
      "invalid_connector",
      `environment variable ${spec.api_key_env} (connector.api_key_env) is not set in the server's environment`,
      "connector.api_key_env",
    );
  const common = {
    baseUrl: spec.base_url,
    model: spec.model,
    ...(key ? { apiKey: key } : {}),
    ...(spec.timeout_ms ? { timeoutMs: spec.timeout_ms } : {}),
  };
  if (spec.type === "openai-chat")
    return { kind: "chat", chat: new OpenAiChatConnector({ name, ...common }) };
  if (spec.type === "openai-embeddings")
    return { kind: "embedding", embeddings: new OpenAiEmbeddingsConnector(common) };
  return { kind: "reranker", rerank: new RerankConnector({ ...common, style: spec.style ?? "tei" }) };
}

/**
 * Checks an upstream answers before it is registered: embeddings report their dimension (which
 * must equal `dimensions` when given), rerank servers score two documents. Chat servers are not
 * called (a completion may cost money); their errors surface on first use.
 */
export async function probeConnector(
  client: ConnectorClient,
  spec: ConnectorSpec,
): Promise<{ dimension?: number }> {
  try {
    if (client.kind === "embedding") {
      const dimension = await client.embeddings.probe();
      if (spec.dimensions !== undefined && spec.dimensions !== dimension)
        throw badRequest(
          "dimension_mismatch",
          `connector.dimensions is ${spec.dimensions} but ${spec.base_url} returns ${dimension}-dimensional embeddings`,
          "connector.dimensions",
        );
      return { dimension };
    }
    if (client.kind === "reranker") await client.rerank.probe();
    return {};
  } catch (err) {
    if (err instanceof ConnectorError)
      throw badRequest(
        "connector_unreachable",
        `probing ${spec.base_url} failed: ${err.message}`,
        "connector.base_url",
      );
    throw err;
  }
}
