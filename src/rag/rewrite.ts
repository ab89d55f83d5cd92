/**
 * Follow-up questions made self-contained before retrieval, so "How do I deploy it?" after "How do
 * I train an embedding model?" searches for deploying the embedding model.
 *
 * Deterministic (the built-in answerer's apps, and the fallback for an upstream LLM):
 * - the topic of the previous turn is the noun phrase of its (already rewritten) question: the
 *   words after its first article or determiner up to the next function word ("an embedding
 *   model" → "embedding model"), else its longest run of content words without a leading verb;
 * - a reference to it — it, they, them, this/that/these/those on their own (followed by a
 *   function word or the end), its/their, "which one", a trailing "there" — is replaced by the
 *   topic ("How do I deploy the embedding model?");
 * - an elliptical follow-up ("and on OpenSearch?", "what about RRF?", a two-word "OpenSearch?")
 *   is read against the previous question: "what/how about X" puts X in place of its topic, "and …"
 *   and short fragments are appended to it.
 * With an upstream LLM, `condenseMessages` asks the model itself (see chat.ts).
 */
import type { ChatMessage } from "../serving/chat-types.ts";
import { STOP_WORDS } from "../serving/terms.ts";
import type { Turn } from "./prompts.ts";

const DETERMINERS = new Set(["a", "an", "the", "my", "our", "your", "this", "that", "these", "those"]);
const OBJECT_PRONOUNS = new Set(["it", "they", "them"]);
const POSSESSIVES = new Set(["its", "their"]);
const DEMONSTRATIVES = new Set(["this", "that", "these", "those"]);
/** Verbs that start a question's content words ("train an embedder") but are not its topic. */
const VERBS = new Set(
  (
    "add build change check choose compare configure create debug define delete deploy do enable find fix get " +
    "index ingest install list load make measure move register reload remove rename restart run scale search " +
    "see set show start stop store test train tune update upload use work mean happen"
  ).split(" "),
);
const WH =
  /^(what|which|who|whom|whose|when|where|why|how|is|are|do|does|did|can|could|should|will|would)\b/i;
const LEAD_APPEND = /^(and|or|also|plus|but)\b[\s,]*/i;
const LEAD_REPLACE = /^(what|how)\s+about\b[\s,]*/i;

const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’_.-]*[\p{L}\p{N}]|[\p{L}\p{N}]/gu;

interface Word {
  text: string;
  lower: string;
  start: number;
  end: number;
}

function words(text: string): Word[] {
  return [...text.matchAll(WORD)].map((m) => ({
    text: m[0],
    lower: m[0].toLowerCase(),
    start: m.index as number,
    end: (m.index as number) + m[0].length,
  }));
}

const isFunctionWord = (w: Word | undefined) => w === undefined || STOP_WORDS.has(w.lower);

/** Where a question's topic is: the phrase without its article, and the span with it. */
function topicSpan(question: string): { phrase: string; start: number; end: number } | undefined {
  const ws = words(question);
  const det = ws.findIndex((w, i) => DETERMINERS.has(w.lower) && !isFunctionWord(ws[i + 1]));
  const trimVerbs = (run: Word[]) => {
    if (run.length > 1 && VERBS.has((run[0] as Word).lower)) run = run.slice(1);
    if (run.length > 1 && VERBS.has((run.at(-1) as Word).lower)) run = run.slice(0, -1);
    return run;
  };
  let run: Word[] = [];
  if (det >= 0) {
    for (let i = det + 1; i < ws.length && !isFunctionWord(ws[i]); i++) run.push(ws[i] as Word);
    run = run.length > 1 && VERBS.has((run.at(-1) as Word).lower) ? run.slice(0, -1) : run;
  } else {
    let current: Word[] = [];
    for (const w of [...ws, undefined]) {
      if (w && !isFunctionWord(w)) current.push(w);
      else {
        current = trimVerbs(current);
        if (current.length > run.length) run = current;
        current = [];
      }
    }
  }
  if (run.length === 0) return undefined;
  const first = run[0] as Word;
  const last = run.at(-1) as Word;
  return {
    // the phrase as the user wrote it, punctuation between its words included
    phrase: question.slice(first.start, last.end),
    start: det >= 0 ? (ws[det] as Word).start : first.start,
    end: last.end,
  };
}

/** The noun phrase a question is about, without its article; undefined when it has none. */
export function topicOf(question: string): string | undefined {
  return topicSpan(question)?.phrase;
}

interface Replacement {
  start: number;
  end: number;
  text: string;
}

/** The references to the previous topic in a question and what replaces each. */
function references(question: string, topic: string): Replacement[] {
  const ws = words(question);
  const out: Replacement[] = [];
  for (const [i, w] of ws.entries()) {
    const next = ws[i + 1];
    const prev = ws[i - 1];
    if (OBJECT_PRONOUNS.has(w.lower)) out.push({ start: w.start, end: w.end, text: `the ${topic}` });
    else if (POSSESSIVES.has(w.lower)) out.push({ start: w.start, end: w.end, text: `the ${topic}'s` });
    else if (DEMONSTRATIVES.has(w.lower) && isFunctionWord(next))
      out.push({ start: w.start, end: w.end, text: `the ${topic}` });
    else if ((w.lower === "one" || w.lower === "ones") && prev && /^(which|that|this|the)$/.test(prev.lower))
      out.push({
        start: prev.start,
        end: w.end,
        text: `${prev.lower === "which" ? prev.text : "the"} ${topic}`,
      });
    else if (w.lower === "there" && next === undefined && i > 0)
      out.push({ start: w.start, end: w.end, text: `in the ${topic}` });
  }
  return out;
}

const stripEnd = (q: string) => q.trim().replace(/[?.!\s]+$/, "");
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The question rewritten against the session's previous turns (most recent last). */
export function rewriteFollowUp(question: string, history: readonly Turn[]): string {
  const q = question.trim();
  const previous = history.at(-1);
  if (!previous) return q;
  const before = previous.rewritten_query || previous.query;
  const span = topicSpan(before);
  const topic = span?.phrase;

  const replaceLead = LEAD_REPLACE.exec(q);
  if (replaceLead) {
    const fragment = stripEnd(q.slice(replaceLead[0].length));
    if (!fragment) return q;
    if (span) return `${before.slice(0, span.start)}${fragment}${before.slice(span.end)}`;
    return `${stripEnd(before)} ${fragment}?`;
  }
  const appendLead = LEAD_APPEND.exec(q);
  const short = words(q).length <= 3 && !WH.test(q) && references(q, "x").length === 0;
  if (appendLead || short) {
    const fragment = stripEnd(appendLead ? q.slice(appendLead[0].length) : q);
    if (!fragment) return q;
    return `${stripEnd(before)} ${fragment}?`;
  }
  if (!topic) return q;
  const found = references(q, topic);
  if (found.length === 0) return q;
  let out = q;
  for (const r of found.reverse()) out = out.slice(0, r.start) + r.text + out.slice(r.end);
  return capitalise(out);
}

/** The messages asking an upstream LLM for a self-contained version of the last question. */
export function condenseMessages(question: string, history: readonly Turn[]): ChatMessage[] {
  const conversation = history.map((t) => `User: ${t.query}\nAssistant: ${t.answer}`).join("\n");
  return [
    {
      role: "system",
      content:
        "Rewrite the user's follow-up question so that it can be understood without the conversation: replace pronouns and references with what they refer to. Reply with the rewritten question only.",
    },
    {
      role: "user",
      content: `Conversation:\n${conversation}\n\nFollow-up question: ${question}\n\nStandalone question:`,
    },
  ];
}

/** The model's rewritten question, or undefined when its reply is not a usable question. */
export function condensedQuestion(reply: string): string | undefined {
  const line = reply
    .trim()
    .split("\n")[0]
    ?.replace(/^(standalone question|question)\s*:\s*/i, "")
    .replace(/^["'“]|["'”]$/g, "")
    .trim();
  return line && line.length <= 1000 ? line : undefined;
}
