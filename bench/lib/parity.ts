/** Score parity between two runs of the same queries: identical top-k and relative score error. */
import type { Run } from "../../src/eval/metrics.ts";

export interface Parity {
  queries: number;
  /** Queries whose top-k ids are the same, in the same order (ties aside: equal scores may swap). */
  sameTopK: number;
  sameTopKPct: number;
  /** Max |ours − ref| / |ref| over documents in both top-k lists. */
  maxRelScoreDiff: number;
  /** The first queries that differ, for diagnosis. */
  differing: { qid: string; ours: string[]; reference: string[] }[];
}

/** Ids grouped by equal score, so ties compare as sets (Lucene breaks them by internal doc id). */
function tieGroups(docs: { id: string; score: number }[]): string[] {
  const groups: string[] = [];
  let i = 0;
  while (i < docs.length) {
    let j = i;
    while (j < docs.length && docs[j]?.score === docs[i]?.score) j++;
    groups.push(
      docs
        .slice(i, j)
        .map((d) => d.id)
        .sort()
        .join(","),
    );
    i = j;
  }
  return groups;
}

/**
 * `scale` multiplies the reference scores first: Elasticsearch and OpenSearch score with Lucene's
 * LegacyBM25Similarity, which is Lucene's BM25Similarity times (1 + k1).
 */
export function compareRuns(ours: Run, reference: Run, k = 10, scale = 1): Parity {
  let same = 0;
  let maxRel = 0;
  const differing: Parity["differing"] = [];
  for (const [qid, refDocs] of reference) {
    const a = (ours.get(qid) ?? []).slice(0, k);
    const b = refDocs.slice(0, k);
    // compare whole tie groups except the last, which the cut at k may split differently
    const ga = tieGroups(a);
    const gb = tieGroups(b);
    const idsA = a.map((d) => d.id);
    const idsB = b.map((d) => d.id);
    const equal =
      idsA.length === idsB.length &&
      (idsA.every((id, i) => id === idsB[i]) ||
        (ga.slice(0, -1).join("|") === gb.slice(0, -1).join("|") && a.at(-1)?.score === b.at(-1)?.score));
    if (equal) same++;
    else if (differing.length < 10) differing.push({ qid, ours: idsA, reference: idsB });
    const refScore = new Map(b.map((d) => [d.id, d.score * scale]));
    for (const d of a) {
      const r = refScore.get(d.id);
      if (r !== undefined && r !== 0) maxRel = Math.max(maxRel, Math.abs(d.score - r) / Math.abs(r));
    }
  }
  const queries = reference.size;
  return {
    queries,
    sameTopK: same,
    sameTopKPct: queries ? (100 * same) / queries : 100,
    maxRelScoreDiff: maxRel,
    differing,
  };
}
