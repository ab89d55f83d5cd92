/**
 * Synonym sets proposed from the embedder's nearest neighbours: the words of the training queries
 * and the corpus vocabulary (words in at least two documents) are embedded through ML Commons
 * `_predict`; each query word's nearest vocabulary words with another stem (by the field's own
 * analyzer, through `_analyze`) above a cosine threshold become candidate rules `word, neighbour`.
 * Candidates are added one at a time, best cosine first, and kept only when they raise the
 * training metric (forward selection); the tuner then checks the set on the held-out queries.
 */
import type { TuneConfig } from "../config.ts";
import type { Judgements } from "../request.ts";
import type { Stage, StageContext, StageResult, Trial } from "../stage.ts";

const MAX_VOCABULARY = 4000;
const MIN_COSINE = 0.7;
const NEIGHBOURS_PER_WORD = 2;
const MAX_CANDIDATES = 30;
const EMBED_BATCH = 256;

const WORD = /\p{L}[\p{L}\p{N}]*/gu;
const wordsOf = (text: string) =>
  [...new Set(text.toLowerCase().match(WORD) ?? [])].filter((w) => w.length >= 3);

/** Words in ≥ 2 texts, most frequent first, at most MAX_VOCABULARY. */
export function vocabulary(texts: string[]): string[] {
  const df = new Map<string, number>();
  for (const t of texts) for (const w of wordsOf(t)) df.set(w, (df.get(w) ?? 0) + 1);
  return [...df]
    .filter(([, n]) => n >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, MAX_VOCABULARY)
    .map(([w]) => w);
}

/** Each word's analysed form through the field (undefined for stop words), from one `_analyze` call. */
async function stems(ctx: StageContext, field: string, words: string[]): Promise<Array<string | undefined>> {
  const starts: number[] = [];
  let offset = 0;
  for (const w of words) {
    starts.push(offset);
    offset += w.length + 1;
  }
  const res = await ctx.transport.json<{ tokens: Array<{ token: string; start_offset: number }> }>(
    "POST",
    `/${ctx.scratch.name}/_analyze`,
    { body: { field, text: words.join("\n") } },
  );
  const byStart = new Map(res.tokens.map((t) => [t.start_offset, t.token]));
  return starts.map((s) => byStart.get(s));
}

async function embed(ctx: StageContext, texts: string[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (let i = 0; i < texts.length; i += EMBED_BATCH) {
    const res = await ctx.transport.json<{ inference_results: Array<{ output: Array<{ data: number[] }> }> }>(
      "POST",
      `/_plugins/_ml/_predict/text_embedding/${ctx.req.embedder}`,
      { body: { text_docs: texts.slice(i, i + EMBED_BATCH) } },
    );
    for (const r of res.inference_results) {
      const v = Float32Array.from(r.output[0]?.data ?? []);
      let norm = 0;
      for (const x of v) norm += x * x;
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) / norm;
      out.push(v);
    }
  }
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

interface CandidateRule {
  rule: string;
  cosine: number;
}

export async function proposeSynonyms(ctx: StageContext, field: string): Promise<CandidateRule[]> {
  const vocab = vocabulary(ctx.scratch.texts);
  const queryWords = [...new Set(ctx.req.train.queries.flatMap((q) => wordsOf(q.text)))];
  const all = [...new Set([...queryWords, ...vocab])];
  const allStems = await stems(ctx, field, all);
  const stemOf = new Map(all.map((w, i) => [w, allStems[i]]));
  const usable = (w: string) => stemOf.get(w) !== undefined;
  const vocabUsable = vocab.filter(usable);
  const queryUsable = queryWords.filter(usable);
  const vectors = await embed(ctx, [...queryUsable, ...vocabUsable]);
  const vocabVectors = vectors.slice(queryUsable.length);
  const rules = new Map<string, number>();
  queryUsable.forEach((w, i) => {
    const qv = vectors[i] as Float32Array;
    const near = vocabUsable
      .map((v, j) => ({ v, cos: dot(qv, vocabVectors[j] as Float32Array) }))
      .filter((x) => x.cos >= MIN_COSINE && stemOf.get(x.v) !== stemOf.get(w))
      .sort((a, b) => b.cos - a.cos)
      .slice(0, NEIGHBOURS_PER_WORD);
    for (const { v, cos } of near) {
      const rule = [w, v].sort().join(", ");
      rules.set(rule, Math.max(cos, rules.get(rule) ?? 0));
    }
  });
  return [...rules]
    .map(([rule, cosine]) => ({ rule, cosine }))
    .sort((a, b) => b.cosine - a.cosine || (a.rule < b.rule ? -1 : 1))
    .slice(0, MAX_CANDIDATES);
}

async function synonyms(
  ctx: StageContext,
  current: TuneConfig,
  currentTrain: number,
  on: Judgements,
): Promise<StageResult> {
  if ("unavailable" in ctx.scratch.synonyms) return { skipped: ctx.scratch.synonyms.unavailable };
  const field = ctx.scratch.synonyms.fields[0] as string;
  const candidates = await proposeSynonyms(ctx, field);
  if (candidates.length === 0)
    return { skipped: `no neighbour pair reached cosine ${MIN_COSINE} among the query and corpus words` };
  let config = current;
  let train = currentTrain;
  const trials: Trial[] = [];
  for (const [i, c] of candidates.entries()) {
    const candidate = { ...config, synonyms: [...config.synonyms, c.rule] };
    const value = await ctx.measure(candidate, on, "lexical");
    trials.push({ params: `${c.rule} (cosine ${c.cosine.toFixed(2)})`, train: value });
    if (value > train + 1e-9) {
      config = candidate;
      train = value;
    }
    const kept = config.synonyms.length - current.synonyms.length;
    ctx.progress("synonyms", i + 1, candidates.length, `${c.rule}: ${value.toFixed(4)}, ${kept} kept`);
  }
  const added = config.synonyms.slice(current.synonyms.length);
  return {
    best: config,
    bestTrain: train,
    change: added.length ? `add ${added.map((r) => `"${r}"`).join(", ")}` : "",
    trials,
  };
}

export const synonymsStage: Stage = { name: "synonyms", view: "lexical", run: synonyms };
