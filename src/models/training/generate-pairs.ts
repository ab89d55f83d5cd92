/**
 * Training pairs from documents alone, so a user with no judged queries can still fine-tune:
 * - title → body: a document's title asks for its body;
 * - inverse cloze: a sentence of the passage is the query and the passage with that sentence cut
 *   out (most of the time) is the positive, so the model learns to match context, not only copies.
 */
import type { TrainingDoc, TrainingQuery } from "./data.ts";
import { mulberry32 } from "./random.ts";

export interface GenerateOptions {
  /** Queries per document (title first when there is one, then sentences). */
  perDoc: number;
  seed: number;
  /** How often the query sentence is removed from the positive (inverse cloze task: 0.9). */
  removeSentence?: number;
}

const MIN_WORDS = 4;
const MAX_WORDS = 40;

export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?;])\s+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

const wordCount = (s: string) => s.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

export function generatePairs(corpus: readonly TrainingDoc[], opts: GenerateOptions): TrainingQuery[] {
  const random = mulberry32(opts.seed);
  const removeSentence = opts.removeSentence ?? 0.9;
  const queries: TrainingQuery[] = [];
  corpus.forEach((doc, index) => {
    const add = (text: string, positiveText: string) =>
      queries.push({
        id: `g${queries.length}`,
        text,
        positives: new Map([[index, 1]]),
        negatives: [],
        positiveText,
      });
    let made = 0;
    let body = doc.text;
    // BEIR texts often repeat the title; strip every leading copy
    while (doc.title && body.startsWith(doc.title)) body = body.slice(doc.title.length).trim();
    if (doc.title && wordCount(doc.title) >= 2 && wordCount(body) >= MIN_WORDS) {
      add(doc.title, body);
      made++;
    }
    const sentences = splitSentences(body);
    const candidates = sentences
      .map((s, i) => ({ s, i }))
      .filter(({ s }) => {
        const n = wordCount(s);
        return n >= MIN_WORDS && n <= MAX_WORDS && s !== doc.title;
      });
    while (made < opts.perDoc && candidates.length > 0 && sentences.length > 1) {
      const pick = candidates.splice(Math.floor(random() * candidates.length), 1)[0] as {
        s: string;
        i: number;
      };
      const rest =
        random() < removeSentence ? sentences.filter((_, i) => i !== pick.i).join(" ") : sentences.join(" ");
      add(pick.s, doc.title ? `${doc.title} ${rest}` : rest);
      made++;
    }
  });
  return queries;
}
