/** Files named by `*_path` settings (synonyms_path, stopwords_path …): read from the config directory only. */
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { AnalysisSettingsError, settingsError } from "./settings-validation.ts";
import { readRulesFile } from "./synonym-rules.ts";
import type { AnalysisOptions } from "./types.ts";

/** What a component factory may use besides its parameters. */
export interface Env {
  opts: AnalysisOptions;
  /** Component name (custom) or type (built-in / inline). */
  name: string;
  /** The file's text (UTF-8, without a byte-order mark); errors name `key`. */
  readFile(key: string, path: string): string;
  /** The file's non-empty lines, trimmed, without `#` comments. */
  readWords(key: string, path: string): string[];
}

const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

const isInside = (p: string, dir: string) => {
  const rel = relative(dir, p);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
};

function resolveConfigPath(configDir: string, path: string, key: string): string {
  const base = resolve(configDir);
  const full = resolve(base, path);
  if (!isInside(full, base)) {
    throw settingsError(
      key,
      `path [${path}] resolves to [${full}], outside the config directory [${base}]; use a path relative to it`,
    );
  }
  try {
    const real = realpathSync(full);
    if (!isInside(real, realpathSync(base))) {
      throw settingsError(
        key,
        `path [${path}] resolves (through a link) outside the config directory [${base}]`,
      );
    }
    return real;
  } catch (e) {
    if (e instanceof AnalysisSettingsError) throw e;
    throw settingsError(
      key,
      `cannot read [${path}] (resolved to [${full}] in the config directory): ${errorCode(e)}`,
    );
  }
}

export function makeEnv(opts: AnalysisOptions, name: string): Env {
  const readFile = (key: string, path: string) => {
    const full = resolveConfigPath(opts.configDir, path, key);
    try {
      return readRulesFile(full);
    } catch (e) {
      throw settingsError(key, `cannot read [${path}]: ${errorCode(e)}`);
    }
  };
  return {
    opts,
    name,
    readFile,
    readWords: (key, path) =>
      readFile(key, path)
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0 && !l.startsWith("#")),
  };
}
