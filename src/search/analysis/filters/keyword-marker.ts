/** keyword_marker: marks tokens `keyword` so that stemmers leave them alone. */
import type { FilterFactory } from "../components.ts";
import { javaRegex } from "../java-regex.ts";
import { settingsError } from "../settings-validation.ts";
import type { TokenFilter } from "../types.ts";

/** Marks the tokens in `words` (compared lower-cased when `ignoreCase`) or matching `pattern`. */
export function keywordMarker(
  words: ReadonlySet<string>,
  pattern: RegExp | undefined,
  ignoreCase: boolean,
): TokenFilter {
  return (tokens) =>
    tokens.map((t) => {
      const term = ignoreCase ? t.term.toLowerCase() : t.term;
      const hit = words.has(term) || (pattern?.test(t.term) ?? false);
      return hit && !t.keyword ? { ...t, keyword: true } : t;
    });
}

export const keywordMarkerType: FilterFactory = (p, env) => {
  const ignoreCase = p.bool("ignore_case", false);
  const list = p.list("keywords");
  const path = p.string("keywords_path");
  const pattern = p.string("keywords_pattern");
  if (!list && path === undefined && pattern === undefined) {
    throw settingsError(
      `${p.key}.keywords`,
      `keyword_marker requires either \`keywords\`, \`keywords_path\`, or \`keywords_pattern\` to be configured${p.hint()}`,
    );
  }
  if (pattern !== undefined && (list || path !== undefined)) {
    throw settingsError(
      `${p.key}.keywords_pattern`,
      "cannot specify both `keywords_pattern` and `keywords` or `keywords_path`",
    );
  }
  const words = [
    ...(list ?? []),
    ...(path !== undefined ? env.readWords(`${p.key}.keywords_path`, path) : []),
  ];
  const set = new Set(ignoreCase ? words.map((w) => w.toLowerCase()) : words);
  const re =
    pattern !== undefined ? javaRegex(pattern, undefined, `${p.key}.keywords_pattern`, "") : undefined;
  // The whole term must match, as with Java's Matcher.matches().
  const anchored = re ? new RegExp(`^(?:${re.source})$`, re.flags) : undefined;
  return keywordMarker(set, anchored, ignoreCase);
};
