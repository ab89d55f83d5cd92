/**
 * The request bodies of the ML Commons API, checked field by field: a mistake is an
 * `illegal_argument_exception` naming the field and what it takes.
 */
import { illegalArgument } from "../search/errors.ts";
import type { ConnectorSpec } from "./connector-models.ts";
import type { MlFunctionName } from "./ml-tasks.ts";

const FUNCTION_NAMES: readonly MlFunctionName[] = ["TEXT_EMBEDDING", "TEXT_SIMILARITY", "REMOTE"];

/** Fields of OpenSearch's register request that are accepted; the registry decides versions and format. */
const REGISTER_FIELDS = [
  "name",
  "version",
  "model_format",
  "function_name",
  "description",
  "url",
  "connector",
  "connector_id",
  "model_group_id",
  "model_config",
  "model_content_hash_value",
  "model_content_size_in_bytes",
  "is_enabled",
  "access_mode",
  "backend_roles",
  "add_all_backend_roles",
];
const PREDICT_FIELDS = ["text_docs", "query_text", "parameters", "return_number", "target_response"];

export interface RegisterRequest {
  name: string;
  functionName: MlFunctionName | undefined;
  /** A model folder, an upstream given inline, or a connector created with `connectors/_create`. */
  source: { url: string } | { connector: ConnectorSpec } | { connectorId: string };
  /** `model_config.embedding_dimension`: checked against the registered model. */
  dimension: number | undefined;
}

export function parseRegister(body: unknown): RegisterRequest {
  const b = asObject(body, "the register model request body");
  knownFields(b, REGISTER_FIELDS, "[", "] in the register model request");
  if (typeof b.name !== "string" || b.name === "")
    throw illegalArgument("[name] is required: the model's name");
  const functionName = parseFunctionName(b.function_name);
  const sources = [b.url, b.connector, b.connector_id].filter((v) => v !== undefined).length;
  if (sources !== 1)
    throw illegalArgument(
      "give [url] (an oss:// model folder) or [connector] (an upstream server), or [connector_id] from POST /_plugins/_ml/connectors/_create: exactly one of them",
    );
  const dimension = embeddingDimension(b.model_config);
  if (b.connector_id !== undefined) {
    if (typeof b.connector_id !== "string" || b.connector_id === "")
      throw illegalArgument(
        "[connector_id] must be a connector id from POST /_plugins/_ml/connectors/_create",
      );
    if (functionName !== undefined && functionName !== "REMOTE")
      throw illegalArgument(
        `a model registered with [connector_id] has function_name REMOTE, not ${functionName}`,
      );
    return { name: b.name, functionName, source: { connectorId: b.connector_id }, dimension };
  }
  if (b.url !== undefined) {
    if (typeof b.url !== "string" || !b.url.startsWith("oss://"))
      throw illegalArgument(
        `[url] must be an oss://bucket/prefix/ model folder (upload one with lodestone oss cp -r DIR oss://bucket/prefix/), got ${JSON.stringify(b.url)}`,
      );
    if (functionName === "REMOTE")
      throw illegalArgument("a REMOTE model is an upstream server: give [connector], not [url]");
    return { name: b.name, functionName, source: { url: b.url }, dimension };
  }
  if (functionName !== undefined && functionName !== "REMOTE")
    throw illegalArgument(
      `a model registered with [connector] has function_name REMOTE, not ${functionName}`,
    );
  return { name: b.name, functionName, source: { connector: parseConnector(b.connector) }, dimension };
}

function parseFunctionName(value: unknown): MlFunctionName | undefined {
  if (value === undefined) return undefined;
  const name = typeof value === "string" ? value.toUpperCase() : "";
  if (!(FUNCTION_NAMES as readonly string[]).includes(name))
    throw illegalArgument(
      `function_name ${JSON.stringify(value)} is not supported: Lodestone serves TEXT_EMBEDDING, TEXT_SIMILARITY (rerankers) and REMOTE (upstream connector) models`,
    );
  return name as MlFunctionName;
}

function parseConnector(value: unknown): ConnectorSpec {
  const c = asObject(value, "[connector]");
  if (c.actions !== undefined || c.protocol !== undefined)
    throw illegalArgument(
      "[connector] in OpenSearch's blueprint form (protocol, actions) is not supported; give {type: openai-embeddings | rerank | openai-chat, base_url, model, api_key_env?}",
    );
  for (const key of ["type", "base_url", "model"])
    if (typeof c[key] !== "string" || c[key] === "")
      throw illegalArgument(`[connector.${key}] is required (a string)`);
  return c as unknown as ConnectorSpec;
}

function embeddingDimension(config: unknown): number | undefined {
  if (config === undefined) return undefined;
  const dimension = asObject(config, "[model_config]").embedding_dimension;
  if (dimension === undefined) return undefined;
  if (!Number.isInteger(dimension) || (dimension as number) < 1)
    throw illegalArgument("[model_config.embedding_dimension] must be a positive integer");
  return dimension as number;
}

/** A `_predict` body: an object of the fields ML Commons' text models take. */
export function predictRequest(body: unknown): Record<string, unknown> {
  const request = asObject(body, "the predict request body");
  knownFields(
    request,
    PREDICT_FIELDS,
    "[",
    `] in the predict request; expected ${PREDICT_FIELDS.join(", ")}`,
  );
  return request;
}

/** A TEXT_SIMILARITY model's inputs: the query and the documents to score against it. */
export function similarityInputs(request: Record<string, unknown>): { query: string; documents: string[] } {
  const query = request.query_text;
  if (typeof query !== "string" || query === "")
    throw illegalArgument(
      "[query_text] is required for a TEXT_SIMILARITY model: the query to score the text_docs against",
    );
  return { query, documents: stringList(request.text_docs, "text_docs") };
}

/** The texts to embed: `text_docs`, or `parameters.input` as remote models take them. */
export function embeddingInputs(request: Record<string, unknown>): string[] {
  if (request.text_docs !== undefined) return stringList(request.text_docs, "text_docs");
  const input = (request.parameters as { input?: unknown } | undefined)?.input;
  if (typeof input === "string") return stringList([input], "parameters.input");
  if (input !== undefined) return stringList(input, "parameters.input");
  throw illegalArgument("[text_docs] is required: the texts to embed");
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.some((t) => typeof t !== "string"))
    throw illegalArgument(`[${field}] must be a non-empty array of strings`);
  return value as string[];
}

/** Refuses a field not in `fields`: `unknown field <before><key><after>`. */
export function knownFields(
  object: Record<string, unknown>,
  fields: readonly string[],
  before: string,
  after: string,
): void {
  for (const key of Object.keys(object))
    if (!fields.includes(key)) throw illegalArgument(`unknown field ${before}${key}${after}`);
}

export function asObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw illegalArgument(`${what} must be a JSON object`);
  return value as Record<string, unknown>;
}
