/**
 * The workflow file (YAML or JSON): where the data comes from, how the two models are trained,
 * the index and its pipelines, and how runs are compared. Validated with TypeBox; the first
 * problem is reported with the dotted key it concerns and what was expected there.
 */
import fs from "node:fs";
import path from "node:path";
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import YAML from "yaml";

const Name = Type.String({ minLength: 1, maxLength: 64, pattern: "^[a-z0-9][a-z0-9._-]*$" });
const OssPrefix = Type.String({ pattern: "^oss://[a-z0-9][a-z0-9.-]*/.*/$" });
const HyperParameters = Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]));

const Data = Type.Object(
  {
    /** A local folder (relative to the workflow file) or an existing oss:// prefix. */
    source: Type.String({ minLength: 1 }),
    /** markdown: .md/.txt files cut into passages, questions generated; beir: corpus.jsonl + qrels. */
    format: Type.Union([Type.Literal("markdown"), Type.Literal("beir")]),
    /** Where the training data goes in object storage. */
    oss: OssPrefix,
    questions: Type.Optional(
      Type.Object(
        {
          per_doc: Type.Optional(Type.Integer({ minimum: 1, maximum: 20 })),
          test_share: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
          validation_share: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1 })),
          seed: Type.Optional(Type.Integer()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

const TrainedModel = Type.Object(
  {
    name: Name,
    output: OssPrefix,
    hyper_parameters: Type.Optional(HyperParameters),
  },
  { additionalProperties: false },
);

const Index = Type.Object(
  {
    name: Name,
    /** The field searched by BM25 and embedded by the ingest pipeline. */
    text_field: Type.String({ minLength: 1 }),
    vector_field: Type.String({ minLength: 1 }),
    /** `PUT /<index>` body; a knn_vector `dimension: auto` takes the trained embedder's. */
    settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    mappings: Type.Object(
      { properties: Type.Record(Type.String(), Type.Unknown()) },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: false },
);

const Pipelines = Type.Object(
  {
    ingest: Name,
    hybrid: Name,
    rerank: Name,
    /** Weight on BM25 in the min_max + arithmetic_mean hybrid; auto = tuned on the validation queries. */
    bm25_weight: Type.Optional(Type.Union([Type.Literal("auto"), Type.Number({ minimum: 0, maximum: 1 })])),
  },
  { additionalProperties: false },
);

/**
 * A RAG app over the workflow's index (docs/rag.md): its models, pipeline and fields come from the
 * workflow (the trained embedder and reranker, the hybrid pipeline, the text and vector fields).
 */
const RagApp = Type.Object(
  {
    name: Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,62}$" }),
    description: Type.Optional(Type.String()),
    /** bm25, neural or hybrid (through pipelines.hybrid); default hybrid. */
    retrieval: Type.Optional(
      Type.Union([Type.Literal("bm25"), Type.Literal("neural"), Type.Literal("hybrid")]),
    ),
    /** Chunks given to the LLM; default 5. */
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
    /** Chunks retrieved before reranking; default 50. */
    candidates: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    /** Chunks the trained reranker reorders; 0 = no reranking; default 20. */
    rerank_depth: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
    /** builtin (the extractive answerer) or a chat model / endpoint id (e.g. an upstream connector). */
    llm: Type.Optional(Type.String({ minLength: 1 })),
    /** Past turns kept per session; default 6. */
    memory_turns: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
    prompt: Type.Optional(
      Type.Object(
        { system: Type.Optional(Type.String()), template: Type.Optional(Type.String({ minLength: 1 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const WorkflowSchema = Type.Object(
  {
    name: Name,
    description: Type.Optional(Type.String()),
    data: Data,
    training: Type.Object(
      { embedder: TrainedModel, reranker: TrainedModel },
      { additionalProperties: false },
    ),
    index: Index,
    pipelines: Pipelines,
    evaluation: Type.Optional(
      Type.Object(
        {
          /** Results per query of each run, and each hybrid sub-query's pagination_depth. */
          depth: Type.Optional(Type.Integer({ minimum: 10, maximum: 1000 })),
          /** Hits the rerank processor reorders (the hybrid + rerank run's size); default 100. */
          rerank_depth: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Relevance tuning steps run after the baseline evaluation (see src/workflow/steps/tune.ts). */
    tuning: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
    /** RAG apps created (or updated) over the index at the end of the run. */
    apps: Type.Optional(Type.Array(RagApp, { maxItems: 20 })),
  },
  { additionalProperties: false },
);

export type Workflow = Static<typeof WorkflowSchema> & {
  /** The folder the file was read from: relative `data.source` paths resolve against it. */
  baseDir: string;
};

export class WorkflowError extends Error {}

const dotted = (pointer: string) =>
  pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .join(".") || "(top level)";

/** What a schema node expects, in words. */
function expected(schema: TSchema): string {
  if (schema.anyOf) return (schema.anyOf as TSchema[]).map(expected).join(" or ");
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.pattern) {
    if (schema.pattern.startsWith("^oss://")) return 'an oss:// prefix ending in "/" (oss://bucket/path/)';
    if (schema.pattern.includes("{0,62}"))
      return "an app name (lower-case letters, digits, '_', '-'; at most 63)";
    return "a lower-case name (letters, digits, '.', '_', '-')";
  }
  const range = [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : "",
    schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : "",
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : "",
    schema.exclusiveMaximum !== undefined ? `< ${schema.exclusiveMaximum}` : "",
  ]
    .filter(Boolean)
    .join(" and ");
  const type =
    schema.type === "integer" ? "an integer" : schema.type === "number" ? "a number" : `a ${schema.type}`;
  if (schema.type === "object") return "an object";
  if (schema.type === "array") return "a list";
  if (schema.type === "string") return schema.minLength ? "a non-empty string" : "a string";
  return range ? `${type} ${range}` : type;
}

/** Checks a parsed workflow; throws a WorkflowError naming the first bad key. */
export function validateWorkflow(value: unknown, where = "workflow"): Static<typeof WorkflowSchema> {
  if (Value.Check(WorkflowSchema, value)) return value;
  const errors = [...Value.Errors(WorkflowSchema, value)];
  // an unknown key is the likeliest typo; say so before anything else
  const extra = errors.find((e) => e.message.includes("Unexpected property"));
  if (extra) throw new WorkflowError(`${where}: unknown key ${dotted(extra.path)}`);
  // report the deepest problem: "data.format" says more than "data"
  const first = errors.sort((a, b) => b.path.split("/").length - a.path.split("/").length)[0];
  if (!first) throw new WorkflowError(`${where}: invalid`);
  if (first.value === undefined) throw new WorkflowError(`${where}: ${dotted(first.path)} is required`);
  throw new WorkflowError(
    `${where}: ${dotted(first.path)} must be ${expected(first.schema)}, got ${JSON.stringify(first.value)}`,
  );
}

/** Reads and validates a workflow file (.yaml, .yml or .json). */
export function loadWorkflow(file: string): Workflow {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new WorkflowError(`cannot read the workflow ${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = file.endsWith(".json") ? JSON.parse(text) : YAML.parse(text);
  } catch (err) {
    throw new WorkflowError(
      `${file} is not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`,
    );
  }
  return { ...validateWorkflow(parsed, file), baseDir: path.dirname(path.resolve(file)) };
}
