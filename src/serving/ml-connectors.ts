/**
 * ML Commons connectors and model groups, kept in the platform database: `connectors/_create`
 * takes OpenSearch's blueprint form (`protocol: http`, a `predict` action with url, headers,
 * request_body and pre/post-process functions), and a `remote` model registered with its
 * `connector_id` calls what the connector names (see `connectorCall`). The credential is kept
 * with the connector and never returned, as OpenSearch does.
 */
import { newId } from "../common/ids.ts";
import { EngineError, illegalArgument } from "../search/errors.ts";
import type { Db } from "../state/db.ts";
import type { ConnectorSpec } from "./connector-models.ts";
import { searchMlDocuments } from "./ml-model-search.ts";
import { asObject, knownFields } from "./ml-requests.ts";

const CONNECTOR_FIELDS = [
  "name",
  "description",
  "version",
  "protocol",
  "parameters",
  "credential",
  "actions",
  "client_config",
  "backend_roles",
  "add_all_backend_roles",
  "access_mode",
];
const ACTION_FIELDS = [
  "action_type",
  "method",
  "url",
  "headers",
  "request_body",
  "pre_process_function",
  "post_process_function",
];

export interface ConnectorAction {
  action_type: string;
  method: string;
  url: string;
  headers?: Record<string, string>;
  request_body?: string;
  pre_process_function?: string;
  post_process_function?: string;
}

export interface StoredConnector {
  id: string;
  name: string;
  description?: string;
  version?: string | number;
  protocol: "http";
  parameters?: Record<string, unknown>;
  credential?: Record<string, string>;
  actions: ConnectorAction[];
  createdAt: number;
}

/**
 * What a connector's predict action calls: an OpenAI-compatible `…/embeddings` or a
 * Cohere-compatible `…/rerank` API, the `model` it sends, and the upstream spec and key to call it.
 */
export interface ConnectorCall {
  kind: "embedding" | "reranker";
  /** The `model` the request body sends (`parameters.model`, or a literal in `request_body`). */
  model: string | undefined;
  /** A Lodestone platform path (`/v1/embeddings`, `/v1/rerank`): the model may be a local endpoint. */
  lodestonePath: boolean;
  spec: ConnectorSpec;
  apiKey: string | undefined;
}

interface ConnectorRow {
  id: string;
  name: string;
  body: string;
  created_at: number;
}

interface GroupRow {
  id: string;
  name: string;
  description: string;
  created_at: number;
}

export class MlConnectorStore {
  constructor(private readonly db: Db) {}

  create(body: unknown): { connector_id: string } {
    const connector = parseConnector(body);
    const id = newId("c-", 12);
    this.db
      .prepare("INSERT INTO ml_connectors (id, name, body, created_at) VALUES (?, ?, ?, ?)")
      .run(id, connector.name, JSON.stringify(connector), Date.now());
    return { connector_id: id };
  }

  get(id: string): StoredConnector {
    const row = this.db.prepare("SELECT * FROM ml_connectors WHERE id = ?").get(id) as
      | ConnectorRow
      | undefined;
    if (!row)
      throw new EngineError(
        404,
        "status_exception",
        `Failed to find connector with the provided connector id: ${id}`,
      );
    return fromRow(row);
  }

  /** The key its predict action sends upstream (for connector models' runtimes); undefined when none. */
  apiKey(id: string): string | undefined {
    try {
      return connectorCall(this.get(id)).apiKey;
    } catch {
      return undefined;
    }
  }

  /** The connector as GET answers it: everything but the credential. */
  view(id: string): Record<string, unknown> {
    return connectorView(this.get(id));
  }

  /** Deletes a connector that no model uses (`usedBy` lists the models that do). */
  delete(id: string, usedBy: string[]) {
    this.get(id);
    if (usedBy.length)
      throw new EngineError(
        409,
        "status_exception",
        `${usedBy.length} models are still using this connector, please delete or update the models first: [${usedBy.join(", ")}]`,
      );
    this.db.prepare("DELETE FROM ml_connectors WHERE id = ?").run(id);
    return {
      _index: ".plugins-ml-connector",
      _id: id,
      result: "deleted",
      _shards: { total: 1, successful: 1, failed: 0 },
    };
  }

  search(body: unknown) {
    const started = Date.now();
    const rows = this.db
      .prepare("SELECT * FROM ml_connectors ORDER BY created_at, id")
      .all() as ConnectorRow[];
    const docs = rows.map((row) => ({ connector_id: row.id, ...connectorView(fromRow(row)) }));
    return searchMlDocuments(docs, body, () => Date.now() - started, {
      index: ".plugins-ml-connector",
      idField: "connector_id",
    });
  }

  /** `model_groups/_register`: a name taken by another group is refused, as OpenSearch does. */
  registerGroup(body: unknown): { model_group_id: string; status: "CREATED" } {
    const b = asObject(body, "the register model group request body");
    if (typeof b.name !== "string" || b.name.trim() === "")
      throw illegalArgument("[name] is required: the model group's name");
    const taken = this.db.prepare("SELECT id FROM ml_model_groups WHERE name = ?").get(b.name) as
      | { id: string }
      | undefined;
    if (taken)
      throw illegalArgument(
        `The name you provided is already being used by a model group with ID: ${taken.id}.`,
      );
    const id = newId("g-", 12);
    const description = typeof b.description === "string" ? b.description : "";
    this.db
      .prepare("INSERT INTO ml_model_groups (id, name, description, created_at) VALUES (?, ?, ?, ?)")
      .run(id, b.name, description, Date.now());
    return { model_group_id: id, status: "CREATED" };
  }

  searchGroups(body: unknown) {
    const started = Date.now();
    const rows = this.db.prepare("SELECT * FROM ml_model_groups ORDER BY created_at, id").all() as GroupRow[];
    const docs = rows.map((g) => ({
      model_group_id: g.id,
      name: g.name,
      description: g.description,
      latest_version: 0,
      created_time: g.created_at,
      last_updated_time: g.created_at,
    }));
    return searchMlDocuments(docs, body, () => Date.now() - started, {
      index: ".plugins-ml-model-group",
      idField: "model_group_id",
    });
  }
}

function fromRow(row: ConnectorRow): StoredConnector {
  return {
    ...(JSON.parse(row.body) as Omit<StoredConnector, "id" | "createdAt">),
    id: row.id,
    createdAt: row.created_at,
  };
}

function connectorView(c: StoredConnector): Record<string, unknown> {
  const { id: _id, credential: _secret, createdAt, ...rest } = c;
  return { ...rest, created_time: createdAt, last_updated_time: createdAt };
}

function parseConnector(body: unknown): Omit<StoredConnector, "id" | "createdAt"> {
  const b = asObject(body, "the create connector request body");
  knownFields(b, CONNECTOR_FIELDS, "[", "] in the create connector request");
  if (typeof b.name !== "string" || b.name === "")
    throw illegalArgument("[name] is required: the connector's name");
  if (b.protocol !== "http")
    throw illegalArgument(
      `[protocol] must be "http": Lodestone calls connectors over plain HTTP(S) (aws_sigv4 is not supported), got ${JSON.stringify(b.protocol)}`,
    );
  const parameters = b.parameters === undefined ? undefined : asObject(b.parameters, "[parameters]");
  const credential = b.credential === undefined ? undefined : asObject(b.credential, "[credential]");
  if (!Array.isArray(b.actions) || b.actions.length === 0)
    throw illegalArgument(
      "[actions] is required: a list with one predict action {action_type, method, url, …}",
    );
  const actions = b.actions.map((a, i) => parseAction(a, i));
  if (!actions.some((a) => a.action_type === "predict"))
    throw illegalArgument('[actions] needs an action with action_type "predict"');
  return {
    name: b.name,
    ...(typeof b.description === "string" ? { description: b.description } : {}),
    ...(typeof b.version === "string" || typeof b.version === "number" ? { version: b.version } : {}),
    protocol: "http",
    ...(parameters ? { parameters } : {}),
    ...(credential ? { credential: credential as Record<string, string> } : {}),
    actions,
  };
}

function parseAction(value: unknown, i: number): ConnectorAction {
  const a = asObject(value, `[actions.${i}]`);
  knownFields(a, ACTION_FIELDS, `[actions.${i}.`, "] in the connector");
  for (const key of ["action_type", "method", "url"])
    if (typeof a[key] !== "string" || a[key] === "")
      throw illegalArgument(`[actions.${i}.${key}] is required (a string)`);
  if (a.headers !== undefined) asObject(a.headers, `[actions.${i}.headers]`);
  return a as unknown as ConnectorAction;
}

/** `${parameters.x}` and `${credential.x}` placeholders filled from the connector. */
function fill(template: string, connector: StoredConnector): string {
  return template.replace(
    /\$\{(parameters|credential)\.([A-Za-z0-9_]+)\}/g,
    (whole, scope: string, key: string) => {
      const source = scope === "parameters" ? connector.parameters : connector.credential;
      const value = source?.[key];
      return value === undefined ? whole : String(value);
    },
  );
}

/** The `model` a request body template sends: `${parameters.model}` filled, or a literal. */
function requestModel(connector: StoredConnector, action: ConnectorAction): string | undefined {
  const literal = /"model"\s*:\s*"([^"]*)"/.exec(action.request_body ?? "")?.[1];
  const model = literal !== undefined ? fill(literal, connector) : connector.parameters?.model;
  return typeof model === "string" && model !== "" && !model.includes("${") ? model : undefined;
}

/** The key an `Authorization: Bearer …` header sends (a credential filled in). */
function bearerKey(connector: StoredConnector, action: ConnectorAction): string | undefined {
  const header = Object.entries(action.headers ?? {}).find(
    ([name]) => name.toLowerCase() === "authorization",
  )?.[1];
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(fill(header, connector));
  return match?.[1] && !match[1].includes("${") ? match[1] : undefined;
}

/**
 * What the connector's predict action calls. Lodestone runs connectors to OpenAI-compatible
 * embeddings (`…/embeddings`) and Cohere-compatible rerank (`…/rerank`) APIs, which covers
 * OpenSearch's OpenAI embedding and Cohere rerank blueprints and Lodestone's own endpoints.
 */
export function connectorCall(connector: StoredConnector): ConnectorCall {
  const action = connector.actions.find((a) => a.action_type === "predict") as ConnectorAction;
  const url = fill(action.url, connector).replace(/\/+$/, "");
  const pathname = /^https?:\/\//.test(url) ? new URL(url).pathname : "";
  const kind = pathname.endsWith("/embeddings")
    ? "embedding"
    : pathname.endsWith("/rerank")
      ? "reranker"
      : undefined;
  if (!kind)
    throw illegalArgument(
      `connector ${connector.id} calls ${url}: Lodestone serves remote models through OpenAI-compatible …/embeddings and Cohere-compatible …/rerank APIs (a Lodestone platform's /v1/embeddings and /v1/rerank included)`,
    );
  const model = requestModel(connector, action);
  const baseUrl = url.slice(0, url.lastIndexOf("/"));
  const spec: ConnectorSpec =
    kind === "embedding"
      ? { type: "openai-embeddings", base_url: baseUrl, model: model ?? "" }
      : { type: "rerank", style: "cohere", base_url: baseUrl, model: model ?? "" };
  return {
    kind,
    model,
    lodestonePath: pathname.endsWith("/v1/embeddings") || pathname.endsWith("/v1/rerank"),
    spec,
    apiKey: bearerKey(connector, action),
  };
}
