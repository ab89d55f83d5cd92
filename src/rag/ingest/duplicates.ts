/**
 * `--dedupe`: a chunk whose text another file already has in the index, or indexed earlier in
 * this run, is not indexed. What holds a text is decided at the end of the run again, so a text
 * whose holder was changed or deleted later in the same run is indexed after all. A file with
 * skipped duplicates has fewer chunks in the index than it planned, so every run with --dedupe
 * reads it again and indexes what is no longer held elsewhere (without --dedupe: all of it).
 */
import type { SearchBackend } from "../../backends/types.ts";

/** Hashes per holder query: each bucket carries a sub-aggregation of up to HOLDERS sources. */
const HASHES_PER_QUERY = 1000;
const HOLDERS = 10;

interface HolderAnswer {
  aggregations: {
    hashes: { buckets: Array<{ key: string; sources: { buckets: Array<{ key: string }> } }> };
  };
}

export class DuplicateFinder {
  /** content hash → sources that hold it after this run's writes so far. */
  private readonly heldNow = new Map<string, Set<string>>();
  /** `source\nhash` pairs deleted in this run (the index still shows them until the refresh). */
  private readonly released = new Set<string>();

  constructor(
    private readonly search: SearchBackend,
    private readonly index: string,
    /** Whether the index held anything before this run (else only this run's chunks count). */
    private readonly queryIndex: boolean,
  ) {}

  hold(source: string, hash: string): void {
    const holders = this.heldNow.get(hash) ?? new Set<string>();
    holders.add(source);
    this.heldNow.set(hash, holders);
    this.released.delete(`${source}\n${hash}`);
  }

  release(source: string, hash: string): void {
    this.heldNow.get(hash)?.delete(source);
    this.released.add(`${source}\n${hash}`);
  }

  /** Of `hashes`, those another source than `source` holds now. */
  async heldElsewhere(source: string, hashes: string[]): Promise<Set<string>> {
    const held = new Set<string>();
    const elsewhere = (hash: string, holder: string) =>
      holder !== source && !this.released.has(`${holder}\n${hash}`);
    for (const hash of hashes)
      if ([...(this.heldNow.get(hash) ?? [])].some((h) => elsewhere(hash, h))) held.add(hash);
    const ask = hashes.filter((h) => !held.has(h));
    if (!this.queryIndex) return held;
    for (let i = 0; i < ask.length; i += HASHES_PER_QUERY) {
      const batch = ask.slice(i, i + HASHES_PER_QUERY);
      const answer = await this.search.json<HolderAnswer>(
        "POST",
        `/${encodeURIComponent(this.index)}/_search`,
        {
          body: {
            size: 0,
            query: {
              bool: { filter: [{ terms: { content_hash: batch } }], must_not: [{ term: { source } }] },
            },
            aggs: {
              hashes: {
                terms: { field: "content_hash", size: batch.length },
                aggs: { sources: { terms: { field: "source", size: HOLDERS } } },
              },
            },
          },
        },
      );
      for (const bucket of answer.aggregations.hashes.buckets)
        if (bucket.sources.buckets.some((s) => elsewhere(bucket.key, s.key))) held.add(bucket.key);
    }
    return held;
  }
}
