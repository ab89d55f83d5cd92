import fs from "node:fs";
import path from "node:path";

/** The folders of one job under `<data>/jobs/<id>/`. */
export interface JobWorkspace {
  root: string;
  inputDir: string;
  outputDir: string;
  codeDir: string;
  checkpointDir: string;
  logFile: string;
}

export function jobWorkspace(jobsRoot: string, jobId: string): JobWorkspace {
  const root = path.join(jobsRoot, jobId);
  return {
    root,
    inputDir: path.join(root, "input"),
    outputDir: path.join(root, "output"),
    codeDir: path.join(root, "code"),
    checkpointDir: path.join(root, "checkpoint"),
    logFile: path.join(root, "job.log"),
  };
}

export function createWorkspace(ws: JobWorkspace): void {
  for (const dir of [ws.inputDir, ws.outputDir, ws.codeDir, ws.checkpointDir])
    fs.mkdirSync(dir, { recursive: true });
}

export interface LogPage {
  lines: string[];
  /** Line number to ask for next. */
  nextOffset: number;
}

/** Lines `offset`.. of a job's log (at most `limit`); a negative offset counts from the end. */
export function readLog(ws: JobWorkspace, offset: number, limit: number): LogPage {
  let text = "";
  try {
    text = fs.readFileSync(ws.logFile, "utf8");
  } catch {
    return { lines: [], nextOffset: 0 };
  }
  const all = text.split("\n");
  if (all.at(-1) === "") all.pop();
  const start = offset < 0 ? Math.max(0, all.length + offset) : Math.min(offset, all.length);
  const lines = all.slice(start, start + limit);
  return { lines, nextOffset: start + lines.length };
}
