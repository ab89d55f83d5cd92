/**
 * Request bodies of the AIRec-compatible API (docs/recommend.md) as JSON schemas: Fastify checks
 * them and answers a 400 naming the field; the service code trusts what passes.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { badRequest } from "../common/errors.ts";

/** Behaviour types a client may push (AIRec's, plus "dislike" from the RAG apps' feedback). */
export const BEHAVIOR_TYPES = [
  "expose",
  "click",
  "like",
  "collect",
  "comment",
  "purchase",
  "rating",
  "dislike",
] as const;
export type BehaviorType = (typeof BEHAVIOR_TYPES)[number];

/** How much one behaviour says the user wants the item; a rating is also scaled by its value / 5. */
export const DEFAULT_BEHAVIOR_WEIGHTS: Record<BehaviorType, number> = {
  expose: 0,
  click: 1,
  like: 2,
  collect: 3,
  comment: 2,
  purchase: 4,
  rating: 1,
  dislike: 0,
};

const Id = (max = 128) => Type.String({ minLength: 1, maxLength: max, pattern: "^[\\w.:@-]+$" });
const Weights = Type.Record(Type.String(), Type.Number({ minimum: 0, maximum: 100 }));

export const EXPLORE_STRATEGIES = ["epsilon_greedy", "thompson", "ucb"] as const;
export const Explore = Type.Object(
  {
    strategy: Type.Union(EXPLORE_STRATEGIES.map((s) => Type.Literal(s))),
    /** The share of result slots given to exploration (ε for epsilon_greedy). */
    rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
    /** ucb's exploration constant. */
    c: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    /** Items with fewer exposures than this (and no other behaviour) count as new. */
    max_exposures: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
    /** Seeds the request's random choices (default: the trace id), for reproducible results. */
    seed: Type.Optional(Type.Union([Type.Integer(), Type.String({ maxLength: 128 })])),
  },
  { additionalProperties: false },
);
export type ExploreSpec = Static<typeof Explore>;

export const Diversity = Type.Object(
  {
    /** MMR's trade-off: 1 = relevance only, 0 = difference only. */
    lambda: Type.Number({ minimum: 0, maximum: 1 }),
    by: Type.Optional(Type.Union([Type.Literal("category"), Type.Literal("content")])),
  },
  { additionalProperties: false },
);
export type DiversitySpec = Static<typeof Diversity>;

/** An Elasticsearch-like filter over catalog fields (see filters.ts for the supported subset). */
const Filter = Type.Record(Type.String(), Type.Unknown());

/** What a scene or a request may set about how results are made. */
const Strategy = {
  filter: Type.Optional(Filter),
  explore: Type.Optional(Explore),
  blend: Type.Optional(Weights),
  diversity: Type.Optional(Diversity),
  exclude_seen: Type.Optional(Type.Boolean()),
};

export const InstanceBody = Type.Object(
  {
    /** A chosen id (scripts that provision the same instance everywhere); default a new `airec-<hex>`. */
    instance_id: Type.Optional(Type.String({ minLength: 7, maxLength: 64, pattern: "^airec-[a-z0-9-]+$" })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** The kind of items (AIRec's industry type), informative. */
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    /** The field of pushed records and file catalogs that holds the item id. */
    item_id_field: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    behavior_weights: Type.Optional(
      Type.Partial(
        Type.Object(
          Object.fromEntries(BEHAVIOR_TYPES.map((t) => [t, Type.Number({ minimum: 0, maximum: 100 })])),
          { additionalProperties: false },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);
export type InstanceInput = Static<typeof InstanceBody>;

export const SceneBody = Type.Object(
  { scene_id: Id(64), description: Type.Optional(Type.String({ maxLength: 1000 })), ...Strategy },
  { additionalProperties: false },
);
export type SceneInput = Static<typeof SceneBody>;

const FieldMap = Type.Object(
  {
    item_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    time: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    status: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    vector: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type FieldMapInput = Static<typeof FieldMap>;

const EsDatasource = Type.Object(
  {
    type: Type.Literal("elasticsearch"),
    endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
    index: Type.String({ minLength: 1, maxLength: 255 }),
    fields: Type.Optional(FieldMap),
    /** Status values that make an item recommendable (default: "active", or no status field). */
    active_status: Type.Optional(Type.Array(Type.String(), { maxItems: 32 })),
  },
  { additionalProperties: false },
);
const FileDatasource = Type.Object(
  {
    type: Type.Union([Type.Literal("file"), Type.Literal("oss")]),
    /** `oss://bucket/key` for oss; a path under an allowed folder for file. */
    path: Type.String({ minLength: 1, maxLength: 4096 }),
    format: Type.Optional(Type.Union([Type.Literal("csv"), Type.Literal("jsonl")])),
    fields: Type.Optional(FieldMap),
    active_status: Type.Optional(Type.Array(Type.String(), { maxItems: 32 })),
  },
  { additionalProperties: false },
);
export type DatasourceInput = Static<typeof EsDatasource> | Static<typeof FileDatasource>;

/** Checks a body against a schema; the 400 names the first bad field (`body.fields.title`). */
export function checkBody<T extends TSchema>(schema: T, body: unknown): Static<T> {
  const first = Value.Errors(schema, body).First();
  if (first) {
    const field = first.path.split("/").filter(Boolean).join(".");
    throw badRequest(
      "InvalidParameter",
      `body${field ? `.${field}` : ""} ${first.message.toLowerCase()}`,
      field || undefined,
    );
  }
  return body as Static<T>;
}

/** A datasource body, checked by its `type` so errors name the field of that type's schema. */
export function checkDatasource(body: unknown): DatasourceInput {
  const type = (body as { type?: unknown } | null)?.type;
  if (type === "elasticsearch") return checkBody(EsDatasource, body);
  if (type === "file" || type === "oss") return checkBody(FileDatasource, body);
  throw badRequest(
    "InvalidParameter",
    `body.type must be one of elasticsearch, file, oss; got ${JSON.stringify(type)}`,
    "type",
  );
}

export const RecommendBody = Type.Object(
  {
    instance_id: Id(),
    user_id: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    scene: Type.Optional(Id(64)),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    /** Item-to-item: items like these (the user's history is used as well when a user is given). */
    items: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 100 })),
    ...Strategy,
  },
  { additionalProperties: false },
);
export type RecommendInput = Static<typeof RecommendBody>;
