/**
 * The two filters that apply synonym rules (parsed by synonym-rules.ts): `synonymGraphFilter`
 * (Lucene's SynonymGraphFilter, ES `synonym_graph`) and `synonymFilter` (Lucene's legacy SynonymFilter,
 * ES `synonym`).
 */
import { MapBuilder, parseSynonyms, type SynonymEntry, type SynonymMap, WORD_SEP } from "./synonym-rules.ts";
import type { Token, TokenFilter } from "./types.ts";

export {
  type ParseSynonymsOptions,
  parseSynonyms,
  readRulesFile,
  type SynonymEntry,
  type SynonymMap,
  SynonymParseError,
  type SynonymPhraseAnalyzer,
  whitespacePhraseAnalyzer,
} from "./synonym-rules.ts";

export const SYNONYM_TYPE = "SYNONYM";

export interface SynonymFilterOptions {
  /** Match tokens case-insensitively (rule inputs are lowercased too). */
  ignoreCase?: boolean;
}

function toMap(rules: SynonymMap | readonly string[]): SynonymMap {
  return Array.isArray(rules) ? parseSynonyms(rules as readonly string[]) : (rules as SynonymMap);
}

/** The same rules with lower-cased inputs (rules that now share an input merge their outputs). */
function lowercaseKeys(map: SynonymMap): SynonymMap {
  const builder = new MapBuilder();
  for (const [key, entry] of map.entries) {
    const input = key.toLowerCase().split(WORD_SEP);
    for (const output of entry.outputs) builder.add(input, output, entry.keepOrig);
  }
  return builder.build();
}

interface Match {
  length: number;
  entry: SynonymEntry;
}

type Matcher = (tokens: Token[], i: number) => Match | undefined;

/**
 * The rules as a filter applies them, and their matcher: the greedy longest match of rule inputs
 * starting at token `i`, over tokens on consecutive positions.
 */
function compileRules(
  rules: SynonymMap | readonly string[],
  opts: SynonymFilterOptions,
): { map: SynonymMap; find: Matcher } {
  const ignoreCase = opts.ignoreCase === true;
  const map = ignoreCase ? lowercaseKeys(toMap(rules)) : toMap(rules);
  const find: Matcher = (tokens, i) => {
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
  return { map, find };
}

/** A synonym filter over rules (parsed, or Solr-format lines) and its options; `apply` runs per token list. */
function ruleFilter(apply: (tokens: Token[], map: SynonymMap, find: Matcher) => Token[]) {
  return (rules: SynonymMap | readonly string[], opts: SynonymFilterOptions = {}): TokenFilter => {
    const { map, find } = compileRules(rules, opts);
    return (tokens) => apply(tokens, map, find);
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
export const synonymGraphFilter = ruleFilter((tokens, map, find) => {
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
});

interface PendingOutput {
  term: string;
  /** -1: inherit the end offset of the token at this slot. */
  endOffset: number;
  positionLength: number;
}

/** A pending output as a token on the input token at its slot. */
const pendingToken = (o: PendingOutput, at: Token): Token => ({
  term: o.term,
  start: at.start,
  end: o.endOffset === -1 ? at.end : o.endOffset,
  position: 0,
  type: SYNONYM_TYPE,
});

/**
 * Lucene's (legacy) SynonymFilter, ES `synonym`: outputs are stacked onto the input tokens, word k
 * of a multi-word output on the k-th matched token's position (spilling onto the following tokens,
 * or onto new positions after the last one). Dropped originals give up their positions.
 */
export const synonymFilter = ruleFilter((tokens, map, find) => {
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
      emit(pendingToken(o, token), origEmitted || k > 0 ? 0 : 1, o.positionLength);
    });
  }
  // Outputs longer than the remaining input go on new positions with the last token's offsets.
  const lastToken = tokens[n - 1] as Token;
  const rest = [...pending.keys()].sort((a, b) => a - b);
  for (const slotIndex of rest) {
    (pending.get(slotIndex) ?? []).forEach((o, k) => {
      emit(pendingToken(o, lastToken), k === 0 ? 1 : 0, o.positionLength);
    });
  }
  return out;
});
