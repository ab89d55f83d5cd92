// Reading MovieLens ratings (ratings.csv of the "latest" releases, or ml-100k's tab-separated
// u.data) as implicit positives: ratings at or above a threshold, timestamps in milliseconds.
import fs from "node:fs";
import path from "node:path";

export interface Positive {
  user: string;
  item: string;
  /** ms since epoch */
  at: number;
}

/** The ratings file of a dataset folder (ratings.csv or u.data), or the file itself. */
export function ratingsFile(dataset: string): string {
  if (fs.existsSync(dataset) && fs.statSync(dataset).isFile()) return dataset;
  for (const name of ["ratings.csv", "u.data"]) {
    const file = path.join(dataset, name);
    if (fs.existsSync(file)) return file;
  }
  throw new Error(
    `${dataset}: no ratings.csv or u.data there; give a MovieLens folder such as ../shared/datasets/movielens-small`,
  );
}

/** Ratings ≥ minRating as positives, in file order. */
export function readPositives(file: string, minRating = 4): Positive[] {
  const text = fs.readFileSync(file, "utf8");
  const tabs = path.basename(file) === "u.data";
  const out: Positive[] = [];
  const lines = text.split("\n");
  for (let n = tabs ? 0 : 1; n < lines.length; n++) {
    const line = (lines[n] as string).trim();
    if (!line) continue;
    const cols = tabs ? line.split(/\s+/) : line.split(",");
    if (cols.length < 4) throw new Error(`${file}:${n + 1}: expected userId, movieId, rating, timestamp`);
    const rating = Number(cols[2]);
    const ts = Number(cols[3]);
    if (!Number.isFinite(rating) || !Number.isFinite(ts))
      throw new Error(
        `${file}:${n + 1}: rating and timestamp must be numbers, got ${cols[2]} and ${cols[3]}`,
      );
    if (rating >= minRating) out.push({ user: cols[0] as string, item: cols[1] as string, at: ts * 1000 });
  }
  return out;
}
