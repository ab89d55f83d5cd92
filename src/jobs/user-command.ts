import { badRequest } from "../common/errors.ts";

/**
 * PAI-DLC jobs carry a `UserCommand` such as `python3 train.py --epochs 3 --lr=0.01`. Lodestone runs
 * scripts, not shells, so the command is read as: an optional interpreter (python, python3, node),
 * the script, then `--name value` / `--name=value` pairs that become hyper-parameters.
 */
export function parseUserCommand(command: string): {
  script: string;
  hyperParameters: Record<string, string>;
} {
  const words = splitWords(command);
  if (/^(python3?|node)$/.test(words[0] ?? "")) words.shift();
  if (words[0] === "-u") words.shift();
  const script = words.shift();
  if (!script) throw badRequest("InvalidParameter", "UserCommand: names no script", "UserCommand");
  const hyperParameters: Record<string, string> = {};
  while (words.length > 0) {
    const word = words.shift() as string;
    const match = /^--([^=]+)(?:=(.*))?$/.exec(word);
    if (!match) {
      throw badRequest(
        "InvalidParameter",
        `UserCommand: cannot read ${JSON.stringify(word)}; arguments must be --name value or --name=value`,
        "UserCommand",
      );
    }
    const name = match[1] as string;
    hyperParameters[name] =
      match[2] ?? (words[0] !== undefined && !words[0].startsWith("--") ? (words.shift() as string) : "true");
  }
  return { script, hyperParameters };
}

/** Splits a command line on spaces, honouring single and double quotes. */
export function splitWords(command: string): string[] {
  const words: string[] = [];
  const pattern = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (const match of command.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3] ?? "");
  return words;
}
