import { readFileSync } from "node:fs";
import type { Token, TokenFilter } from "./types.ts";

/**
 * Synonym rules (Solr and WordNet formats, as Lucene's SolrSynonymParser / WordnetSynonymParser
 * read them) and the two filters that apply them: `synonymGraphFilter` (Lucene's SynonymGraphFilter,
 * ES `synonym_graph`) and `synonymFilter` (Lucene's legacy SynonymFilter, ES `synonym`).
 */

export const SYNONYM_TYPE = "SYNONYM";

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

const WORD_SEP = "\u0000";

export function whitespacePhraseAnalyzer(phrase: string): string[] {
  return phrase.split(/\s+/u).filter((w) => w.length > 0);
}

/** Reads a synonyms (or word list) file as UTF-8, without a byte-order mark. */
export function readRulesFile(path: string): string {
  const text = readFileSync(path, "utf8");
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

class MapBuilder {
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

export interface SynonymFilterOptions {
  /** Match tokens case-insensitively (rule inputs are lowercased too). */
  ignoreCase?: boolean;
}

function toMap(rules: SynonymMap | readonly string[]): SynonymMap {
  return Array.isArray(rules) ? parseSynonyms(rules as readonly string[]) : (rules as SynonymMap);
}

function lowercaseKeys(map: SynonymMap): SynonymMap {
  const entries = new Map<string, SynonymEntry>();
  for (const [key, entry] of map.entries) {
    const lower = key.toLowerCase();
    const existing = entries.get(lower);
    if (!existing) {
      entries.set(lower, { outputs: [...entry.outputs], keepOrig: entry.keepOrig });
      continue;
    }
    existing.keepOrig ||= entry.keepOrig;
    const seen = new Set(existing.outputs.map((o) => o.join(WORD_SEP)));
    for (const o of entry.outputs) if (!seen.has(o.join(WORD_SEP))) existing.outputs.push(o);
  }
  return { entries, maxInputWords: map.maxInputWords };
}

interface Match {
  length: number;
  entry: SynonymEntry;
}

/** Greedy longest match of rule inputs starting at token `i`, over tokens on consecutive positions. */
function matcher(map: SynonymMap, ignoreCase: boolean): (tokens: Token[], i: number) => Match | undefined {
  return (tokens, i) => {
    let key = "";
    let best: Match | undefined;
    for (let len = 1; len <= map.maxInputWords && i + len - 1 < tokens.length; len++) {
      const token = tokens[i + len - 1] as Token;
      if (len > 1 && token.position !== (tokens[i + len - 2] as Token).position + 1) break;
      const term = ignoreCase ? token.term.toLowerCase() : token.term;
      key = len === 1 ? term : `${key}${WORD_SEP}${term}`;
      const entry = map.entries.get(key);
      if (entry) best = { length: len, entry };
    }
    return best;
  };
}

function withPosLen(token: Token, position: number, positionLength: number): Token {
  const out: Token = { ...token, position };
  if (positionLength > 1) out.positionLength = positionLength;
  else delete out.positionLength;
  return out;
}

/**
 * Lucene's SynonymGraphFilter. A match of m input tokens becomes a graph between two nodes: each
 * output phrase is a path (multi-word paths get their own intermediate positions), the original
 * tokens another path when kept; `positionLength` spans a token's path. Later tokens shift by the
 * positions the graph added. Injected tokens have type SYNONYM and the offsets of the whole match.
 */
export function synonymGraphFilter(
  rules: SynonymMap | readonly string[],
  opts: SynonymFilterOptions = {},
): TokenFilter {
  let map = toMap(rules);
  if (opts.ignoreCase) map = lowercaseKeys(map);
  const find = matcher(map, opts.ignoreCase === true);
  return (tokens: Token[]): Token[] => {
    if (map.entries.size === 0) return tokens;
    const out: Token[] = [];
    let shift = 0;
    let i = 0;
    while (i < tokens.length) {
      const first = tokens[i] as Token;
      const match = find(tokens, i);
      if (!match) {
        out.push(shift === 0 ? first : { ...first, position: first.position + shift });
        i++;
        continue;
      }
      const m = match.length;
      const { outputs, keepOrig } = match.entry;
      const last = tokens[i + m - 1] as Token;
      const startNode = first.position + shift;
      let totalPathNodes = keepOrig ? m - 1 : 0;
      for (const path of outputs) totalPathNodes += path.length - 1;
      const endNode = startNode + totalPathNodes + 1;
      const synonym = (term: string, from: number, to: number): Token =>
        withPosLen(
          { term, start: first.start, end: last.end, position: 0, type: SYNONYM_TYPE },
          from,
          to - from,
        );

      // First token of every path leaves the start node; outputs before the original (offsets order).
      const pathFirstEnd: number[] = [];
      let newNodes = 0;
      for (const path of outputs) {
        let pathEnd = endNode;
        if (path.length > 1) {
          pathEnd = startNode + newNodes + 1;
          newNodes += path.length - 1;
        }
        pathFirstEnd.push(pathEnd);
        out.push(synonym(path[0] ?? "", startNode, pathEnd));
      }
      let origFirstEnd = endNode;
      if (keepOrig) {
        if (m > 1) origFirstEnd = startNode + newNodes + 1;
        out.push(withPosLen(first, startNode, origFirstEnd - startNode));
      }
      // The rest of each multi-word path.
      outputs.forEach((path, p) => {
        if (path.length <= 1) return;
        let node = pathFirstEnd[p] ?? endNode;
        for (let k = 1; k < path.length - 1; k++, node++) out.push(synonym(path[k] ?? "", node, node + 1));
        out.push(synonym(path[path.length - 1] ?? "", node, endNode));
      });
      if (keepOrig && m > 1) {
        let node = origFirstEnd;
        for (let k = 1; k < m - 1; k++, node++) out.push(withPosLen(tokens[i + k] as Token, node, 1));
        out.push(withPosLen(last, node, endNode - node));
      }
      // The next input token follows the end node as it followed the match's last token.
      shift = endNode - 1 - last.position;
      i += m;
    }
    return out;
  };
}

interface PendingOutput {
  term: string;
  /** -1: inherit the end offset of the token at this slot. */
  endOffset: number;
  positionLength: number;
}

/**
 * Lucene's (legacy) SynonymFilter, ES `synonym`: outputs are stacked onto the input tokens, word k
 * of a multi-word output on the k-th matched token's position (spilling onto the following tokens,
 * or onto new positions after the last one). Dropped originals give up their positions.
 */
export function synonymFilter(
  rules: SynonymMap | readonly string[],
  opts: SynonymFilterOptions = {},
): TokenFilter {
  let map = toMap(rules);
  if (opts.ignoreCase) map = lowercaseKeys(map);
  const find = matcher(map, opts.ignoreCase === true);
  return (tokens: Token[]): Token[] => {
    if (map.entries.size === 0 || tokens.length === 0) return tokens;
    const n = tokens.length;
    const matched: boolean[] = new Array(n).fill(false);
    const keepOrig: boolean[] = new Array(n).fill(false);
    const pending = new Map<number, PendingOutput[]>();
    const out: Token[] = [];
    let lastPos = -1;
    let prevInputPos = -1;
    const emit = (token: Token, inc: number, positionLength = 1) => {
      lastPos += inc;
      out.push(withPosLen(token, lastPos, positionLength));
    };
    let skipUntil = 0;
    for (let j = 0; j < n; j++) {
      const token = tokens[j] as Token;
      const inc = token.position - prevInputPos;
      prevInputPos = token.position;
      if (j >= skipUntil) {
        const match = find(tokens, j);
        if (match) {
          const m = match.length;
          const matchEnd = (tokens[j + m - 1] as Token).end;
          for (const path of match.entry.outputs) {
            path.forEach((term, k) => {
              const single = path.length === 1;
              const slot = pending.get(j + k) ?? [];
              slot.push({
                term,
                endOffset: single ? matchEnd : -1,
                positionLength: single && match.entry.keepOrig ? m : 1,
              });
              pending.set(j + k, slot);
            });
          }
          for (let k = j; k < j + m; k++) {
            matched[k] = true;
            keepOrig[k] = (keepOrig[k] ?? false) || match.entry.keepOrig;
          }
          skipUntil = j + m;
        }
      }
      let origEmitted = false;
      if (!matched[j] || keepOrig[j]) {
        emit(token, inc, token.positionLength ?? 1);
        origEmitted = true;
      }
      const slot = pending.get(j) ?? [];
      pending.delete(j);
      slot.forEach((o, k) => {
        const syn: Token = {
          term: o.term,
          start: token.start,
          end: o.endOffset === -1 ? token.end : o.endOffset,
          position: 0,
          type: SYNONYM_TYPE,
        };
        emit(syn, origEmitted || k > 0 ? 0 : 1, o.positionLength);
      });
    }
    // Outputs longer than the remaining input go on new positions with the last token's offsets.
    const lastToken = tokens[n - 1] as Token;
    const rest = [...pending.keys()].sort((a, b) => a - b);
    for (const slotIndex of rest) {
      (pending.get(slotIndex) ?? []).forEach((o, k) => {
        const syn: Token = {
          term: o.term,
          start: lastToken.start,
          end: o.endOffset === -1 ? lastToken.end : o.endOffset,
          position: 0,
          type: SYNONYM_TYPE,
        };
        emit(syn, k === 0 ? 1 : 0, o.positionLength);
      });
    }
    return out;
  };
}
