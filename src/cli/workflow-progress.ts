/**
 * How `workflow run` and `quickstart` show a workflow's progress: a line per step, and on a
 * terminal a progress bar per training job, bulk load and evaluation run (lines at 25% steps
 * otherwise, so CI logs stay short). Nothing at all with --json.
 */
import cliProgress from "cli-progress";
import type { WorkflowEvent } from "../workflow/context.ts";

const MARK = { start: "…", done: "✓", skipped: "=" } as const;

export function workflowProgress(opts: { quiet: boolean }): {
  onEvent(e: WorkflowEvent): void;
  stop(): void;
} {
  const write = (line: string) => process.stderr.write(`${line}\n`);
  const tty = Boolean(process.stderr.isTTY);
  let bar: { label: string; bar: cliProgress.SingleBar } | undefined;
  let lastQuarter = new Map<string, number>();
  const stopBar = () => {
    bar?.bar.stop();
    bar = undefined;
  };
  return {
    onEvent(e) {
      if (opts.quiet) return;
      if (e.type === "step") {
        stopBar();
        write(`${MARK[e.status]} ${e.step}: ${e.message}`);
        return;
      }
      if (tty) {
        if (bar?.label !== e.label) {
          stopBar();
          const b = new cliProgress.SingleBar(
            {
              format: "  {label} |{bar}| {percentage}% | {message}",
              hideCursor: true,
              stream: process.stderr,
              clearOnComplete: false,
            },
            cliProgress.Presets.shades_classic,
          );
          b.start(100, 0, { label: e.label, message: "" });
          bar = { label: e.label, bar: b };
        }
        bar.bar.update(Math.round(e.fraction * 100), { label: e.label, message: e.message.slice(0, 60) });
        return;
      }
      const quarter = Math.floor(e.fraction * 4);
      if (quarter !== lastQuarter.get(e.label))
        write(`  ${e.label}: ${Math.round(e.fraction * 100)}% ${e.message}`);
      lastQuarter.set(e.label, quarter);
    },
    stop() {
      stopBar();
      lastQuarter = new Map();
    },
  };
}
