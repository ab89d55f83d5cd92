/** One token as Lucene's analysis chain produces it; `_analyze` shows these fields. */
export interface Token {
  term: string;
  /** UTF-16 offsets into the original text. */
  start: number;
  end: number;
  /** Absolute position (Lucene's accumulated position increments). */
  position: number;
  /** Positions this token spans (multi-word synonyms in synonym_graph); 1 when absent. */
  positionLength?: number;
  /** Lucene token type: <ALPHANUM>, <NUM>, <IDEOGRAPHIC>, SYNONYM, word … */
  type: string;
  /** Set by keyword_marker-like filters: stemmers leave the token alone. */
  keyword?: boolean;
}

export type Tokenizer = (text: string) => Token[];
/** Filters may drop tokens (positions keep their gaps, as Lucene's do) or add tokens at the same position. */
export type TokenFilter = (tokens: Token[]) => Token[];
export type CharFilter = (text: string) => string;

export interface Analyzer {
  name: string;
  analyze(text: string): Token[];
  /** Optional index-time path: the same terms and positions as `analyze`, without Token objects. */
  indexTerms?(text: string, sink: TermSink): void;
}

/** Where `indexTerms` puts each token it keeps. */
export interface TermSink {
  /**
   * `key` names the memo entry the term came from in `keys` (-1: none): while `keys.epoch` stays
   * the same, equal keys mean equal terms, so an indexer can map keys to its term ids directly.
   */
  push(term: string, position: number, key: number, keys: TermKeys | undefined): void;
}

/** A memo's key space: keys are below `size`; they are reused once `epoch` changes. */
export interface TermKeys {
  readonly size: number;
  readonly epoch: number;
}

// ---------------------------------------------------------------------------------------------------------
// `index.analysis` registries (built by registry.ts)

export interface AnalysisRegistry {
  /** Analyzer by name: built-ins and the index's custom ones. */
  get(name: string): Analyzer | undefined;
  names(): string[];
  /** Names of the custom filters that are search-time only (`updateable: true`). */
  updateableFilters(): string[];
  /** Custom synonym / synonym_graph filters that no analyzer uses (the index applies them at search time). */
  orphanSynonymFilters(): string[];
}

/** What buildAnalysisRegistry returns: the registry plus the index's normalizers. */
export interface IndexAnalysisRegistry extends AnalysisRegistry {
  /** Normalizer by name: the index's custom ones and the built-in `lowercase`. */
  getNormalizer(name: string): Analyzer | undefined;
  normalizerNames(): string[];
}

export interface AnalysisOptions {
  /** Where `*_path` settings (synonyms_path, stopwords_path …) are resolved; paths may not leave it. */
  configDir: string;
  warn(message: string): void;
  /** `index.max_ngram_diff` (default 1). */
  maxNgramDiff?: number;
  /** `index.max_shingle_diff` (default 3). */
  maxShingleDiff?: number;
}

/** Analyzers built here also carry ES's `position_increment_gap` (100 unless configured). */
export interface RegistryAnalyzer extends Analyzer {
  positionIncrementGap: number;
}
