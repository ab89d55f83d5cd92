/** Stop words: the `stopwords` / `stopwords_path` settings (filters and analyzers) and the stop filter. */
import type { FilterFactory } from "../components.ts";
import type { Env } from "../config-files.ts";
import { ENGLISH_STOP_WORDS, stopFilter } from "../english.ts";
import type { Params } from "../params.ts";
import { lookup, settingsError, unknownName } from "../settings-validation.ts";
import type { TokenFilter } from "../types.ts";

export const NO_STOP_WORDS: ReadonlySet<string> = new Set();

const NAMED_STOPWORDS: Record<string, ReadonlySet<string>> = {
  _english_: ENGLISH_STOP_WORDS,
  _none_: NO_STOP_WORDS,
};

/** ES Analysis.parseWords: `_english_` / `_none_` / a list (which may contain `_english_`) / a file. */
export function stopwordsParam(
  p: Params,
  env: Env,
  def: ReadonlySet<string>,
  ignoreCase = false,
): ReadonlySet<string> {
  let words: string[] | undefined;
  const list = p.list("stopwords");
  if (list) {
    words = [];
    for (const w of list) {
      if (/^_\w+_$/.test(w)) {
        const named = lookup(NAMED_STOPWORDS, w);
        if (!named) {
          const names = Object.keys(NAMED_STOPWORDS);
          throw settingsError(
            `${p.key}.stopwords`,
            `unsupported stop word set ${unknownName(w, names)}; supported: [${names.join(", ")}] or a list of words`,
          );
        }
        words.push(...named);
      } else words.push(w);
    }
  }
  const path = p.string("stopwords_path");
  if (path !== undefined) {
    const fromFile = env.readWords(`${p.key}.stopwords_path`, path);
    words = words ? [...words, ...fromFile] : fromFile;
  }
  const set = words ? new Set(words) : def;
  return ignoreCase ? new Set([...set].map((w) => w.toLowerCase())) : set;
}

function stopTokenFilter(words: ReadonlySet<string>, ignoreCase: boolean): TokenFilter {
  if (!ignoreCase) return stopFilter(words);
  return (tokens) => tokens.filter((t) => !words.has(t.term.toLowerCase()));
}

export const stop: FilterFactory = (p, env) => {
  const ignoreCase = p.bool("ignore_case", false);
  p.ignore("remove_trailing");
  return stopTokenFilter(stopwordsParam(p, env, ENGLISH_STOP_WORDS, ignoreCase), ignoreCase);
};
