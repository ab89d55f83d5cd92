import type { Analyzer } from "../analysis/types.ts";
import type { Segment } from "../index/segment.ts";
import type { VectorSource } from "../index/shard-vectors.ts";
import type { FieldMapping, Mapping } from "../mapping.ts";
import type { SearchContext } from "./weights.ts";

/** What the query compiler needs from an index: mapping, analyzers, statistics, id lookup. */
export interface QueryContext extends SearchContext {
  index: string;
  mapping: Mapping;
  /** Analyzer by name; throws an engine error naming it when unknown. */
  analyzer(name: string): Analyzer;
  /** The analyzer queries on a field use (quoted = phrase queries), including search-time synonyms. */
  searchAnalyzer(field: FieldMapping, quoted: boolean): Analyzer;
  /** Fields `*`/unspecified resolve to (`index.query.default_field`). */
  defaultFields: string[];
  /** Documents of a segment with these ids. */
  docsWithIds(seg: Segment, ids: string[]): Int32Array;
  now: number;
  /** The shard's vector graphs; absent, knn queries search exactly. */
  vectors?: VectorSource;
}
