/**
 * `POST /_plugins/_ml/models/_search` (and the connector and model group searches) over ML
 * Commons documents: the query forms clients use to find them (match_all, term, terms, ids,
 * match, bool), `from` and `size`, and the hits shape of a search on OpenSearch's system index
 * (`.plugins-ml-model`, …). Matching ignores case, since the document fields a client searches
 * (name, model_state, algorithm) are keywords written in one case.
 */
import { illegalArgument } from "../search/errors.ts";
import type { MlModelDocument } from "./ml-model-docs.ts";
import { asObject } from "./ml-requests.ts";

type Doc = Record<string, unknown>;
type Matcher = (doc: Doc) => boolean;

const QUERY_FORMS = "match_all, term, terms, ids, match and bool";

export function searchModelDocuments(docs: MlModelDocument[], body: unknown, took: () => number) {
  return searchMlDocuments(docs, body, took, { index: ".plugins-ml-model", idField: "model_id" });
}

/** A search over `docs`, each identified by its `idField` (what `_id` and `ids` match). */
export function searchMlDocuments(
  docs: Doc[],
  body: unknown,
  took: () => number,
  where: { index: string; idField: string },
) {
  const request = asObject(body ?? {}, "the request body");
  const matches = compile(request.query ?? { match_all: {} }, where.idField);
  const from = count(request.from, "from", 0);
  const size = count(request.size, "size", 10);
  const hits = docs.filter(matches);
  return {
    took: took(),
    timed_out: false,
    _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
    hits: {
      total: { value: hits.length, relation: "eq" },
      max_score: hits.length ? 1 : null,
      hits: hits
        .slice(from, from + size)
        .map((doc) => ({ _index: where.index, _id: doc[where.idField], _score: 1, _source: doc })),
    },
  };
}

function compile(query: unknown, idField: string): Matcher {
  const q = asObject(query, "[query]");
  const keys = Object.keys(q);
  const [form] = keys;
  if (keys.length !== 1 || form === undefined)
    throw illegalArgument(`[query] must hold exactly one of ${QUERY_FORMS}, got [${keys.join(", ")}]`);
  const spec = q[form];
  switch (form) {
    case "match_all":
      return () => true;
    case "term":
      return fieldTest(spec, form, idField, (value) => [termValue(value)]);
    case "terms":
      return fieldTest(spec, form, idField, (value) => {
        if (!Array.isArray(value)) throw illegalArgument("[terms] needs an array of values for its field");
        return value;
      });
    case "match":
      return matchTest(spec, idField);
    case "ids": {
      const values = asObject(spec, "[ids]").values;
      if (!Array.isArray(values)) throw illegalArgument("[ids] needs [values], an array of model ids");
      return (doc) => values.includes(doc[idField]);
    }
    case "bool":
      return boolTest(spec, idField);
    default:
      throw illegalArgument(`[_plugins/_ml/models/_search] supports ${QUERY_FORMS} queries, got [${form}]`);
  }
}

function fieldTest(
  spec: unknown,
  form: string,
  idField: string,
  values: (given: unknown) => unknown[],
): Matcher {
  const [field, given] = singleField(spec, form);
  const wanted = values(given).map(normalise);
  return (doc) => fieldValues(doc, field, idField).some((v) => wanted.includes(v));
}

/** `match` is OR over the words of the query, each compared with the words of the field. */
function matchTest(spec: unknown, idField: string): Matcher {
  const [field, given] = singleField(spec, "match");
  const text = typeof given === "object" && given !== null ? (given as { query?: unknown }).query : given;
  const wanted = words(normalise(text));
  return (doc) => fieldValues(doc, field, idField).some((v) => words(v).some((w) => wanted.includes(w)));
}

function boolTest(spec: unknown, idField: string): Matcher {
  const b = asObject(spec, "[bool]");
  const list = (key: string) => {
    const clauses = b[key];
    return clauses === undefined
      ? []
      : (Array.isArray(clauses) ? clauses : [clauses]).map((c) => compile(c, idField));
  };
  const must = [...list("must"), ...list("filter")];
  const should = list("should");
  const mustNot = list("must_not");
  return (doc) =>
    must.every((m) => m(doc)) &&
    !mustNot.some((m) => m(doc)) &&
    (should.length === 0 || must.length > 0 || should.some((m) => m(doc)));
}

function singleField(spec: unknown, form: string): [string, unknown] {
  const entries = Object.entries(asObject(spec, `[${form}]`));
  const [entry] = entries;
  if (entries.length !== 1 || !entry) throw illegalArgument(`[${form}] query must name exactly one field`);
  return entry;
}

function termValue(value: unknown): unknown {
  return typeof value === "object" && value !== null ? (value as { value?: unknown }).value : value;
}

/** A document field's values: `name.keyword` is `name`, `_id` the document's id, dots reach into objects. */
function fieldValues(doc: Doc, field: string, idField: string): string[] {
  const path = field === "_id" ? [idField] : field.replace(/\.keyword$/, "").split(".");
  let value: unknown = doc;
  for (const key of path)
    value = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(normalise);
}

function normalise(value: unknown): string {
  return String(value).toLowerCase();
}

function words(text: string): string[] {
  return text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

function count(value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < 0)
    throw illegalArgument(`[${name}] must be a non-negative integer, got ${JSON.stringify(value)}`);
  return value as number;
}
