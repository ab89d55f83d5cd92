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
}
