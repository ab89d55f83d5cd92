/**
 * Recommendation quality on MovieLens (shared/datasets/README.md, "Recommendation protocol"):
 * shared/anchors/recsys/ease_anchor.py (numpy: popularity and EASE λ=500) and `lodestone recommend
 * eval` (every recall channel and the blend) in the same run on the same split, plus each
 * channel's training time. Writes bench/results/recommend-eval.{json,md}.
 *
 *   npm run bench:recommend-eval [-- --dataset movielens-small]
 */
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { runRecommendEval } from "../../src/recommend/eval/run.ts";
import { DATASETS_DIR, SHARED_DIR } from "../lib/paths.ts";
import { writeResults } from "../lib/report.ts";

const { values: args } = parseArgs({
  options: {
    dataset: { type: "string", default: "movielens-small" },
    lambda: { type: "string", default: "500" },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const dataset = path.join(DATASETS_DIR, args.dataset as string);
const ratings = path.join(dataset, "ratings.csv");

interface AnchorRow {
  name: string;
  users: number;
  recall: number;
  ndcg: number;
}

/**
 * The Python to run the anchor with: LODESTONE_PYTHON, else the first of `python3` on PATH and
 * Debian's /usr/bin/python3 that has numpy. (Debian's numpy on the reference BLAS needs many minutes
 * for the 9.7k × 9.7k inversion; an OpenBLAS-backed numpy needs seconds.)
 */
function anchorPython(): string {
  const candidates = [process.env.LODESTONE_PYTHON, "python3", "/usr/bin/python3"].filter(
    (c): c is string => !!c,
  );
  for (const python of candidates) {
    try {
      execFileSync(python, ["-c", "import numpy"], { stdio: "ignore" });
      return python;
    } catch {
      // not there, or no numpy: try the next
    }
  }
  throw new Error("no Python with numpy for the anchor: run `bash scripts/ensure-bench-deps.sh`");
}

/** Runs the numpy anchor; its lines read `name\tusers N\trecall@20 X\tndcg@20 Y`. */
function runAnchor(): { rows: AnchorRow[]; seconds: number } {
  const script = path.join(SHARED_DIR, "anchors/recsys/ease_anchor.py");
  const t0 = performance.now();
  const python = anchorPython();
  log(`anchor: ${python} ${script}`);
  const out = execFileSync(python, [script, ratings, "csv", args.lambda as string], { encoding: "utf8" });
  const rows = out
    .trim()
    .split("\n")
    .map((line) => {
      const m = /^(\S+)\tusers (\d+)\trecall@20 ([\d.]+)\tndcg@20 ([\d.]+)$/.exec(line.trim());
      if (!m) throw new Error(`unexpected anchor output: ${line}`);
      return { name: m[1] as string, users: Number(m[2]), recall: Number(m[3]), ndcg: Number(m[4]) };
    });
  return { rows, seconds: (performance.now() - t0) / 1000 };
}

log(`anchor: ${path.join(SHARED_DIR, "anchors/recsys/ease_anchor.py")} on ${ratings}`);
const anchor = runAnchor();
log(`anchor: ${anchor.seconds.toFixed(1)} s`);
const load0 = os.loadavg()[0];
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const report = runRecommendEval({
  dataset,
  onProgress: (step, done, total) => log(`lodestone: ${done}/${total} ${step}`),
});
const cpuSeconds = process.cpuUsage(cpu0).user / 1e6;
const wallSeconds = (performance.now() - t0) / 1000;
const ease = anchor.rows.find((r) => r.name.startsWith("EASE"));
const blend = report.results.find((r) => r.name === "blend");
if (!ease || !blend) throw new Error("anchor EASE or Lodestone blend missing");
const verdict = blend.ndcg >= ease.ndcg ? "≥" : "<";

const f4 = (x: number) => x.toFixed(4);
const md = writeResults(
  "recommend-eval",
  {
    dataset: args.dataset,
    command: `lodestone recommend eval --dataset ../shared/datasets/${args.dataset}`,
    anchor: { script: "shared/anchors/recsys/ease_anchor.py", lambda: Number(args.lambda), ...anchor },
    lodestone: report,
    run: { wallSeconds, cpuSeconds, loadAverageAtStart: load0, loadAverageAtEnd: os.loadavg()[0] },
    blendVsEase: { blendNdcg: blend.ndcg, easeAnchorNdcg: ease.ndcg, holds: blend.ndcg >= ease.ndcg },
  },
  [
    {
      title: `MovieLens (${args.dataset}) — ${report.testUsers} test users; ${report.protocol}`,
      columns: ["model", "Recall@20", "nDCG@20", "coverage", "novelty", "training s"],
      rows: [
        ...anchor.rows.map((r) => [`anchor: ${r.name} (numpy)`, f4(r.recall), f4(r.ndcg), "-", "-", "-"]),
        ...report.results.map((r) => [
          r.name === "blend" ? "**Lodestone blend**" : `Lodestone ${r.name}`,
          f4(r.recall),
          f4(r.ndcg),
          f4(r.coverage),
          r.novelty.toFixed(2),
          r.trainSeconds === undefined ? "-" : r.trainSeconds.toFixed(2),
        ]),
      ],
    },
    {
      title: "Blend",
      columns: [
        "weights (fit on the validation split of training data)",
        "validation nDCG@20",
        "blend vs anchor EASE nDCG@20",
      ],
      rows: [
        [
          Object.entries(report.blend.weights)
            .map(([c, w]) => `${c} ${w}`)
            .join(", "),
          f4(report.blend.validationNdcg),
          `${f4(blend.ndcg)} ${verdict} ${f4(ease.ndcg)}`,
        ],
      ],
    },
    {
      title: "Run",
      columns: ["anchor s", "Lodestone eval wall s", "Lodestone CPU s", "load average (start → end)"],
      rows: [
        [
          anchor.seconds.toFixed(1),
          wallSeconds.toFixed(1),
          cpuSeconds.toFixed(1),
          `${load0?.toFixed(1)} → ${os.loadavg()[0]?.toFixed(1)}`,
        ],
      ],
    },
  ],
);
process.stdout.write(md);
