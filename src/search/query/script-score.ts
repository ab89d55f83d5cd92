/**
 * The `script_score` query: the documents of `query`, rescored by a script. Two kinds of script:
 * the k-NN plugin's exact score script (`"lang": "knn", "source": "knn_score"` with params field,
 * query_value and space_type, scored like the plugin for each space, 0 for documents without a
 * vector) and painless arithmetic with the k-NN functions (script-expression.ts). As in OpenSearch,
 * a negative score is refused, `min_score` drops documents below it and `boost` multiplies.
 */
import { EngineError, illegalArgument, parsingError } from "../errors.ts";
import type { Segment } from "../index/segment.ts";
import { cosine, dot, l1, l2Squared, lInf, norm, SPACES } from "../index/vector-space.ts";
import { isObject, NUMERIC_TYPES } from "../mapping.ts";
import type { QueryContext } from "./context.ts";
import { checkKeys, describe, numberParam } from "./dsl-values.ts";
import { type Explanation, explain } from "./explanation.ts";
import { type Hits, HitsBuilder } from "./hits.ts";
import { queryVector } from "./knn.ts";
import { compileScript, type ScoreFn } from "./script-expression.ts";
import type { Weight } from "./weights.ts";

type CompileFn = (ctx: QueryContext, query: unknown, boost?: number) => Weight;

/** The k-NN score script's spaces: score of the query vector and a document row. */
const KNN_SCORE_SPACES: Record<
  string,
  (q: Float32Array, qNorm: number, data: Float32Array, offset: number) => number
> = {
  l2: (q, _n, data, o) => 1 / (1 + l2Squared(q, data, o)),
  l1: (q, _n, data, o) => 1 / (1 + l1(q, data, o)),
  linf: (q, _n, data, o) => 1 / (1 + lInf(q, data, o)),
  cosinesimil: (q, n, data, o) => 1 + cosine(q, n, data, o),
  innerproduct: (q, _n, data, o) => SPACES.innerproduct.score(-dot(q, data, o)),
};

export function scriptScoreQuery(
  ctx: QueryContext,
  body: Record<string, unknown>,
  boost: number,
  compile: CompileFn,
): Weight {
  checkKeys(body, ["query", "script", "min_score", "boost", "_name"], "script_score");
  if (body.query === undefined) throw parsingError("[script_score] requires 'query' field");
  if (body.script === undefined) throw parsingError("[script_score] requires 'script' field");
  const script = parseScript(body.script);
  const fn =
    script.lang === "knn"
      ? knnScoreScript(ctx, script.source, script.params)
      : compileScript(script.source, script.params, {
          vectorDimension: (field) => {
            const fm = ctx.mapping.fields.get(field);
            return fm?.type === "knn_vector" ? fm.dimension : undefined;
          },
          isNumeric: (field) => {
            const type = ctx.mapping.fields.get(field)?.type;
            return type !== undefined && (NUMERIC_TYPES.has(type) || type === "date");
          },
        });
  return new ScriptScoreWeight(
    compile(ctx, body.query, 1),
    fn,
    script.source,
    body.boost === undefined ? boost : Math.fround(boost * numberParam(body.boost, "script_score", "boost")),
    body.min_score === undefined ? undefined : numberParam(body.min_score, "script_score", "min_score"),
  );
}

interface Script {
  source: string;
  lang: string;
  params: Record<string, unknown>;
}

function parseScript(value: unknown): Script {
  if (typeof value === "string") return { source: value, lang: "painless", params: {} };
  if (!isObject(value))
    throw parsingError(`[script_score] [script] must be an object or a string, got ${describe(value)}`);
  checkKeys(value, ["source", "lang", "params", "id", "inline", "options"], "script_score script");
  if (value.id !== undefined)
    throw illegalArgument(
      "[script_score] stored scripts (script.id) are not supported; send the script's source",
    );
  const source = value.source ?? value.inline;
  if (typeof source !== "string") throw parsingError("[script_score] [script] requires a string [source]");
  const lang = value.lang === undefined ? "painless" : String(value.lang);
  if (lang !== "painless" && lang !== "knn")
    throw illegalArgument(
      `[script_score] script lang [${lang}] is not supported; use [knn] (source knn_score) or [painless] with the k-NN functions`,
    );
  if (value.params !== undefined && !isObject(value.params))
    throw parsingError(`[script_score] [script.params] must be an object, got ${describe(value.params)}`);
  return { source, lang, params: (value.params as Record<string, unknown> | undefined) ?? {} };
}

/** The k-NN plugin's `knn_score` script. */
function knnScoreScript(ctx: QueryContext, source: string, params: Record<string, unknown>): ScoreFn {
  if (source !== "knn_score")
    throw illegalArgument(
      `Unknown script name [${source}] for lang [knn]; the k-NN score script is [knn_score]`,
    );
  const { field, query_value: value, space_type: spaceType } = params;
  if (typeof field !== "string") throw illegalArgument("Missing parameter [field] of the knn_score script");
  if (value === undefined) throw illegalArgument("Missing parameter [query_value] of the knn_score script");
  if (typeof spaceType !== "string")
    throw illegalArgument("Missing parameter [space_type] of the knn_score script");
  const score = KNN_SCORE_SPACES[spaceType];
  if (!score)
    throw illegalArgument(
      `Invalid space type [${spaceType}] for the knn_score script; supported: [${Object.keys(KNN_SCORE_SPACES).join(", ")}]`,
    );
  const fm = ctx.mapping.fields.get(field);
  if (fm?.type !== "knn_vector" || fm.dimension === undefined)
    throw illegalArgument(
      `Incompatible field_type for ${spaceType} space. The field type must be knn_vector.`,
    );
  const query = queryVector(value, field, fm.dimension, "knn_score");
  const queryNorm = norm(query);
  if (spaceType === "cosinesimil" && queryNorm === 0)
    throw illegalArgument(`zero vector is not supported when space type is [cosinesimil] (field [${field}])`);
  return (seg, doc) => {
    const vf = seg.vectors.get(field);
    if (!vf?.present[doc]) return 0;
    return score(query, queryNorm, vf.data, doc * vf.dimension);
  };
}

class ScriptScoreWeight implements Weight {
  constructor(
    readonly inner: Weight,
    readonly fn: ScoreFn,
    readonly source: string,
    readonly boost: number,
    readonly minScore: number | undefined,
  ) {}

  hits(seg: Segment): Hits {
    const inner = this.inner.hits(seg);
    // filter context (boost 0, no min_score) needs no scores, so the script does not run
    if (this.boost === 0 && this.minScore === undefined)
      return { docs: inner.docs, scores: new Float32Array(inner.docs.length) };
    const out = new HitsBuilder(inner.docs.length);
    for (let i = 0; i < inner.docs.length; i++) {
      const d = inner.docs[i] as number;
      const score = this.score(seg, d, inner.scores[i] as number);
      if (this.minScore === undefined || score >= this.minScore) out.push(d, score);
    }
    return out.finish();
  }

  explain(seg: Segment, doc: number): Explanation | null {
    const inner = this.inner.explain(seg, doc);
    if (!inner) return null;
    const value = this.score(seg, doc, inner.value);
    if (this.minScore !== undefined && value < this.minScore) return null;
    return explain(value, `script score function, computed with script:"${this.source}", product of:`, [
      explain(Math.fround(this.fn(seg, doc, inner.value)), "script result, with _score:", [inner]),
      explain(this.boost, "boost"),
    ]);
  }

  collectTerms(out: Map<string, Set<string>>): void {
    this.inner.collectTerms(out);
  }

  private score(seg: Segment, doc: number, innerScore: number): number {
    const s = this.fn(seg, doc, innerScore);
    if (!(s >= 0))
      throw new EngineError(
        400,
        "illegal_argument_exception",
        `script_score script returned an invalid score [${s}] for doc [${seg.ids[doc]}]. Must be a non-negative score!`,
      );
    return Math.fround(Math.fround(s) * this.boost);
  }
}
