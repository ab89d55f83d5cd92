import { execFileSync } from "node:child_process";
import path from "node:path";
import { badRequest } from "../common/errors.ts";
import type { JobRuntime } from "./types.ts";

/** A script that ships with Lodestone, registered by the module that owns it. */
export interface BuiltinScript {
  name: string;
  description: string;
  /** Absolute path of the module run in a child process (TypeScript is loaded through tsx). */
  file: string;
}

const NODE_EXTENSIONS = new Set([".js", ".mjs", ".cjs", ".ts", ".mts"]);
const BUILTIN_NAME = /^[a-z][a-z0-9-]*$/;

/** Built-in scripts by name. Modules add theirs when the platform starts. */
export class ScriptRegistry {
  private readonly scripts = new Map<string, BuiltinScript>();

  register(script: BuiltinScript): void {
    if (!BUILTIN_NAME.test(script.name)) throw new Error(`invalid built-in script name ${script.name}`);
    this.scripts.set(script.name, script);
  }

  get(name: string): BuiltinScript | undefined {
    return this.scripts.get(name);
  }

  list(): BuiltinScript[] {
    return [...this.scripts.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}

/** Which runtime a script needs, from its name; throws a 400 that lists the choices otherwise. */
export function runtimeFor(script: string, registry: ScriptRegistry): JobRuntime {
  if (registry.get(script)) return "builtin";
  const ext = path.extname(script.split("?")[0] ?? "").toLowerCase();
  if (NODE_EXTENSIONS.has(ext)) return "node";
  if (ext === ".py") {
    if (!python3Available()) {
      throw badRequest(
        "RuntimeUnavailable",
        "Script: python3 is not installed on this server; install it (apt-get install python3) or use a .js/.mjs/.ts script",
        "Script",
      );
    }
    return "python3";
  }
  const builtins = registry.list().map((s) => s.name);
  throw badRequest(
    "InvalidScript",
    `Script: ${JSON.stringify(script)} is not a built-in script (${builtins.join(", ") || "none"}) nor a .js/.mjs/.cjs/.ts/.mts/.py file`,
    "Script",
  );
}

let python3: boolean | undefined;
function python3Available(): boolean {
  if (python3 === undefined) {
    try {
      execFileSync("python3", ["--version"], { stdio: "ignore" });
      python3 = true;
    } catch {
      python3 = false;
    }
  }
  return python3;
}

const TSX_LOADER = import.meta.resolve("tsx");

/** The command line that runs a script file with its runtime, hyper-parameters as `--name=value`. */
export function scriptCommand(
  runtime: JobRuntime,
  file: string,
  hyperParameters: Record<string, string>,
): { command: string; args: string[] } {
  const hpArgs = Object.entries(hyperParameters).map(([k, v]) => `--${k}=${v}`);
  if (runtime === "python3") return { command: "python3", args: ["-u", file, ...hpArgs] };
  const ext = path.extname(file);
  const loader = ext === ".ts" || ext === ".mts" ? ["--import", TSX_LOADER] : [];
  return { command: process.execPath, args: [...loader, file, ...hpArgs] };
}
