import cliProgress from "cli-progress";
import type { Command } from "commander";
import {
  DEFAULT_CHANNELS,
  type RecommendEvalOptions,
  type RecommendEvalReport,
  runRecommendEval,
} from "../../recommend/eval/run.ts";
import { TRAINERS } from "../../recommend/models/index.ts";
import type { TrainOptions } from "../../recommend/models/types.ts";
import { CliError } from "../client.ts";
import { printJson, printTable } from "../output.ts";

/** `lodestone recommend …`: the recommender's commands. */
export function registerRecommend(program: Command): void {
  const recommend = program
    .command("recommend")
    .description("recommendations: evaluate recall models offline");
  registerRecommendEval(recommend);
}

interface EvalFlags {
  dataset: string;
  channels: string;
  k: string;
  depth: string;
  maxUsers?: string;
  minRating: string;
  set: string[];
  json?: boolean;
}

const usage = (message: string) => new CliError(message, 2);

function wholeNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1)
    throw usage(`${flag} expects a whole number ≥ 1, got ${JSON.stringify(value)}`);
  return n;
}

/** `--set als.factors=32` → {als: {factors: 32}}; numbers stay numbers. */
function trainOptions(sets: string[], channels: string[]): Record<string, TrainOptions> {
  const out: Record<string, TrainOptions> = {};
  for (const s of sets) {
    const m = /^([a-z_]+)\.([A-Za-z]+)=(.+)$/.exec(s.trim());
    if (!m) throw usage(`--set expects channel.option=value (e.g. als.factors=32), got ${JSON.stringify(s)}`);
    const [, channel, key, raw] = m as unknown as [string, string, string, string];
    if (!channels.includes(channel))
      throw usage(`--set ${s}: channel ${channel} is not evaluated (--channels ${channels.join(",")})`);
    const num = Number(raw);
    (out[channel] ??= {})[key] = Number.isFinite(num) ? num : raw;
  }
  return out;
}

export function parseRecommendEvalFlags(flags: EvalFlags): RecommendEvalOptions {
  const channels = flags.channels
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  if (channels.length === 0) throw usage("--channels needs at least one channel");
  for (const c of channels)
    if (!TRAINERS[c])
      throw usage(
        `--channels: unknown channel ${JSON.stringify(c)}; choose from ${Object.keys(TRAINERS).join(", ")}`,
      );
  const minRating = Number(flags.minRating);
  if (!Number.isFinite(minRating))
    throw usage(`--min-rating expects a number, got ${JSON.stringify(flags.minRating)}`);
  return {
    dataset: flags.dataset,
    channels,
    k: wholeNumber(flags.k, "--k"),
    depth: wholeNumber(flags.depth, "--depth"),
    maxUsers: flags.maxUsers === undefined ? undefined : wholeNumber(flags.maxUsers, "--max-users"),
    minRating,
    trainOptions: trainOptions(flags.set, channels),
  };
}

/** A steps bar on a terminal (stderr), nothing otherwise. */
function progressBar(quiet: boolean): { update: RecommendEvalOptions["onProgress"]; stop: () => void } {
  if (quiet || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { format: "eval |{bar}| {value}/{total} steps | {step}", hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(step, done, total) {
      if (!started) bar.start(total, 0, { step });
      started = true;
      bar.update(done, { step });
    },
    stop: () => started && bar.stop(),
  };
}

const fixed = (x: number, digits = 4) => x.toFixed(digits);

function printReport(r: RecommendEvalReport): void {
  process.stdout.write(
    `${r.dataset}: ${r.positives} positives, ${r.users} users, ${r.items} items in training; ${r.testUsers} test users (${r.validationUsers} validation users for the blend)\n\n`,
  );
  printTable(
    ["channel", `Recall@${r.k}`, `nDCG@${r.k}`, "coverage", "novelty", "train s"],
    r.results.map((c) => [
      c.name,
      fixed(c.recall),
      fixed(c.ndcg),
      fixed(c.coverage),
      fixed(c.novelty, 2),
      c.trainSeconds === undefined ? null : fixed(c.trainSeconds, 2),
    ]),
  );
  const weights = Object.entries(r.blend.weights)
    .map(([c, w]) => `${c} ${w}`)
    .join(", ");
  process.stdout.write(
    `\nblend weights (fit on validation, nDCG@${r.k} ${fixed(r.blend.validationNdcg)}): ${weights}\n`,
  );
}

function registerRecommendEval(recommend: Command): void {
  recommend
    .command("eval")
    .description(
      "train recall channels on MovieLens and report Recall, nDCG, coverage and novelty per channel and blended",
    )
    .requiredOption("--dataset <dir>", "MovieLens folder with ratings.csv (or u.data), or the ratings file")
    .option(
      "--channels <list>",
      `channels to train, comma-separated (${Object.keys(TRAINERS).join(", ")})`,
      DEFAULT_CHANNELS.join(","),
    )
    .option("--k <n>", "list length: Recall@k, nDCG@k", "20")
    .option("--depth <n>", "candidates per channel offered to the blend", "100")
    .option("--max-users <n>", "keep only the first n users of the file (a quick run)")
    .option("--min-rating <r>", "ratings at or above this are positives", "4")
    .option(
      "--set <channel.option=value>",
      "a training option, repeatable (als.factors=32, ease.lambda=300, item_cf.halfLifeDays=90)",
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Runs in this process: pure computation, no server needed. The split follows
shared/datasets/README.md: ratings ≥ 4 are positives; for each user with ≥ 5 positives the last 20%
by time are test. Channels recommend k items excluding the user's training items. The blend's
weights are fit on a validation split of the training data alone (the same rule applied again),
never on the test users. Coverage is the share of training items recommended to anyone; novelty
the mean −log2 share of users who have a recommended item.

Examples:
  lodestone recommend eval --dataset ../shared/datasets/movielens-small
  lodestone recommend eval --dataset ../shared/datasets/movielens-small --channels popular,item_cf --max-users 100 --json
`,
    )
    .action((flags: EvalFlags) => {
      const options = parseRecommendEvalFlags(flags);
      const bar = progressBar(Boolean(flags.json));
      options.onProgress = bar.update;
      let report: RecommendEvalReport;
      try {
        report = runRecommendEval(options);
      } catch (err) {
        throw usage((err as Error).message);
      } finally {
        bar.stop();
      }
      if (flags.json) printJson(report);
      else printReport(report);
    });
}
