/** A scored document of a search, and how candidates are identified and tie-broken. */

/** One scored document: which target (index), segment and document number. */
export interface Candidate {
  target: number;
  seg: number;
  doc: number;
  score: number;
}

/** A candidate's identity across sub-query results (its score aside). */
export const candidateKey = (c: Candidate): string => `${c.target}:${c.seg}:${c.doc}`;

/** Index order (target, segment, document), Lucene's tie-break between equal scores. */
export const indexOrder = (a: Candidate, b: Candidate): number =>
  a.target - b.target || a.seg - b.seg || a.doc - b.doc;
