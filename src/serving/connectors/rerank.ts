/**
 * Cross-encoder rerankers on another server, two wire styles:
 * - `"tei"` (Hugging Face text-embeddings-inference): `POST {baseUrl}/rerank {query, texts}` →
 *   `[{index, score}]`; baseUrl is the server root, e.g. `http://host:8080`.
 * - `"cohere"` (Cohere, Jina, Infinity, vLLM): `POST {baseUrl}/rerank {model, query, documents,
 *   top_n}` → `{results: [{index, relevance_score}]}`; baseUrl like `https://api.jina.ai/v1`.
 * Long lists are sent in batches; scores come back in input order.
 */
import { badRequest } from "../../common/errors.ts";
import { connectorHttpClient, type HttpClient, positiveInteger, type RequestOptions } from "./http.ts";

export type RerankStyle = "tei" | "cohere";

export interface RerankOptions {
  baseUrl: string;
  style: RerankStyle;
  /** The upstream's model id; required for the cohere style, not sent for TEI. */
  model?: string;
  apiKey?: string;
  /** Documents per request. Default 32 (TEI's default client batch limit). */
  batchSize?: number;
  timeoutMs?: number;
  retries?: number;
  extraHeaders?: Record<string, string>;
  retryBaseMs?: number;
}

const PATH = "/rerank";

export class RerankConnector {
  readonly style: RerankStyle;
  readonly model: string | undefined;
  private readonly http: HttpClient;
  private readonly batchSize: number;

  constructor(options: RerankOptions) {
    if (options.style !== "tei" && options.style !== "cohere") {
      throw badRequest("invalid_connector", 'style must be "tei" or "cohere"', "style");
    }
    if (options.style === "cohere" && !options.model) {
      throw badRequest("invalid_connector", "model is required for a cohere-style reranker", "model");
    }
    const batchSize = positiveInteger(options.batchSize ?? 32, "batchSize");
    this.style = options.style;
    this.model = options.model;
    this.batchSize = batchSize;
    this.http = connectorHttpClient(options);
  }

  /** One score per document, in input order; higher is more relevant. */
  async rerank(
    query: string,
    documents: readonly string[],
    options: RequestOptions = {},
  ): Promise<Float32Array> {
    const scores = new Float32Array(documents.length);
    for (let start = 0; start < documents.length; start += this.batchSize) {
      const batch = documents.slice(start, start + this.batchSize);
      scores.set(await this.rerankBatch(query, batch, options), start);
    }
    return scores;
  }

  /** Checks the server scores a two-document request; throws a ConnectorError if not. */
  async probe(options: RequestOptions = {}): Promise<void> {
    await this.rerankBatch("probe", ["first probe document", "second probe document"], options);
  }

  private async rerankBatch(
    query: string,
    documents: readonly string[],
    options: RequestOptions,
  ): Promise<Float32Array> {
    const tei = this.style === "tei";
    const body = tei
      ? { query, texts: documents }
      : { model: this.model, query, documents, top_n: documents.length };
    const json = await this.http.postJson(PATH, body, options);
    const items = tei ? json : (json as { results?: unknown } | null)?.results;
    if (!Array.isArray(items)) {
      throw this.http.protocolError(
        PATH,
        tei ? "answered without a list of scores" : "answered without results",
      );
    }
    const scores = new Float32Array(documents.length);
    const seen = new Uint8Array(documents.length);
    for (const item of items as unknown[]) {
      const { index, score, relevance_score } = (item ?? {}) as Record<string, unknown>;
      const value = tei ? score : relevance_score;
      if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= documents.length) {
        throw this.http.protocolError(PATH, `returned a bad index ${JSON.stringify(index)}`);
      }
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw this.http.protocolError(PATH, `returned a bad score for document ${index}`);
      }
      if (seen[index]) throw this.http.protocolError(PATH, `returned document ${index} twice`);
      seen[index] = 1;
      scores[index] = value;
    }
    const missing = seen.indexOf(0);
    if (missing >= 0) throw this.http.protocolError(PATH, `returned no score for document ${missing}`);
    return scores;
  }
}
