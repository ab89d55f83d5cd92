/**
 * function_score (field_value_factor, gauss/exp/linear decay, weight, random_score) and the
 * boosting query, combining function values with the query score as Elasticsearch does
 * (score_mode across functions, boost_mode with the query score, max_boost, min_score).
 */
import { EngineError, parsingError } from "../errors.ts";
import { parseDate } from "../index/dates.ts";
import type { Segment } from "../index/segment.ts";
import { isObject } from "../mapping.ts";
import type { QueryContext } from "./context.ts";
import { asObject, checkKeys, numberParam, stringParam } from "./dsl-values.ts";
import { type Explanation, explain } from "./explanation.ts";
import { findDoc, type Hits } from "./hits.ts";
import { allDocs, DocSetWeight, type Weight } from "./weights.ts";

/** Score functions that may also stand inline in the function_score body. */
const INLINE_FUNCTIONS = [
  "weight",
  "field_value_factor",
  "gauss",
  "exp",
  "linear",
  "random_score",
  "script_score",
];
const f = Math.fround;
type DocFunction = (seg: Segment, doc: number, score: number) => number;

interface ScoreFunction {
  filter: Weight | undefined;
  fn: DocFunction;
  description: string;
}

const SCORE_MODES = ["multiply", "sum", "avg", "first", "max", "min"];
const BOOST_MODES = ["multiply", "replace", "sum", "avg", "max", "min"];
const MODIFIERS: Record<string, (v: number) => number> = {
  none: (v) => v,
  log: (v) => Math.log10(v),
  log1p: (v) => Math.log10(v + 1),
  log2p: (v) => Math.log10(v + 2),
  ln: (v) => Math.log(v),
  ln1p: (v) => Math.log1p(v),
  ln2p: (v) => Math.log(v + 2),
  square: (v) => v * v,
  sqrt: (v) => Math.sqrt(v),
  reciprocal: (v) => 1 / v,
};

function firstNumeric(seg: Segment, field: string, doc: number): number | undefined {
  const dv = seg.docValues.get(field);
  if (dv?.kind !== "numeric") return undefined;
  const start = dv.start[doc] as number;
  return start < (dv.start[doc + 1] as number) ? (dv.values[start] as number) : undefined;
}

function fieldValueFactor(spec: Record<string, unknown>): ScoreFunction["fn"] {
  checkKeys(spec, ["field", "factor", "modifier", "missing"], "field_value_factor");
  const field = stringParam(spec.field, "field_value_factor", "field");
  const factor = spec.factor === undefined ? 1 : numberParam(spec.factor, "field_value_factor", "factor");
  const modifierName = String(spec.modifier ?? "none");
  const modifier = MODIFIERS[modifierName];
  if (!modifier)
    throw parsingError(
      `[field_value_factor] illegal modifier [${modifierName}]; expected one of ${Object.keys(MODIFIERS).join(", ")}`,
    );
  const missing =
    spec.missing === undefined ? undefined : numberParam(spec.missing, "field_value_factor", "missing");
  return (seg, doc) => {
    const v = firstNumeric(seg, field, doc) ?? missing;
    if (v === undefined)
      throw new EngineError(
        400,
        "illegal_argument_exception",
        `Missing value for field [${field}]; set [missing] in field_value_factor`,
      );
    const result = modifier(v * factor);
    if (!Number.isFinite(result)) {
      throw new EngineError(
        400,
        "illegal_argument_exception",
        `field value function must not produce negative, infinite or NaN scores: [${modifierName}] of ${v * factor} for field [${field}]`,
      );
    }
    return result;
  };
}

function parseDistance(value: unknown, isDate: boolean, where: string): number {
  if (typeof value === "number") return value;
  if (isDate && typeof value === "string") {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(value);
    if (m)
      return (
        Number(m[1]) * ({ ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[m[2] as string] as number)
      );
  }
  const n = Number(value);
  if (!Number.isFinite(n)) throw parsingError(`[${where}] could not parse distance [${String(value)}]`);
  return n;
}

function decay(
  kind: "gauss" | "exp" | "linear",
  spec: Record<string, unknown>,
  ctx: QueryContext,
): ScoreFunction["fn"] {
  const fields = Object.keys(spec).filter((k) => k !== "multi_value_mode");
  if (fields.length !== 1) throw parsingError(`[${kind}] requires exactly one field`);
  const fieldName = fields[0] as string;
  const params = asObject(spec[fieldName], kind);
  checkKeys(params, ["origin", "scale", "offset", "decay"], kind);
  const fm = ctx.mapping.fields.get(fieldName);
  const isDate = fm?.type === "date";
  if (params.scale === undefined) throw parsingError(`[${kind}] requires [scale] for field [${fieldName}]`);
  const origin =
    params.origin === undefined || params.origin === "now"
      ? isDate
        ? ctx.now
        : (() => {
            throw parsingError(`[${kind}] requires [origin] for numeric field [${fieldName}]`);
          })()
      : isDate
        ? (parseDate(params.origin, fm?.format) ?? Number.NaN)
        : Number(params.origin);
  if (!Number.isFinite(origin))
    throw parsingError(`[${kind}] could not parse origin [${String(params.origin)}]`);
  const scale = parseDistance(params.scale, isDate, kind);
  const offset = params.offset === undefined ? 0 : parseDistance(params.offset, isDate, kind);
  const decayValue = params.decay === undefined ? 0.5 : numberParam(params.decay, kind, "decay");
  if (!(decayValue > 0 && decayValue < 1))
    throw parsingError(`[${kind}] decay must be in (0, 1), got ${decayValue}`);
  const sigma2 = -(scale * scale) / (2 * Math.log(decayValue));
  const lambda = Math.log(decayValue) / scale;
  const s = scale / (1 - decayValue);
  return (seg, doc) => {
    const v = firstNumeric(seg, fieldName, doc);
    if (v === undefined) return 1;
    const d = Math.max(0, Math.abs(v - origin) - offset);
    if (kind === "gauss") return Math.exp((-d * d) / (2 * sigma2));
    if (kind === "exp") return Math.exp(lambda * d);
    return Math.max(0, (s - d) / s);
  };
}

function parseFunction(ctx: QueryContext, spec: Record<string, unknown>, compile: CompileFn): ScoreFunction {
  const weight = spec.weight === undefined ? undefined : numberParam(spec.weight, "function_score", "weight");
  const filter = spec.filter === undefined ? undefined : compile(ctx, spec.filter, 0);
  let base: DocFunction | undefined;
  let description = "weight";
  for (const [key, value] of Object.entries(spec)) {
    if (key === "weight" || key === "filter") continue;
    description = key;
    if (key === "field_value_factor") base = fieldValueFactor(asObject(value, key));
    else if (key === "gauss" || key === "exp" || key === "linear")
      base = decay(key, asObject(value, key), ctx);
    else if (key === "random_score") {
      const seed = isObject(value) && value.seed !== undefined ? Number(value.seed) : 0;
      base = (seg, doc) => {
        // stable per (seed, id) hash, like ES's seeded random_score
        const id = seg.ids[doc] as string;
        let h = 2166136261 ^ seed;
        for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
        return ((h >>> 0) % 16777216) / 16777216;
      };
    } else if (key === "script_score") {
      throw parsingError(
        "[function_score] script_score is not supported by this engine; use field_value_factor or a decay function",
      );
    } else throw parsingError(`function_score: unknown function [${key}]`);
  }
  const w = weight;
  const fn: DocFunction = base
    ? (seg, doc, score) => (base as DocFunction)(seg, doc, score) * (w ?? 1)
    : () => w ?? 1;
  return { filter, fn, description };
}

type CompileFn = (ctx: QueryContext, query: unknown, boost?: number) => Weight;

class FunctionScoreWeight implements Weight {
  constructor(
    readonly query: Weight,
    readonly functions: ScoreFunction[],
    readonly scoreMode: string,
    readonly boostMode: string,
    readonly maxBoost: number,
    readonly minScore: number | undefined,
  ) {}

  private functionValue(
    seg: Segment,
    doc: number,
    score: number,
    filtered: (Int32Array | undefined)[],
  ): number | undefined {
    const values: number[] = [];
    for (let i = 0; i < this.functions.length; i++) {
      const fn = this.functions[i] as ScoreFunction;
      const docs = filtered[i];
      if (docs && findDoc(docs, doc) < 0) continue;
      values.push(fn.fn(seg, doc, score));
      if (this.scoreMode === "first") break;
    }
    if (!values.length) return undefined;
    switch (this.scoreMode) {
      case "sum":
        return values.reduce((a, b) => a + b, 0);
      case "avg":
        return values.reduce((a, b) => a + b, 0) / values.length;
      case "max":
        return Math.max(...values);
      case "min":
        return Math.min(...values);
      case "first":
        return values[0];
      default:
        return values.reduce((a, b) => a * b, 1);
    }
  }

  private combine(score: number, fnValue: number | undefined): number {
    if (fnValue === undefined) return score;
    const v = Math.min(fnValue, this.maxBoost);
    switch (this.boostMode) {
      case "replace":
        return v;
      case "sum":
        return score + v;
      case "avg":
        return (score + v) / 2;
      case "max":
        return Math.max(score, v);
      case "min":
        return Math.min(score, v);
      default:
        return score * v;
    }
  }

  hits(seg: Segment): Hits {
    const inner = this.query.hits(seg);
    const filtered = this.functions.map((fn) => fn.filter?.hits(seg).docs);
    const docs: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < inner.docs.length; i++) {
      const d = inner.docs[i] as number;
      const s = f(
        this.combine(
          inner.scores[i] as number,
          this.functionValue(seg, d, inner.scores[i] as number, filtered),
        ),
      );
      if (this.minScore !== undefined && s < this.minScore) continue;
      docs.push(d);
      scores.push(s);
    }
    return { docs: Int32Array.from(docs), scores: Float32Array.from(scores) };
  }

  explain(seg: Segment, doc: number): Explanation | null {
    const inner = this.query.explain(seg, doc);
    if (!inner) return null;
    const filtered = this.functions.map((fn) => fn.filter?.hits(seg).docs);
    const fnValue = this.functionValue(seg, doc, inner.value, filtered);
    const value = f(this.combine(inner.value, fnValue));
    return explain(value, `function score, score mode [${this.scoreMode}], boost mode [${this.boostMode}]`, [
      inner,
      explain(fnValue ?? 1, `functions: ${this.functions.map((x) => x.description).join(", ")}`),
    ]);
  }

  collectTerms(out: Map<string, Set<string>>): void {
    this.query.collectTerms(out);
  }
}

export const functionScoreQuery = {
  compile(ctx: QueryContext, body: Record<string, unknown>, boost: number, compile: CompileFn): Weight {
    checkKeys(
      body,
      [
        "boost",
        "_name",
        "query",
        "functions",
        "score_mode",
        "boost_mode",
        "max_boost",
        "min_score",
        ...INLINE_FUNCTIONS,
        "filter",
      ],
      "function_score",
    );
    const b =
      body.boost === undefined ? boost : f(boost * numberParam(body.boost, "function_score", "boost"));
    const query =
      body.query === undefined ? new DocSetWeight("*:*", allDocs, b) : compile(ctx, body.query, b);
    const functions: ScoreFunction[] = [];
    if (body.functions !== undefined) {
      if (!Array.isArray(body.functions)) throw parsingError("[function_score] [functions] must be an array");
      for (const spec of body.functions)
        functions.push(parseFunction(ctx, asObject(spec, "function_score"), compile));
    }
    const inline: Record<string, unknown> = {};
    for (const key of INLINE_FUNCTIONS) {
      if (body[key] !== undefined) inline[key] = body[key];
    }
    if (Object.keys(inline).length) {
      if (functions.length)
        throw parsingError(
          "[function_score] already found [functions] array, now encountering an inline function",
        );
      functions.push(parseFunction(ctx, inline, compile));
    }
    const scoreMode = String(body.score_mode ?? "multiply");
    const boostMode = String(body.boost_mode ?? "multiply");
    if (!SCORE_MODES.includes(scoreMode))
      throw parsingError(
        `[function_score] illegal score_mode [${scoreMode}]; expected one of ${SCORE_MODES.join(", ")}`,
      );
    if (!BOOST_MODES.includes(boostMode))
      throw parsingError(
        `[function_score] illegal boost_mode [${boostMode}]; expected one of ${BOOST_MODES.join(", ")}`,
      );
    return new FunctionScoreWeight(
      query,
      functions,
      scoreMode,
      boostMode,
      body.max_boost === undefined
        ? Number.MAX_VALUE
        : numberParam(body.max_boost, "function_score", "max_boost"),
      body.min_score === undefined ? undefined : numberParam(body.min_score, "function_score", "min_score"),
    );
  },

  /** The boosting query: documents matching `negative` get their score multiplied by negative_boost. */
  demote(positive: Weight, negative: Weight, negativeBoost: number): Weight {
    return new FunctionScoreWeight(
      positive,
      [{ filter: negative, fn: () => negativeBoost, description: "negative_boost" }],
      "first",
      "multiply",
      Number.MAX_VALUE,
      undefined,
    );
  },
};
