/** Lucene's Explanation tree, as `explain: true` and `_explain` return it. */
export interface Explanation {
  value: number;
  description: string;
  details: Explanation[];
}

export const explain = (value: number, description: string, details: Explanation[] = []): Explanation => ({
  value,
  description,
  details,
});
