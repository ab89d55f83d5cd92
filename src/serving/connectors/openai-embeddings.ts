/**
 * Embeddings from an OpenAI-compatible server (OpenAI, vLLM, TEI's `/v1/embeddings`, Ollama, …):
 * `POST {baseUrl}/embeddings {model, input, encoding_format: "float"}`, in batches, rows returned
 * in input order (by each item's `index`).
 */
import { badRequest } from "../../common/errors.ts";
import { connectorHttpClient, type HttpClient, positiveInteger, type RequestOptions } from "./http.ts";

export interface OpenAiEmbeddingsOptions {
  /** Up to and including the API version, e.g. `http://host:8080/v1`. */
  baseUrl: string;
  model: string;
  apiKey?: string;
  /**
   * Sent as the OpenAI `dimensions` request field (only models that can shorten their vectors
   * accept it) and checked against every answer. To merely check a declared size, use `probe()`.
   */
  dimensions?: number;
  /** Texts per request. Default 32 (TEI's default client batch limit). */
  batchSize?: number;
  timeoutMs?: number;
  retries?: number;
  extraHeaders?: Record<string, string>;
  retryBaseMs?: number;
  /** L2-normalise each vector (servers usually already do). Default false. */
  normalize?: boolean;
}

const PATH = "/embeddings";

export class OpenAiEmbeddingsConnector {
  readonly model: string;
  private readonly http: HttpClient;
  private readonly dimensions: number | undefined;
  private readonly batchSize: number;
  private readonly normalize: boolean;
  private knownDimension: number | undefined;

  constructor(options: OpenAiEmbeddingsOptions) {
    if (!options.model) throw badRequest("invalid_connector", "model is required", "model");
    if (
      options.dimensions !== undefined &&
      !(Number.isInteger(options.dimensions) && options.dimensions > 0)
    ) {
      throw badRequest("invalid_connector", "dimensions must be a positive integer", "dimensions");
    }
    const batchSize = positiveInteger(options.batchSize ?? 32, "batchSize");
    this.model = options.model;
    this.dimensions = options.dimensions;
    this.batchSize = batchSize;
    this.normalize = options.normalize ?? false;
    this.http = connectorHttpClient(options);
  }

  /** The vector size, once known (from `dimensions`, `probe()` or a first `embed()`). */
  get dimension(): number | undefined {
    return this.knownDimension ?? this.dimensions;
  }

  /** Row-major vectors: text i is `out.subarray(i * dim, (i + 1) * dim)`. */
  async embed(texts: readonly string[], options: RequestOptions = {}): Promise<Float32Array> {
    if (texts.length === 0) return new Float32Array(0);
    let out: Float32Array | undefined;
    let dim = 0;
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const rows = await this.embedBatch(texts.slice(start, start + this.batchSize), options);
      if (!out) {
        dim = (rows[0] as Float32Array).length;
        out = new Float32Array(texts.length * dim);
      } else if ((rows[0] as Float32Array).length !== dim) {
        throw this.http.protocolError(
          PATH,
          `returned ${(rows[0] as Float32Array).length}-dimensional vectors after ${dim}-dimensional ones`,
        );
      }
      for (let i = 0; i < rows.length; i++) out.set(rows[i] as Float32Array, (start + i) * dim);
    }
    this.knownDimension = dim;
    return out as Float32Array;
  }

  /** Embeds one short text and returns the vector size (to check a declared dimension). */
  async probe(options: RequestOptions = {}): Promise<number> {
    return (await this.embed(["dimension probe"], options)).length;
  }

  private async embedBatch(batch: readonly string[], options: RequestOptions): Promise<Float32Array[]> {
    const json = await this.http.postJson(
      PATH,
      {
        model: this.model,
        input: batch,
        encoding_format: "float",
        ...(this.dimensions !== undefined && { dimensions: this.dimensions }),
      },
      options,
    );
    const data = (json as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw this.http.protocolError(PATH, "answered without a data array");
    if (data.length !== batch.length) {
      throw this.http.protocolError(PATH, `returned ${data.length} embeddings for ${batch.length} inputs`);
    }
    const rows: (Float32Array | undefined)[] = new Array(batch.length);
    let size: number | undefined;
    data.forEach((item: unknown, position) => {
      const { index, embedding } = (item ?? {}) as { index?: unknown; embedding?: unknown };
      const at = index === undefined ? position : index;
      if (typeof at !== "number" || !Number.isInteger(at) || at < 0 || at >= batch.length || rows[at]) {
        throw this.http.protocolError(PATH, `returned a bad or repeated index ${JSON.stringify(index)}`);
      }
      const row = this.vector(embedding);
      if (row.length === 0) throw this.http.protocolError(PATH, "returned an empty embedding");
      if (size !== undefined && row.length !== size) {
        throw this.http.protocolError(PATH, "returned vectors of different sizes");
      }
      size = row.length;
      if (this.dimensions !== undefined && row.length !== this.dimensions) {
        throw this.http.protocolError(
          PATH,
          `returned ${row.length}-dimensional vectors, expected ${this.dimensions}`,
        );
      }
      if (this.normalize) normalizeInPlace(row);
      rows[at] = row;
    });
    return rows as Float32Array[];
  }

  private vector(embedding: unknown): Float32Array {
    if (Array.isArray(embedding)) {
      const row = Float32Array.from(embedding as number[]);
      for (let i = 0; i < row.length; i++) {
        if (typeof embedding[i] !== "number" || !Number.isFinite(row[i] as number)) {
          throw this.http.protocolError(PATH, "returned an embedding with a non-numeric value");
        }
      }
      return row;
    }
    if (typeof embedding === "string") {
      // encoding_format "base64" (some servers ignore the request): little-endian float32.
      const bytes = Buffer.from(embedding, "base64");
      if (bytes.length % 4 !== 0)
        throw this.http.protocolError(PATH, "returned a malformed base64 embedding");
      const row = new Float32Array(bytes.length / 4);
      for (let i = 0; i < row.length; i++) row[i] = bytes.readFloatLE(i * 4);
      return row;
    }
    throw this.http.protocolError(PATH, "returned an item without an embedding");
  }
}

function normalizeInPlace(row: Float32Array): void {
  let sum = 0;
  for (const v of row) sum += v * v;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < row.length; i++) row[i] = (row[i] as number) / norm;
}
