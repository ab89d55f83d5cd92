/** Token filter types by name; each lives in filters/ (Lucene-style: one small filter per job). */
import { asciiFoldingFilter } from "./ascii-folding.ts";
import { type ComponentTypes, componentTypes, type FilterFactory, simpleFilter } from "./components.ts";
import { keywordMarkerType } from "./filters/keyword-marker.ts";
import { edgeNgram, ngram } from "./filters/ngram.ts";
import { shingle } from "./filters/shingle.ts";
import { englishPossessive, kstem, porterStem, stemmer } from "./filters/stemmers.ts";
import { stop } from "./filters/stop.ts";
import { synonym, synonymGraph } from "./filters/synonym.ts";
import { length, lowercase, reverse, trim, truncate, unique, uppercase } from "./filters/term-filters.ts";

const asciifolding: FilterFactory = (p) => {
  const preserve = p.bool("preserve_original", false);
  const filter = asciiFoldingFilter({ preserveOriginal: preserve });
  return {
    ...simpleFilter("", "asciifolding", filter, true),
    // Rules are folded without keeping the original (it would stack tokens), as ES does.
    forSynonyms: () => (preserve ? asciiFoldingFilter() : filter),
  };
};

// The order is the one error messages list the types in.
export const TOKEN_FILTERS: ComponentTypes<FilterFactory> = componentTypes(
  "filter",
  {
    lowercase,
    uppercase,
    stop,
    stemmer,
    porter_stem: porterStem,
    kstem,
    english_possessive: englishPossessive,
    asciifolding,
    synonym,
    synonym_graph: synonymGraph,
    length,
    trim,
    truncate,
    reverse,
    unique,
    ngram,
    edge_ngram: edgeNgram,
    keyword_marker: keywordMarkerType,
    shingle,
  },
  {
    synonym: "synonyms or synonyms_path",
    synonym_graph: "synonyms or synonyms_path",
    keyword_marker: "keywords, keywords_path or keywords_pattern",
  },
);
