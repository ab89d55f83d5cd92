/**
 * Jobs (docs/jobs.md): the list with live status and progress, a form to run a built-in script,
 * and a job's page — state followed through its event stream, logs, and its metrics as curves.
 */
import { json, readEvents, send } from "../api.ts";
import { lineChart } from "../charts.ts";
import {
  busy,
  errorBox,
  field,
  formatTime,
  h,
  jsonBlock,
  pageHeader,
  poll,
  select,
  setOptions,
  table,
} from "../ui.ts";

interface Job {
  JobId: string;
  DisplayName: string;
  Status: string;
  ReasonCode: string | null;
  ReasonMessage: string | null;
  Script: string;
  Progress: number | null;
  ProgressMessage: string | null;
  Metrics: Record<string, number>;
  OssInput: string | null;
  OssOutput: string | null;
  HyperParameters: Record<string, string>;
  GmtCreateTime: string;
  GmtFinishTime: string | null;
  Duration: number;
}

const FINAL = new Set(["Succeeded", "Failed", "Stopped"]);

function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge ${status.toLowerCase()}`, "data-status": status }, status);
}

function progressBar(job: Job): HTMLElement {
  const value = job.Progress ?? (job.Status === "Succeeded" ? 1 : 0);
  return h(
    "span",
    { class: "progress" },
    h("progress", { max: 1, value, "aria-label": `${job.DisplayName} progress` }),
    ` ${Math.round(value * 100)}%`,
  );
}

export function jobsPage(root: HTMLElement, params: string[], signal: AbortSignal): void {
  if (params[0]) {
    jobPage(root, params[0], signal);
    return;
  }
  const list = h("div", { "aria-live": "off" });
  root.append(
    pageHeader("Jobs", "Training and data jobs (PAI-DLC compatible); the list refreshes itself."),
    newJobForm(),
    h("h2", {}, "All jobs"),
    list,
  );
  let shown = "";
  poll(signal, 2000, async () => {
    try {
      const { Jobs } = await json<{ Jobs: Job[] }>("GET", "/api/v1/jobs?PageSize=100", undefined, { signal });
      // redrawn only when something changed, so keyboard focus in the table survives idle polls
      const stamp = JSON.stringify(Jobs.map((j) => [j.JobId, j.Status, j.Progress, j.Duration]));
      if (stamp === shown) return true;
      shown = stamp;
      list.replaceChildren(
        table(
          [
            { label: "name", cell: (j) => h("a", { href: `#/jobs/${j.JobId}` }, j.DisplayName) },
            { label: "status", cell: (j) => statusBadge(j.Status) },
            { label: "progress", cell: progressBar },
            { label: "script", cell: (j) => j.Script },
            { label: "created", cell: (j) => formatTime(j.GmtCreateTime) },
            { label: "seconds", cell: (j) => j.Duration, numeric: true },
          ],
          Jobs,
          "Jobs",
          "No jobs yet. Run one below or with lodestone dlc create-job.",
        ),
      );
    } catch (err) {
      list.replaceChildren(errorBox(err));
    }
    return true;
  });
}

/** Runs a built-in script: name, input and output folders, hyper-parameters as key=value lines. */
function newJobForm(): HTMLElement {
  const script = select([], undefined, { name: "script" });
  const name = h("input", { type: "text", name: "name", required: true, value: "console-job" });
  const input = h("input", { type: "text", name: "oss_input", placeholder: "oss://bucket/data/" });
  const output = h("input", { type: "text", name: "oss_output", placeholder: "oss://bucket/out/" });
  const hps = h("textarea", { name: "hyper_parameters", rows: 2, placeholder: "epochs=3" });
  const submit = h("button", { type: "submit" }, "Create job");
  const out = h("div", { role: "status" });
  const form = h(
    "form",
    { class: "stack" },
    h(
      "div",
      { class: "row wrap" },
      field("Script", script),
      field("Name", name),
      field("OSS input", input),
      field("OSS output", output),
    ),
    field("Hyper-parameters (key=value per line)", hps),
    h("div", { class: "row" }, submit),
    out,
  );
  void json<{ Scripts: { Name: string; Description: string }[] }>("GET", "/api/v1/scripts")
    .then(({ Scripts }) =>
      setOptions(
        script,
        Scripts.map((s) => ({ value: s.Name, label: `${s.Name} — ${s.Description}` })),
      ),
    )
    .catch((err) => out.replaceChildren(errorBox(err)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(submit, out, async () => {
      const hyper: Record<string, string> = {};
      for (const line of hps.value.split("\n")) {
        const [k, ...v] = line.split("=");
        if (k?.trim()) hyper[k.trim()] = v.join("=").trim();
      }
      const created = await json<{ JobId: string }>("POST", "/api/v1/jobs", {
        DisplayName: name.value.trim(),
        Script: script.value,
        ...(input.value.trim() && { OssInput: input.value.trim() }),
        ...(output.value.trim() && { OssOutput: output.value.trim() }),
        HyperParameters: hyper,
      });
      location.hash = `#/jobs/${created.JobId}`;
    });
  });
  return h("details", { class: "new-job" }, h("summary", {}, "Run a built-in script"), form);
}

function jobPage(root: HTMLElement, jobId: string, signal: AbortSignal): void {
  const summary = h("div", { "aria-live": "polite" });
  const charts = h("div", { class: "stack" });
  const logs = h("pre", { class: "logs", tabindex: 0, "aria-label": "Job log" });
  const stop = h("button", { type: "button", hidden: true }, "Stop job");
  root.append(
    h("p", {}, h("a", { href: "#/jobs" }, "← All jobs")),
    pageHeader(`Job ${jobId}`),
    summary,
    h("div", { class: "row" }, stop),
    h("h2", {}, "Metrics"),
    charts,
    h("h2", {}, "Log"),
    logs,
  );
  stop.addEventListener("click", () => busy(stop, summary, () => json("POST", `/api/v1/jobs/${jobId}/stop`)));

  let logOffset = 0;
  let metricsDrawn = "";
  // one refresh at a time: the event stream and the poll both ask, and the log is read by offset
  let queue: Promise<void> = Promise.resolve();
  const refreshExtras = (final: boolean) =>
    (queue = queue.catch(() => undefined).then(() => readExtras(final)));
  const readExtras = async (final: boolean) => {
    const page = await json<{ Logs: string[]; NextOffset: number }>(
      "GET",
      `/api/v1/jobs/${jobId}/logs?Offset=${logOffset}`,
      undefined,
      { signal },
    );
    if (page.Logs.length) logs.append(`${page.Logs.join("\n")}\n`);
    logOffset = page.NextOffset;
    const { Metrics } = await json<{ Metrics: { Name: string; Step: number | null; Value: number }[] }>(
      "GET",
      `/api/v1/jobs/${jobId}/metrics`,
      undefined,
      { signal },
    );
    // redraw only when there is something new (charts are rebuilt from every point)
    const stamp = `${Metrics.length}:${final}`;
    if (stamp === metricsDrawn) return;
    metricsDrawn = stamp;
    charts.replaceChildren(metricCharts(Metrics));
  };

  const render = (job: Job) => {
    stop.hidden = FINAL.has(job.Status) || job.Status === "Stopping";
    summary.replaceChildren(
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Name"),
        h("dd", {}, job.DisplayName),
        h("dt", {}, "Status"),
        h("dd", {}, statusBadge(job.Status), job.ReasonMessage ? ` ${job.ReasonMessage}` : ""),
        h("dt", {}, "Progress"),
        h("dd", {}, progressBar(job), job.ProgressMessage ? ` ${job.ProgressMessage}` : ""),
        h("dt", {}, "Script"),
        h("dd", {}, job.Script),
        h("dt", {}, "Input / output"),
        h("dd", {}, `${job.OssInput ?? "–"} → ${job.OssOutput ?? "–"}`),
        h("dt", {}, "Created / finished"),
        h("dd", {}, `${formatTime(job.GmtCreateTime)} / ${formatTime(job.GmtFinishTime)}`),
        h("dt", {}, "Latest metrics"),
        h("dd", {}, Object.keys(job.Metrics).length ? jsonBlock(job.Metrics, "Latest metrics") : "–"),
      ),
    );
  };

  // the event stream pushes each change; the log and metrics are fetched alongside
  const follow = async () => {
    const response = await send("GET", `/api/v1/jobs/${jobId}/events`, undefined, { signal });
    if (!response.ok) {
      const job = await json<Job>("GET", `/api/v1/jobs/${jobId}`, undefined, { signal });
      render(job);
      return;
    }
    let last = 0;
    for await (const { event, data } of readEvents(response)) {
      if (event !== "job") continue;
      const job = JSON.parse(data) as Job;
      render(job);
      const final = FINAL.has(job.Status);
      if (final || Date.now() - last > 1000) {
        last = Date.now();
        await refreshExtras(final);
      }
    }
  };
  void follow()
    .then(() => refreshExtras(true))
    .catch((err) => {
      if ((err as Error).name !== "AbortError") summary.append(errorBox(err));
    });
  // between job events (a long epoch) the log and curves still move
  poll(signal, 3000, async () => {
    const badge = summary.querySelector<HTMLElement>("[data-status]");
    if (badge && FINAL.has(badge.dataset.status ?? "")) return false;
    await refreshExtras(false);
    return true;
  });
}

function metricCharts(points: { Name: string; Step: number | null; Value: number }[]): Node {
  if (points.length === 0) return h("p", { class: "muted" }, "No metrics reported yet.");
  const byName = new Map<string, { x: number; y: number }[]>();
  for (const p of points) {
    const list = byName.get(p.Name) ?? [];
    list.push({ x: p.Step ?? list.length + 1, y: p.Value });
    byName.set(p.Name, list);
  }
  // a metric reported once (a final figure) is a value, not a curve: "Latest metrics" shows it
  const curves = [...byName.keys()].filter((n) => (byName.get(n)?.length ?? 0) > 1);
  if (curves.length === 0)
    return h("p", { class: "muted" }, "Each metric has one value so far; see Latest metrics.");
  // loss-like metrics share one chart; every other metric gets its own
  const lossNames = curves.filter((n) => /loss/i.test(n));
  const others = curves.filter((n) => !lossNames.includes(n));
  const fragment = document.createDocumentFragment();
  if (lossNames.length)
    fragment.append(
      lineChart(
        "Loss",
        lossNames.map((n) => ({ name: n, points: byName.get(n) ?? [] })),
      ),
    );
  for (const n of others) fragment.append(lineChart(n, [{ name: n, points: byName.get(n) ?? [] }]));
  return fragment;
}
