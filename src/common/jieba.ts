import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Jieba } from "@node-rs/jieba";

/**
 * The one jieba segmenter of the process, with the dictionary @node-rs/jieba ships, shared by the
 * engine's IK analyzers and the models' tokenizer so both cut Chinese text the same way. Loading
 * it parses a ~5 MB dictionary, so it happens once, on first use.
 */
export interface SharedJieba {
  jieba: Jieba;
  /** The dictionary jieba was built from (`word [freq [tag]]` per line), for callers that need its words. */
  dictionary: Buffer;
}

let shared: SharedJieba | undefined;

export function loadJieba(): SharedJieba {
  if (shared) return shared;
  const require = createRequire(import.meta.url);
  const mod = require("@node-rs/jieba") as typeof import("@node-rs/jieba");
  const dictPath = join(dirname(require.resolve("@node-rs/jieba")), "dict.txt");
  const dictionary = readFileSync(dictPath);
  shared = { jieba: mod.Jieba.withDict(dictionary), dictionary };
  return shared;
}
