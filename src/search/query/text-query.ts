/**
 * Full-text queries from analysed text, the way Lucene's QueryBuilder (used by ES's match family)
 * builds them: one term → term query; stacked tokens → synonym query; a token graph (multi-word
 * synonyms from synonym_graph) → a disjunction of its paths, multi-term paths as phrases; several
 * positions → a boolean of the parts with the query's operator.
 */
import type { Token } from "../analysis/types.ts";
import type { FieldMapping } from "../mapping.ts";
import type { QueryContext } from "./context.ts";
import { BoolWeight, NoMatchWeight, PhraseWeight, TermWeight, type Weight } from "./weights.ts";

export interface TextQueryOptions {
  operator: "or" | "and";
  /** Resolves a minimum_should_match spec against the clause count. */
  minimumShouldMatch?: (clauses: number) => number;
  boost: number;
  analyzer?: string;
  /** Expands a term into fuzzy variants (already-analysed term → terms with boosts). */
  expand?: (field: string, term: string) => { term: string; boost: number }[];
  quoted?: boolean;
}

/** Splits tokens into runs no token crosses (Lucene's articulation points). */
function graphSegments(tokens: Token[]): Token[][] {
  const sorted = [...tokens].sort((a, b) => a.position - b.position);
  const out: Token[][] = [];
  let current: Token[] = [];
  let end = -1;
  for (const t of sorted) {
    if (current.length && t.position >= end) {
      out.push(current);
      current = [];
    }
    current.push(t);
    end = Math.max(end, t.position + (t.positionLength ?? 1));
  }
  if (current.length) out.push(current);
  return out;
}

/** All paths through a token graph segment, as term lists. */
function graphPaths(tokens: Token[]): string[][] {
  const start = Math.min(...tokens.map((t) => t.position));
  const end = Math.max(...tokens.map((t) => t.position + (t.positionLength ?? 1)));
  const paths: string[][] = [];
  const walk = (pos: number, path: string[]) => {
    if (paths.length > 64) return; // bound pathological graphs
    if (pos === end) {
      paths.push(path);
      return;
    }
    for (const t of tokens) if (t.position === pos) walk(pos + (t.positionLength ?? 1), [...path, t.term]);
  };
  walk(start, []);
  return paths;
}

function termWeight(ctx: QueryContext, field: string, terms: string[], opts: TextQueryOptions): Weight {
  if (opts.expand && terms.length === 1) {
    const variants = opts.expand(field, terms[0] as string);
    if (!variants.length) return new NoMatchWeight();
    if (variants.length === 1 && variants[0]?.boost === 1)
      return new TermWeight(ctx, field, [variants[0].term], opts.boost);
    return new BoolWeight(
      [],
      variants.map((v) => new TermWeight(ctx, field, [v.term], Math.fround(opts.boost * v.boost))),
      [],
      [],
      1,
    );
  }
  return new TermWeight(ctx, field, terms, opts.boost);
}

export function matchQuery(
  ctx: QueryContext,
  field: FieldMapping,
  text: string,
  opts: TextQueryOptions,
): Weight {
  const analyzer = opts.analyzer
    ? ctx.analyzer(opts.analyzer)
    : ctx.searchAnalyzer(field, opts.quoted ?? false);
  const tokens = analyzer.analyze(text);
  if (!tokens.length) return new NoMatchWeight();
  const clauses: Weight[] = [];
  for (const seg of graphSegments(tokens)) {
    const isGraph =
      seg.some((t) => (t.positionLength ?? 1) > 1) || new Set(seg.map((t) => t.position)).size > 1;
    if (!isGraph) {
      clauses.push(termWeight(ctx, field.path, [...new Set(seg.map((t) => t.term))], opts));
      continue;
    }
    const paths = graphPaths(seg).map((terms) =>
      terms.length === 1
        ? termWeight(ctx, field.path, terms, opts)
        : new PhraseWeight(
            ctx,
            field.path,
            terms.map((t) => [t]),
            terms.map((_, i) => i),
            0,
            opts.boost,
          ),
    );
    clauses.push(paths.length === 1 ? (paths[0] as Weight) : new BoolWeight([], paths, [], [], 1));
  }
  if (clauses.length === 1) return clauses[0] as Weight;
  if (opts.operator === "and") return new BoolWeight(clauses, [], [], [], 0);
  const msm = opts.minimumShouldMatch ? opts.minimumShouldMatch(clauses.length) : 1;
  return new BoolWeight([], clauses, [], [], msm);
}

export function phraseQuery(
  ctx: QueryContext,
  field: FieldMapping,
  text: string,
  slop: number,
  boost: number,
  analyzerName?: string,
): Weight {
  const analyzer = analyzerName ? ctx.analyzer(analyzerName) : ctx.searchAnalyzer(field, true);
  const tokens = analyzer.analyze(text);
  if (!tokens.length) return new NoMatchWeight();
  const byPosition = new Map<number, string[]>();
  for (const t of tokens) {
    const list = byPosition.get(t.position) ?? [];
    if (!list.includes(t.term)) list.push(t.term);
    byPosition.set(t.position, list);
  }
  const positions = [...byPosition.keys()].sort((a, b) => a - b);
  if (positions.length === 1)
    return new TermWeight(ctx, field.path, byPosition.get(positions[0] as number) as string[], boost);
  const base = positions[0] as number;
  return new PhraseWeight(
    ctx,
    field.path,
    positions.map((p) => byPosition.get(p) as string[]),
    positions.map((p) => p - base),
    slop,
    boost,
  );
}

/** The analysed terms of a text (for prefix-of-last-term queries and highlighting). */
export function analyzeTerms(
  ctx: QueryContext,
  field: FieldMapping,
  text: string,
  analyzer?: string,
): Token[] {
  return (analyzer ? ctx.analyzer(analyzer) : ctx.searchAnalyzer(field, false)).analyze(text);
}
