/**
 * The metrics of Elasticsearch's `_rank_eval` (rank-eval module, ES 7.10 / OpenSearch 2.x), computed
 * exactly as its Java classes compute them: hits are joined with the ratings on `_index` + `_id`,
 * a hit without a rating is "unrated" (`rating: null`), and each metric scores one request's hits;
 * the overall score is the mean over the requests that ran.
 *
 * They are not trec_eval's (src/eval/metrics.ts): unrated hits may count as false positives
 * (precision), the ideal DCG is cut at the number of hits returned rather than at k, zero and
 * negative ratings stay in the ideal list, and `unknown_doc_rating` can stand in for missing ones.
 */

export interface RatedDoc {
  index: string;
  id: string;
  rating: number;
}

/** A search hit as far as the metrics care: its document key. */
export interface HitKey {
  index: string;
  id: string;
}

export type RankEvalMetric =
  | { name: "precision"; k: number; relevantRatingThreshold: number; ignoreUnlabeled: boolean }
  | { name: "recall"; k: number; relevantRatingThreshold: number }
  | { name: "mean_reciprocal_rank"; k: number; relevantRatingThreshold: number }
  | { name: "dcg"; k: number; normalize: boolean; unknownDocRating: number | undefined }
  | {
      name: "expected_reciprocal_rank";
      k: number;
      maximumRelevance: number;
      unknownDocRating: number | undefined;
    };

export type MetricName = RankEvalMetric["name"];

export const METRIC_NAMES: readonly MetricName[] = [
  "precision",
  "recall",
  "mean_reciprocal_rank",
  "dcg",
  "expected_reciprocal_rank",
];

export interface QueryEvaluation {
  metricScore: number;
  /** Each evaluated hit's rating, in hit order; null when the hit is unrated. */
  ratings: (number | null)[];
  /** `metric_details`: `{ <metric name>: { … } }`. */
  metricDetails: Record<string, Record<string, number>>;
}

const key = (index: string, id: string) => JSON.stringify([index, id]);

/** Each hit's rating (null when unrated), joined on `_index` + `_id`. */
export function joinRatings(hits: readonly HitKey[], rated: readonly RatedDoc[]): (number | null)[] {
  const byKey = new Map(rated.map((r) => [key(r.index, r.id), r.rating]));
  return hits.map((h) => byKey.get(key(h.index, h.id)) ?? null);
}

/** DCG with gain 2^r − 1 and discount log2(rank + 1); a null rating adds nothing but keeps its rank. */
function dcgOf(ratings: readonly (number | null | undefined)[]): number {
  let dcg = 0;
  ratings.forEach((r, i) => {
    if (r !== null && r !== undefined) dcg += (2 ** r - 1) / (Math.log(i + 2) / Math.LN2);
  });
  return dcg;
}

/**
 * Scores one request. `allHits` are the search hits best first, already cut to the metric's `k` by
 * the search size (expected_reciprocal_rank cuts again, as Elasticsearch does).
 */
export function evaluateQuery(
  metric: RankEvalMetric,
  allHits: readonly HitKey[],
  rated: readonly RatedDoc[],
): QueryEvaluation {
  const hits = metric.name === "expected_reciprocal_rank" ? allHits.slice(0, metric.k) : allHits;
  const ratings = joinRatings(hits, rated);
  const unrated = ratings.filter((r) => r === null).length;
  const atLeast = (threshold: number) => (r: number | null) => r !== null && r >= threshold;
  switch (metric.name) {
    case "precision": {
      const relevantRetrieved = ratings.filter(atLeast(metric.relevantRatingThreshold)).length;
      // unrated hits are false positives unless ignore_unlabeled
      const retrieved = metric.ignoreUnlabeled ? ratings.length - unrated : ratings.length;
      return {
        metricScore: retrieved > 0 ? relevantRetrieved / retrieved : 0,
        ratings,
        metricDetails: {
          precision: { relevant_docs_retrieved: relevantRetrieved, docs_retrieved: retrieved },
        },
      };
    }
    case "recall": {
      const relevant = atLeast(metric.relevantRatingThreshold);
      const relevantRetrieved = ratings.filter(relevant).length;
      const relevantDocs = rated.filter((r) => relevant(r.rating)).length;
      return {
        metricScore: relevantDocs > 0 ? relevantRetrieved / relevantDocs : 0,
        ratings,
        metricDetails: {
          recall: { relevant_docs_retrieved: relevantRetrieved, relevant_docs: relevantDocs },
        },
      };
    }
    case "mean_reciprocal_rank": {
      const first = ratings.findIndex(atLeast(metric.relevantRatingThreshold));
      return {
        metricScore: first < 0 ? 0 : 1 / (first + 1),
        ratings,
        metricDetails: { mean_reciprocal_rank: { first_relevant: first < 0 ? -1 : first + 1 } },
      };
    }
    case "dcg": {
      const dcg = dcgOf(ratings.map((r) => r ?? metric.unknownDocRating));
      let idcg = 0;
      if (metric.normalize) {
        // every rating of the request, best first, cut at the number of hits (not at k)
        const ideal = rated.map((r) => r.rating).sort((a, b) => b - a);
        idcg = dcgOf(ideal.slice(0, Math.min(ratings.length, ideal.length)));
      }
      const score = metric.normalize ? (idcg !== 0 ? dcg / idcg : 0) : dcg;
      return {
        metricScore: score,
        ratings,
        metricDetails: {
          dcg:
            idcg !== 0
              ? { dcg, ideal_dcg: idcg, normalized_dcg: dcg / idcg, unrated_docs: unrated }
              : { dcg, unrated_docs: unrated },
        },
      };
    }
    case "expected_reciprocal_rank": {
      const maxGain = 2 ** metric.maximumRelevance;
      let p = 1;
      let err = 0;
      ratings.forEach((r, i) => {
        const rating = r ?? metric.unknownDocRating;
        if (rating === undefined) return;
        const probR = (2 ** rating - 1) / maxGain;
        err += (p * probR) / (i + 1);
        p *= 1 - probR;
      });
      return {
        metricScore: err,
        ratings,
        metricDetails: { expected_reciprocal_rank: { unrated_docs: unrated } },
      };
    }
  }
}

/**
 * The overall score: the mean of the requests' scores. With no request evaluated this is 0/0, NaN,
 * as in Elasticsearch.
 */
export function combineScores(scores: readonly number[]): number {
  return scores.reduce((sum, s) => sum + s, 0) / scores.length;
}
