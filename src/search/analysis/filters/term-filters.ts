/** Filters that rewrite or drop single terms: case, trim, truncate, reverse, length and unique. */
import type { FilterFactory } from "../components.ts";
import { simpleFilter } from "../components.ts";
import { lowercaseFilter } from "../english.ts";
import { settingsError } from "../settings-validation.ts";
import type { Token, TokenFilter } from "../types.ts";

/** A filter that rewrites each term (tokens marked `keyword` stay as they are when `respectKeyword`). */
export const mapTerms =
  (fn: (term: string) => string, respectKeyword = false): TokenFilter =>
  (tokens) =>
    tokens.map((t) => {
      if (respectKeyword && t.keyword) return t;
      const term = fn(t.term);
      return term === t.term ? t : { ...t, term };
    });

/** Drops tokens without keeping their positions (Lucene filters that are not FilteringTokenFilters). */
function dropCollapsing(tokens: Token[], keep: (t: Token, i: number) => boolean): Token[] {
  const out: Token[] = [];
  let prevIn = -1;
  let lastOut = -1;
  tokens.forEach((t, i) => {
    const inc = t.position - prevIn;
    prevIn = t.position;
    if (!keep(t, i)) return;
    lastOut += inc;
    out.push(lastOut === t.position ? t : { ...t, position: lastOut });
  });
  return out;
}

function upperCaseTerm(term: string): string {
  let out = "";
  for (const ch of term) {
    const u = ch.toUpperCase();
    out += u.length === ch.length ? u : ch; // Character.toUpperCase is 1:1 (ß stays ß)
  }
  return out;
}

/** Java's Character.toLowerCase with Turkish dotted/dotless i. */
const turkishLower = (term: string) => term.replace(/I/g, "ı").replace(/İ/g, "i").toLocaleLowerCase("tr");

export const lowercase: FilterFactory = (p) => {
  const language = p.string("language");
  if (language === undefined) return simpleFilter("", "lowercase", lowercaseFilter, true);
  if (language === "turkish") return simpleFilter("", "lowercase", mapTerms(turkishLower), true);
  throw settingsError(
    `${p.key}.language`,
    `unsupported lowercase language [${language}]; supported: [turkish] (or none)`,
  );
};

export const uppercase: FilterFactory = () => simpleFilter("", "uppercase", mapTerms(upperCaseTerm), true);

export const trim: FilterFactory = () =>
  simpleFilter(
    "",
    "trim",
    mapTerms((t) => t.replace(/^\s+|\s+$/gu, "")),
    true,
  );

export const truncate: FilterFactory = (p) => {
  const length = p.int("length", 10, 1);
  return mapTerms((t) => (t.length > length ? t.slice(0, length) : t));
};

export const reverse: FilterFactory = () => mapTerms((t) => [...t].reverse().join(""));

export const length: FilterFactory = (p) => {
  const min = p.int("min", 0, 0);
  const max = p.int("max", 2147483647, 0);
  if (max < min) throw settingsError(`${p.key}.max`, `max [${max}] must not be less than min [${min}]`);
  return (tokens) => tokens.filter((t) => t.term.length >= min && t.term.length <= max);
};

export const unique: FilterFactory = (p) => {
  const samePosition = p.bool("only_on_same_position", false);
  return (tokens) => {
    const seen = new Set<string>();
    let pos = Number.NaN;
    return dropCollapsing(tokens, (t) => {
      if (samePosition && t.position !== pos) seen.clear();
      pos = t.position;
      if (seen.has(t.term)) return false;
      seen.add(t.term);
      return true;
    });
  };
};
