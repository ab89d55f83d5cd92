import { readFileSync } from "node:fs";

/**
 * Synonym rules in the Solr and WordNet formats, parsed as Lucene's SolrSynonymParser /
 * WordnetSynonymParser read them into a map from input phrase to output phrases (synonyms.ts applies
 * the map to tokens).
 */

/** Analyzes one side of a rule into its words; throw to reject the phrase. */
export type SynonymPhraseAnalyzer = (phrase: string) => string[];

export interface SynonymEntry {
  /** Output phrases, each a list of words, in rule order, without duplicates. */
  outputs: string[][];
  /** Whether the matched input tokens are kept (expanded equivalence rules). */
  keepOrig: boolean;
}

/** Parsed rules: input phrase (words joined by U+0000) → outputs. */
export interface SynonymMap {
  entries: Map<string, SynonymEntry>;
  /** The longest input phrase, in words. */
  maxInputWords: number;
}

export class SynonymParseError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = "SynonymParseError";
  }
}

export interface ParseSynonymsOptions {
  /** `a, b, c` rules map every word to all (true, default) or only to the first (false). */
  expand?: boolean;
  /** Skip phrases the analyzer rejects instead of failing (ES `lenient`). */
  lenient?: boolean;
  /** Default: split on whitespace. ES: the analysis chain that precedes the filter. */
  analyze?: SynonymPhraseAnalyzer;
  format?: "solr" | "wordnet";
  /** Told about each phrase skipped in lenient mode. */
  onSkip?: (message: string) => void;
}

/** Joins the words of a phrase in map keys. */
export const WORD_SEP = "\u0000";

export function whitespacePhraseAnalyzer(phrase: string): string[] {
  return phrase.split(/\s+/u).filter((w) => w.length > 0);
}

/** Reads a synonyms (or word list) file as UTF-8, without a byte-order mark. */
export function readRulesFile(path: string): string {
  const text = readFileSync(path, "utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Collects rules into a SynonymMap: outputs per input phrase in rule order, without duplicates. */
export class MapBuilder {
  readonly entries = new Map<string, SynonymEntry & { keys: Set<string> }>();
  maxInputWords = 0;

  add(input: string[], output: string[], includeOrig: boolean): void {
    if (input.length === 0 || output.length === 0) return;
    const key = input.join(WORD_SEP);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { outputs: [], keepOrig: false, keys: new Set() };
      this.entries.set(key, entry);
    }
    entry.keepOrig ||= includeOrig;
    const outKey = output.join(WORD_SEP);
    if (!entry.keys.has(outKey)) {
      entry.keys.add(outKey);
      entry.outputs.push(output);
    }
    if (input.length > this.maxInputWords) this.maxInputWords = input.length;
  }

  build(): SynonymMap {
    const entries = new Map<string, SynonymEntry>();
    for (const [key, e] of this.entries) entries.set(key, { outputs: e.outputs, keepOrig: e.keepOrig });
    return { entries, maxInputWords: this.maxInputWords };
  }
}

/** Lucene's SolrSynonymParser.split: splits on `sep` unless escaped with a backslash (kept for unescape). */
function splitEscaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let current = "";
  let pos = 0;
  while (pos < s.length) {
    if (s.startsWith(sep, pos)) {
      if (current.length > 0) parts.push(current);
      current = "";
      pos += sep.length;
      continue;
    }
    let ch = s.charAt(pos++);
    if (ch === "\\") {
      current += ch;
      if (pos >= s.length) break;
      ch = s.charAt(pos++);
    }
    current += ch;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

function unescapeRule(s: string): string {
  if (!s.includes("\\")) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    if (ch === "\\" && i < s.length - 1) out += s.charAt(++i);
    else out += ch;
  }
  return out;
}

/**
 * Parses synonym rules. `rules` is the file text or the list of inline rules (one rule each, as ES
 * joins its `synonyms` array with newlines). Throws SynonymParseError (with the 1-based line) unless
 * `lenient`, in which case bad phrases are skipped.
 */
export function parseSynonyms(
  rules: string | readonly string[],
  opts: ParseSynonymsOptions = {},
): SynonymMap {
  const text = typeof rules === "string" ? rules : rules.join("\n");
  const lines = text.split(/\r\n|\n|\r/u);
  return opts.format === "wordnet" ? parseWordnet(lines, opts) : parseSolr(lines, opts);
}

function phraseAnalyzer(opts: ParseSynonymsOptions): (phrase: string, line: number) => string[] {
  const analyze = opts.analyze ?? whitespacePhraseAnalyzer;
  return (phrase, line) => {
    try {
      const words = analyze(phrase);
      if (words.length === 0) throw new Error(`term: [${phrase}] was completely eliminated by analyzer`);
      if (words.some((w) => w.length === 0))
        throw new Error(`term: [${phrase}] analyzed to a zero-length token`);
      return words;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (opts.lenient) {
        opts.onSkip?.(`synonym rule at line ${line}: [${phrase}] was ignored (${message})`);
        return [];
      }
      throw new SynonymParseError(line, `invalid synonym rule at line ${line}: ${message}`);
    }
  };
}

function parseSolr(lines: string[], opts: ParseSynonymsOptions): SynonymMap {
  const expand = opts.expand ?? true;
  const analyze = phraseAnalyzer(opts);
  const builder = new MapBuilder();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const lineNo = i + 1;
    const trimmed = raw.trim();
    if (trimmed.length === 0 || trimmed.startsWith("#")) continue;
    const sides = splitEscaped(raw, "=>");
    if (sides.length > 2) {
      throw new SynonymParseError(
        lineNo,
        `invalid synonym rule at line ${lineNo}: more than one explicit mapping specified on the same line`,
      );
    }
    const words = (side: string) =>
      splitEscaped(side, ",")
        .map((p) => unescapeRule(p).trim())
        .filter((p) => p.length > 0)
        .map((p) => analyze(p, lineNo));
    if (sides.length === 2) {
      const inputs = words(sides[0] ?? "");
      const outputs = words(sides[1] ?? "");
      if (!opts.lenient && (inputs.length === 0 || outputs.length === 0)) {
        throw new SynonymParseError(
          lineNo,
          `invalid synonym rule at line ${lineNo}: [${trimmed}] needs words on both sides of =>`,
        );
      }
      for (const input of inputs) for (const output of outputs) builder.add(input, output, false);
    } else {
      const inputs = words(raw);
      if (expand) {
        for (let a = 0; a < inputs.length; a++) {
          for (let b = 0; b < inputs.length; b++) {
            if (a !== b) builder.add(inputs[a] ?? [], inputs[b] ?? [], true);
          }
        }
      } else {
        // Every word maps to the first; the first maps to itself so that it too becomes a SYNONYM token.
        const first = inputs[0] ?? [];
        for (const input of inputs) builder.add(input, first, false);
      }
    }
  }
  return builder.build();
}

/** WordNet prolog: `s(100000001,1,'woods',n,1,0).`; words of one synset are synonyms. */
function parseWordnet(lines: string[], opts: ParseSynonymsOptions): SynonymMap {
  const expand = opts.expand ?? true;
  const analyze = phraseAnalyzer(opts);
  const builder = new MapBuilder();
  const flush = (synset: string[][]) => {
    if (synset.length <= 1) return;
    for (let a = 0; a < synset.length; a++) {
      if (expand) for (const target of synset) builder.add(synset[a] ?? [], target, false);
      else builder.add(synset[a] ?? [], synset[0] ?? [], false);
    }
  };
  let currentId: string | undefined;
  let synset: string[][] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? "").trim();
    if (line.length === 0) continue;
    const m = /^s\((\d+),\d+,'((?:[^']|'')*)',/u.exec(line);
    if (!m) throw new SynonymParseError(i + 1, `invalid WordNet synonym line ${i + 1}: [${line}]`);
    const id = m[1] ?? "";
    if (id !== currentId) {
      flush(synset);
      synset = [];
      currentId = id;
    }
    const words = analyze((m[2] ?? "").replaceAll("''", "'"), i + 1);
    if (words.length > 0) synset.push(words);
  }
  flush(synset);
  return builder.build();
}
