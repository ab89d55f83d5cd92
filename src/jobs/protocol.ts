/**
 * How a running script talks to the job runner: one line on stdout starting with `##lodestone `
 * followed by a JSON object. Any language can print it; everything else on stdout is log output.
 *
 *   ##lodestone {"progress":0.25,"message":"epoch 1/4"}
 *   ##lodestone {"metrics":{"loss":0.41,"ndcg@10":0.33},"step":120}
 */
export const PROTOCOL_PREFIX = "##lodestone ";

export interface ScriptReport {
  /** Fraction done, 0..1. */
  progress?: number;
  message?: string;
  metrics?: Record<string, number>;
  step?: number;
}

/** Parses a protocol line; undefined when the line is ordinary output or malformed. */
export function parseReport(line: string): ScriptReport | undefined {
  if (!line.startsWith(PROTOCOL_PREFIX)) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(line.slice(PROTOCOL_PREFIX.length));
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) return undefined;
  const raw = data as Record<string, unknown>;
  const report: ScriptReport = {};
  if (typeof raw.progress === "number" && Number.isFinite(raw.progress)) {
    report.progress = Math.min(1, Math.max(0, raw.progress));
  }
  if (typeof raw.message === "string") report.message = raw.message.slice(0, 500);
  if (raw.metrics && typeof raw.metrics === "object" && !Array.isArray(raw.metrics)) {
    const metrics = Object.entries(raw.metrics as Record<string, unknown>).filter(
      (entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1]),
    );
    if (metrics.length) report.metrics = Object.fromEntries(metrics.map(([k, v]) => [k.slice(0, 100), v]));
  }
  if (typeof raw.step === "number" && Number.isInteger(raw.step)) report.step = raw.step;
  return Object.keys(report).length ? report : undefined;
}

export function formatReport(report: ScriptReport): string {
  return `${PROTOCOL_PREFIX}${JSON.stringify(report)}`;
}
