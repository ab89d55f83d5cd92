/**
 * How well an answer is supported by what it cites. The answer is cut into its claims (the text
 * before each `[n]` marker, and any uncited text after the last one); a claim is **supported** when
 *
 * 1. its text occurs in one of the chunks it cites (case and runs of whitespace ignored), or
 * 2. at least 80% of its content terms (stemmed, stop words dropped: the answerer's own terms)
 *    occur in the chunks it cites.
 *
 * An uncited claim is unsupported. Refusals ("… not in the provided passages") are counted apart:
 * they claim nothing.
 */
import type { Citation } from "../../src/rag/citations.ts";
import { citedClaims } from "../../src/rag/citations.ts";
import { contentTerms } from "../../src/serving/terms.ts";

export const OVERLAP = 0.8;
const REFUSAL = "not in the provided passages";

export interface Grounding {
  refused: boolean;
  sentences: number;
  supported: number;
  /** Of the supported ones, those found verbatim. */
  verbatim: number;
}

const flat = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();

export function grounding(answer: string, passages: readonly Pick<Citation, "n" | "text">[]): Grounding {
  if (answer.includes(REFUSAL)) return { refused: true, sentences: 0, supported: 0, verbatim: 0 };
  const byN = new Map(passages.map((p) => [p.n, p.text]));
  let supported = 0;
  let verbatim = 0;
  const claims = citedClaims(answer).filter((c) => c.text);
  for (const claim of claims) {
    const texts = claim.n.map((n) => byN.get(n)).filter((t): t is string => t !== undefined);
    if (texts.length === 0) continue;
    if (texts.some((t) => flat(t).includes(flat(claim.text)))) {
      supported++;
      verbatim++;
      continue;
    }
    const terms = new Set(contentTerms(claim.text));
    const have = new Set(texts.flatMap((t) => contentTerms(t)));
    const found = [...terms].filter((t) => have.has(t)).length;
    if (terms.size > 0 && found / terms.size >= OVERLAP) supported++;
  }
  return { refused: false, sentences: claims.length, supported, verbatim };
}
