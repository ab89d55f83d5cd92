/** Writes a benchmark's results: machine-readable JSON and a Markdown table in bench/results/. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { RESULTS_DIR } from "./paths.ts";

export interface Table {
  title: string;
  columns: string[];
  rows: (string | number)[][];
}

export function markdownTable(t: Table): string {
  const cell = (v: string | number) => (typeof v === "number" ? formatNumber(v) : v);
  const lines = [
    `### ${t.title}`,
    "",
    `| ${t.columns.join(" | ")} |`,
    `|${t.columns.map(() => "---").join("|")}|`,
  ];
  for (const row of t.rows) lines.push(`| ${row.map(cell).join(" | ")} |`);
  return `${lines.join("\n")}\n`;
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(1);
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toFixed(4);
}

export function machineInfo(): Record<string, unknown> {
  return {
    node: process.version,
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** Saves `<name>.json` and `<name>.md`; returns the Markdown. */
export function writeResults(name: string, json: Record<string, unknown>, tables: Table[]): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  const md = `# ${name} (${new Date().toISOString()})\n\n${tables.map(markdownTable).join("\n")}`;
  fs.writeFileSync(
    path.join(RESULTS_DIR, `${name}.json`),
    `${JSON.stringify({ ...json, machine: machineInfo(), at: new Date().toISOString() }, null, 2)}\n`,
  );
  fs.writeFileSync(path.join(RESULTS_DIR, `${name}.md`), md);
  return md;
}

/** The value below which `p` percent of a sorted list lies (nearest rank); 0 for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}
