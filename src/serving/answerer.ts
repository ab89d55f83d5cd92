/**
 * The built-in offline answerer (model `lodestone-answerer`): a ChatProvider that needs no model
 * and no network. It answers only from the passages in the messages, by quoting them:
 *
 * 1. `parsePrompt` finds numbered passages (`[1] …`, `[2] …` lines in system, user or tool messages,
 *    or a `Context:` block, whose unnumbered paragraphs are numbered in order) and the question
 *    (the last user message without its passages, or its `Question:` line). ANSWERER.md has the
 *    format in full.
 * 2. Passages are split into sentences (`sentences.ts`); each is scored against the question with
 *    BM25 over stemmed content words (stop words ignored, IDF over the given sentences, k1 1.2,
 *    b 0.75), times a small bonus for the passage's rank (+10% for the first, +5% for the second, …).
 * 3. A sentence is relevant when it contains at least two of the question's content words (the
 *    one, for a one-word question) and those words carry at least 25% of the question's IDF
 *    weight. None is when the question names something no sentence has: a word with a digit, or
 *    capitalised but not first in its sentence ("Mongolia", "PostgreSQL", "1998"). Relevant sentences are taken best first, MMR-style: one whose content words mostly
 *    (70%) appear in an already chosen sentence is skipped; taking stops at 3 sentences, below 35%
 *    of the best score, or when the next one would exceed `maxTokens` (finishReason "length").
 * 4. The chosen sentences are printed in passage order, then in their order within the passage,
 *    each verbatim (whitespace collapsed) and followed by ` [n]`, the number of its passage.
 *
 * With no relevant sentence the reply says "The answer is not in the provided passages." (naming
 * the passages that came closest, if any shared a word with the question); with no passages,
 * "No passages were provided, so the answer is not in the provided passages."
 *
 * Deterministic: `temperature` is accepted and ignored. Tokens are whitespace-separated words, for
 * `maxTokens` and for `usage`. `maxTokens` is a hard limit on every reply: when not even one
 * sentence fits, the reply is the first words of the best sentence and its marker.
 */
import type { ChatProvider, ChatRequest, ChatResult, ChatUsage } from "./chat-types.ts";
import { type Passage, parsePrompt } from "./passages.ts";
import { normalizeSpace, type SentenceKind, splitSentences } from "./sentences.ts";
import { contentTerms, countWords, namedTerms } from "./terms.ts";

export const ANSWERER_MODEL = "lodestone-answerer";

export const NOT_FOUND = "The answer is not in the provided passages.";
export const NO_PASSAGES = "No passages were provided, so the answer is not in the provided passages.";
export const NO_QUESTION =
  "The question has no words to look up in the passages, so the answer is not in the provided passages.";

export interface AnswererOptions {
  /** The model name it is served under; default `lodestone-answerer`. */
  name?: string;
  /** Most sentences in an answer; default 3. */
  maxSentences?: number;
  /** A sentence below this share of the best sentence's score is left out; default 0.35. */
  relativeThreshold?: number;
  /** The least share of the question's IDF weight a relevant sentence must match; default 0.25. */
  minCoverage?: number;
  /** A sentence whose content words are this share or more in a chosen one is skipped; default 0.7. */
  redundancy?: number;
  /** Refuse when the question names something (a number, a capitalised word) no passage has; default true. */
  checkNames?: boolean;
}

/** What the answerer decided, before it is put into words; exported for tests and explanations. */
export interface Answer {
  content: string;
  finishReason: "stop" | "length";
  /** The quoted sentences in answer order, with the passage each cites. */
  sentences: { text: string; passage: number }[];
}

interface Candidate {
  text: string;
  passage: Passage;
  rank: number;
  position: number;
  terms: string[];
  score: number;
  matched: number;
  coverage: number;
}

const K1 = 1.2;
const B = 0.75;
const RANK_BONUS = 0.1;
/** Headings are labels, not statements: they never answer on their own. */
const ANSWERABLE: ReadonlySet<SentenceKind> = new Set(["prose", "list", "table", "code"]);

export class ExtractiveAnswerer implements ChatProvider {
  readonly name: string;
  private readonly maxSentences: number;
  private readonly relativeThreshold: number;
  private readonly minCoverage: number;
  private readonly redundancy: number;
  private readonly checkNames: boolean;

  constructor(options: AnswererOptions = {}) {
    this.name = options.name ?? ANSWERER_MODEL;
    this.maxSentences = options.maxSentences ?? 3;
    this.relativeThreshold = options.relativeThreshold ?? 0.35;
    this.minCoverage = options.minCoverage ?? 0.25;
    this.redundancy = options.redundancy ?? 0.7;
    this.checkNames = options.checkNames ?? true;
  }

  async complete(req: ChatRequest): Promise<ChatResult> {
    req.signal?.throwIfAborted();
    const answer = this.answer(req);
    return { content: answer.content, finishReason: answer.finishReason, usage: usage(req, answer.content) };
  }

  /** The answer word by word (each with its trailing space), then `{delta: "", finishReason, usage}`. */
  async *stream(
    req: ChatRequest,
  ): AsyncGenerator<{ delta: string; finishReason?: "stop" | "length"; usage?: ChatUsage }> {
    req.signal?.throwIfAborted();
    const answer = this.answer(req);
    for (const word of answer.content.match(/\S+\s*/g) ?? []) {
      req.signal?.throwIfAborted();
      yield { delta: word };
    }
    yield { delta: "", finishReason: answer.finishReason, usage: usage(req, answer.content) };
  }

  /** The answer to the request's messages; synchronous and deterministic. */
  answer(req: Pick<ChatRequest, "messages" | "maxTokens">): Answer {
    const limit =
      req.maxTokens !== undefined && Number.isFinite(req.maxTokens) && req.maxTokens > 0
        ? Math.floor(req.maxTokens)
        : Number.POSITIVE_INFINITY;
    const { passages, question } = parsePrompt(req.messages);
    if (passages.length === 0) return fixed(NO_PASSAGES, limit);
    const queryTerms = [...new Set(contentTerms(question))];
    if (queryTerms.length === 0) return fixed(NO_QUESTION, limit);

    const { candidates, df } = score(passages, queryTerms);
    // A question about a name the passages never mention is about something they do not cover.
    const unknownName = this.checkNames && namedTerms(question).some((t) => !df.has(t));
    const needed = Math.min(2, queryTerms.length);
    const relevant = unknownName
      ? []
      : candidates.filter((c) => c.matched >= needed && c.coverage >= this.minCoverage).sort(byScore);
    if (relevant.length === 0) return fixed(notFound(candidates), limit);

    const best = relevant[0] as Candidate;
    const chosen: Candidate[] = [];
    let used = 0;
    let cut = false;
    for (const c of relevant) {
      if (chosen.length >= this.maxSentences || c.score < this.relativeThreshold * best.score) break;
      if (chosen.some((d) => this.redundant(c, d))) continue;
      const cost = countWords(c.text) + 1;
      if (used + cost > limit) {
        cut = true;
        break;
      }
      chosen.push(c);
      used += cost;
    }
    if (chosen.length === 0) {
      // Not even the best sentence fits: like a model that hit max_tokens, stop mid-sentence.
      const words = best.text.split(" ").slice(0, Math.max(0, limit - 1));
      const content = limit >= 2 ? `${words.join(" ")} [${best.passage.id}]` : (words[0] ?? "");
      return {
        content,
        finishReason: "length",
        sentences: [{ text: words.join(" "), passage: best.passage.id }],
      };
    }
    chosen.sort((a, b) => a.rank - b.rank || a.position - b.position);
    return {
      content: chosen.map((c) => `${c.text} [${c.passage.id}]`).join(" "),
      finishReason: cut ? "length" : "stop",
      sentences: chosen.map((c) => ({ text: c.text, passage: c.passage.id })),
    };
  }

  /** Whether most of `c`'s content words are already in the chosen sentence `d`. */
  private redundant(c: Candidate, d: Candidate): boolean {
    if (c.text === d.text) return true;
    const mine = new Set(c.terms);
    if (mine.size === 0) return true;
    const theirs = new Set(d.terms);
    let shared = 0;
    for (const t of mine) if (theirs.has(t)) shared++;
    return shared / mine.size >= this.redundancy;
  }
}

/** Every answerable sentence of every passage, scored against the question. */
function score(
  passages: Passage[],
  queryTerms: string[],
): { candidates: Candidate[]; df: Map<string, number> } {
  const candidates: Candidate[] = [];
  passages.forEach((passage, rank) => {
    splitSentences(passage.text).forEach((s, position) => {
      if (!ANSWERABLE.has(s.kind)) return;
      const text = normalizeSpace(s.text);
      candidates.push({
        text,
        passage,
        rank,
        position,
        terms: contentTerms(text),
        score: 0,
        matched: 0,
        coverage: 0,
      });
    });
  });
  const n = candidates.length;
  const df = new Map<string, number>();
  let totalLength = 0;
  for (const c of candidates) {
    totalLength += c.terms.length;
    for (const t of new Set(c.terms)) df.set(t, (df.get(t) ?? 0) + 1);
  }
  const avgLength = Math.max(1, totalLength / Math.max(1, n));
  // Lucene's BM25 IDF: always positive; a word in no sentence gets the highest weight.
  const idf = (t: string) => Math.log(1 + (n - (df.get(t) ?? 0) + 0.5) / ((df.get(t) ?? 0) + 0.5));
  const totalWeight = queryTerms.reduce((sum, t) => sum + idf(t), 0);

  for (const c of candidates) {
    const tf = new Map<string, number>();
    for (const t of c.terms) tf.set(t, (tf.get(t) ?? 0) + 1);
    const norm = K1 * (1 - B + (B * c.terms.length) / avgLength);
    let bm25 = 0;
    let weight = 0;
    for (const q of queryTerms) {
      const f = tf.get(q);
      if (!f) continue;
      bm25 += (idf(q) * f * (K1 + 1)) / (f + norm);
      weight += idf(q);
      c.matched++;
    }
    c.coverage = totalWeight > 0 ? weight / totalWeight : 0;
    c.score = bm25 * (1 + RANK_BONUS / (1 + c.rank));
  }
  return { candidates, df };
}

function byScore(a: Candidate, b: Candidate): number {
  return b.score - a.score || a.rank - b.rank || a.position - b.position;
}

/** The refusal, naming up to two passages that shared a word with the question. */
function notFound(candidates: Candidate[]): string {
  const closest: number[] = [];
  for (const c of candidates.filter((c) => c.matched > 0).sort(byScore)) {
    if (!closest.includes(c.passage.id)) closest.push(c.passage.id);
    if (closest.length === 2) break;
  }
  if (closest.length === 0) return NOT_FOUND;
  const names = closest.map((id) => `[${id}]`).join(" and ");
  return `${NOT_FOUND} The closest ${closest.length === 1 ? "passage was" : "passages were"} ${names}.`;
}

function fixed(text: string, limit: number): Answer {
  const words = text.split(" ");
  if (words.length <= limit) return { content: text, finishReason: "stop", sentences: [] };
  return { content: words.slice(0, limit).join(" "), finishReason: "length", sentences: [] };
}

function usage(req: ChatRequest, content: string): ChatUsage {
  const prompt = req.messages.reduce((sum, m) => sum + countWords(m.content), 0);
  const completion = countWords(content);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
