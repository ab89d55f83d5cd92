import { fileURLToPath } from "node:url";
import type { BuiltinScript } from "../scripts.ts";

/** The built-in scripts the jobs module itself provides; other modules register theirs. */
export const JOB_BUILTINS: BuiltinScript[] = [
  {
    name: "corpus-stats",
    description: "counts documents, lines, words and top terms of the input; writes stats.json",
    file: fileURLToPath(new URL("./corpus-stats.ts", import.meta.url)),
  },
];
