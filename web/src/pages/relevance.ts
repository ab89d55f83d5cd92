/**
 * Relevance lab: judged queries (pasted, uploaded, or a BEIR folder in object storage) measured
 * with `_rank_eval` per retrieval mode (per-query details, a chart of the metric per mode), and
 * the relevance tuner (`POST /_lodestone/tune`, docs/tuning.md) with train vs held-out per stage.
 */
import { ApiError, search, send } from "../api.ts";
import { barChart } from "../charts.ts";
import {
  describeIndex,
  type IndexRetrieval,
  MODES,
  type Mode,
  type ModeChoice,
  modeRequest,
} from "../retrieval.ts";
import {
  busy,
  errorBox,
  field,
  formatNumber,
  h,
  jsonBlock,
  pageHeader,
  select,
  setOptions,
  table,
} from "../ui.ts";
import { indexNames } from "./search.ts";

/** One judged query, as `_rank_eval` and the tuner take it. */
export interface Judged {
  id: string;
  query_text: string;
  ratings: { _id: string; rating: number }[];
}

interface RankEvalResponse {
  metric_score: number | "NaN";
  details: Record<
    string,
    { metric_score: number; unrated_docs: unknown[]; hits: { hit: { _id: string }; rating: number | null }[] }
  >;
  failures: Record<string, unknown>;
}

interface Split {
  train: number;
  heldout: number;
  test?: number;
}
/** Tuned minus start over the same queries (src/eval/paired.ts). */
interface Paired {
  queries: number;
  delta: number;
  ci95: [number, number];
  p: number;
  verdict: "better" | "worse" | "within noise";
}
interface TuneReport {
  metric: string;
  train_queries: number;
  heldout_queries: number;
  baseline: Split;
  tuned: Split;
  comparison?: { heldout: Paired; test?: Paired };
  stages: {
    stage: string;
    status: string;
    reason?: string;
    change?: string;
    before?: Split;
    after?: Split;
  }[];
  proposal: unknown;
}

const METRICS = [
  { value: "ndcg", label: "nDCG" },
  { value: "precision", label: "precision" },
  { value: "recall", label: "recall" },
  { value: "mrr", label: "MRR" },
  { value: "err", label: "ERR" },
];
const TUNE_STAGES = ["bm25", "clauses", "synonyms", "prf", "hybrid", "rerank"];

/** Reads judgements: a JSON array or JSON lines of {id, query_text, ratings}; throws naming the problem. */
export function parseJudgements(text: string): Judged[] {
  const trimmed = text.trim();
  if (!trimmed) throw new Error("paste or load judged queries first");
  const items: unknown[] = trimmed.startsWith("[")
    ? JSON.parse(trimmed)
    : trimmed
        .split("\n")
        .filter((l) => l.trim())
        .map((l) => JSON.parse(l));
  return items.map((item, i) => {
    const q = item as Partial<Judged>;
    if (typeof q.id !== "string" || typeof q.query_text !== "string" || !Array.isArray(q.ratings)) {
      throw new Error(`judged query ${i + 1}: expected {"id","query_text","ratings":[{"_id","rating"}]}`);
    }
    return { id: q.id, query_text: q.query_text, ratings: q.ratings };
  });
}

/** A BEIR folder in object storage (queries.jsonl + qrels/<split>.tsv) as judged queries. */
async function loadBeir(prefix: string, split: string): Promise<Judged[]> {
  const m = /^oss:\/\/([^/]+)\/(.*)$/.exec(prefix.trim());
  if (!m) throw new Error("the folder must look like oss://bucket/path/");
  const [, bucket = "", dir = ""] = m;
  const base = `/v1/oss/${encodeURIComponent(bucket)}/${dir.replace(/\/?$/, "/")}`;
  const read = async (key: string) => {
    const response = await send("GET", `${base}${key}`);
    if (!response.ok) throw new ApiError(response.status, `${prefix}${key}: HTTP ${response.status}`);
    return response.text();
  };
  const [queries, qrels] = await Promise.all([read("queries.jsonl"), read(`qrels/${split}.tsv`)]);
  const text = new Map<string, string>();
  for (const line of queries.split("\n")) {
    if (!line.trim()) continue;
    const q = JSON.parse(line) as { _id: string; text: string };
    text.set(String(q._id), q.text);
  }
  const judged = new Map<string, Judged>();
  for (const line of qrels.split("\n")) {
    const [qid, doc, grade] = line.split("\t");
    if (!qid || !doc || grade === undefined || qid === "query-id" || !text.has(qid)) continue;
    const entry = judged.get(qid) ?? { id: qid, query_text: text.get(qid) as string, ratings: [] };
    entry.ratings.push({ _id: doc, rating: Number(grade) });
    judged.set(qid, entry);
  }
  return [...judged.values()];
}

function metricBody(metric: string, k: number, judged: Judged[]): Record<string, unknown> {
  switch (metric) {
    case "precision":
      return { precision: { k } };
    case "recall":
      return { recall: { k } };
    case "mrr":
      return { mean_reciprocal_rank: { k } };
    case "err":
      return {
        expected_reciprocal_rank: {
          k,
          maximum_relevance: Math.max(1, ...judged.flatMap((q) => q.ratings.map((r) => r.rating))),
        },
      };
    default:
      return { dcg: { k, normalize: true } };
  }
}

async function rankEval(
  index: string,
  mode: Mode,
  choice: ModeChoice,
  judged: Judged[],
  metric: string,
  k: number,
) {
  let pipeline: string | undefined;
  const requests = judged.map((q) => {
    const request = modeRequest(mode, q.query_text, choice, k);
    if (typeof request === "string") throw new Error(`${mode}: ${request}`);
    pipeline = request.pipeline;
    return {
      id: q.id,
      request: request.body,
      ratings: q.ratings.map((r) => ({ _index: index, _id: r._id, rating: r.rating })),
    };
  });
  const qs = pipeline ? `?search_pipeline=${encodeURIComponent(pipeline)}` : "";
  return search<RankEvalResponse>("POST", `/${encodeURIComponent(index)}/_rank_eval${qs}`, {
    requests,
    metric: metricBody(metric, k, judged),
  });
}

export async function relevancePage(root: HTMLElement): Promise<void> {
  const indexSelect = select([], undefined, { name: "index" });
  const judgements = h("textarea", {
    name: "judgements",
    rows: 8,
    spellcheck: "false",
    placeholder: '[{"id":"q1","query_text":"stop a job","ratings":[{"_id":"jobs.md#3","rating":2}]}]',
  });
  const upload = h("input", { type: "file", name: "upload", accept: ".json,.jsonl,application/json" });
  const beirPrefix = h("input", { type: "text", name: "beir", value: "oss://demo/data/" });
  const beirSplit = select([{ value: "dev" }, { value: "train" }, { value: "test" }], "dev", {
    name: "split",
  });
  const loadBeirButton = h("button", { type: "button" }, "Load from storage");
  const metric = select(METRICS, "ndcg", { name: "metric" });
  const k = h("input", { type: "number", name: "k", min: 1, max: 1000, value: 10, inputmode: "numeric" });
  const mode = select(
    MODES.map((m) => ({ value: m.mode, label: m.label })),
    "bm25",
    { name: "mode" },
  );
  const evalButton = h("button", { type: "submit" }, "Run _rank_eval");
  const compareButton = h("button", { type: "button" }, "Compare all modes");
  const tuneButton = h("button", { type: "button" }, "Run tune");
  const heldout = h("input", {
    type: "number",
    name: "heldout_share",
    min: 0.1,
    max: 0.9,
    step: 0.05,
    value: 0.3,
    inputmode: "decimal",
  });
  const stageBoxes = TUNE_STAGES.map((s) =>
    h("input", { type: "checkbox", name: "stage", value: s, checked: s !== "synonyms" }),
  );
  const loaded = h("p", { class: "muted", role: "status" });
  const results = h("div", { class: "stack", "aria-live": "polite" });

  const form = h(
    "form",
    { class: "stack" },
    h("div", { class: "row wrap" }, field("Index", indexSelect)),
    h(
      "fieldset",
      {},
      h("legend", {}, "Judged queries"),
      field("Judgements (JSON array or JSON lines of {id, query_text, ratings})", judgements),
      h(
        "div",
        { class: "row wrap" },
        field("Or upload a file", upload),
        field("Or a BEIR folder in object storage", beirPrefix),
        field("Split", beirSplit),
        loadBeirButton,
      ),
      loaded,
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "_rank_eval"),
      h(
        "div",
        { class: "row wrap" },
        field("Metric", metric),
        field("k", k),
        field("Retrieval mode", mode),
        evalButton,
        compareButton,
      ),
    ),
    h(
      "fieldset",
      {},
      h("legend", {}, "Tune (POST /_lodestone/tune)"),
      h(
        "div",
        { class: "row wrap checks", role: "group", "aria-label": "Stages" },
        ...stageBoxes.map((box) => h("label", { class: "check" }, box, box.value)),
      ),
      h("div", { class: "row wrap" }, field("Held-out share", heldout), tuneButton),
      h(
        "p",
        { class: "muted small" },
        "Tuning copies the index into a scratch index and answers when done (seconds to minutes).",
      ),
    ),
  );
  root.append(
    pageHeader("Relevance lab", "Measure retrieval on judged queries and tune relevance."),
    form,
    results,
  );

  const setJudged = (list: Judged[], from: string) => {
    judgements.value = JSON.stringify(list, null, 1);
    loaded.textContent = `${list.length} judged queries from ${from}.`;
  };
  upload.addEventListener("change", async () => {
    const file = upload.files?.[0];
    if (!file) return;
    try {
      setJudged(parseJudgements(await file.text()), file.name);
    } catch (err) {
      results.replaceChildren(errorBox(err));
    }
  });
  loadBeirButton.addEventListener("click", () =>
    busy(loadBeirButton, results, async () =>
      setJudged(
        await loadBeir(beirPrefix.value, beirSplit.value),
        `${beirPrefix.value} (${beirSplit.value})`,
      ),
    ),
  );

  let described: IndexRetrieval | undefined;
  const names = await indexNames();
  setOptions(
    indexSelect,
    names.map((n) => ({ value: n })),
    names.includes("rag-docs") ? "rag-docs" : names[0],
  );
  const describe = async () => {
    described = indexSelect.value ? await describeIndex(indexSelect.value) : undefined;
    return described;
  };
  indexSelect.addEventListener(
    "change",
    () => void describe().catch((err) => results.replaceChildren(errorBox(err))),
  );
  await describe().catch((err) => results.replaceChildren(errorBox(err)));

  const choice = (): ModeChoice => ({
    textFields: described?.textFields ?? [],
    vectorField: described?.vectorField ?? null,
    modelId: described?.modelId ?? null,
    hybridPipeline: described?.hybridPipelines[0] ?? null,
    rerankPipeline: described?.rerankPipelines[0] ?? null,
  });
  const kValue = () => Math.max(1, Math.min(1000, Number(k.value) || 10));

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(evalButton, results, async () => {
      const judged = parseJudgements(judgements.value);
      const chosen = mode.value as Mode;
      const response = await rankEval(indexSelect.value, chosen, choice(), judged, metric.value, kValue());
      results.replaceChildren(
        rankEvalView(response, judged, `${metric.selectedOptions[0]?.text}@${kValue()}`, chosen),
      );
    });
  });

  compareButton.addEventListener("click", () =>
    busy(compareButton, results, async () => {
      const judged = parseJudgements(judgements.value);
      const label = `${metric.selectedOptions[0]?.text}@${kValue()}`;
      const rows: { mode: string; score: number | null; note: string }[] = [];
      for (const m of MODES) {
        try {
          const response = await rankEval(
            indexSelect.value,
            m.mode,
            choice(),
            judged,
            metric.value,
            kValue(),
          );
          rows.push({
            mode: m.label,
            score: typeof response.metric_score === "number" ? response.metric_score : null,
            note: "",
          });
        } catch (err) {
          rows.push({ mode: m.label, score: null, note: (err as Error).message });
        }
      }
      results.replaceChildren(
        h("h2", {}, `${label} per retrieval mode (${judged.length} queries)`),
        barChart(
          `${label} per retrieval mode`,
          [label],
          rows.map((r) => ({ label: r.mode, values: [r.score] })),
        ),
        table(
          [
            { label: "mode", cell: (r) => r.mode },
            { label: label, cell: (r) => formatNumber(r.score), numeric: true },
            { label: "note", cell: (r) => r.note },
          ],
          rows,
          "Metric per mode",
        ),
      );
    }),
  );

  tuneButton.addEventListener("click", () =>
    busy(tuneButton, results, async () => {
      const judged = parseJudgements(judgements.value);
      const d = described;
      if (!d) throw new Error("choose an index");
      const stages = stageBoxes.filter((b) => b.checked).map((b) => b.value);
      const tuneMetric =
        metric.value === "ndcg" || metric.value === "recall" || metric.value === "mrr"
          ? `${metric.value}@${kValue()}`
          : "ndcg@10";
      results.replaceChildren(
        h("p", { role: "status" }, `Tuning ${d.index} on ${judged.length} judged queries…`),
      );
      const report = await search<TuneReport>("POST", "/_lodestone/tune", {
        index: d.index,
        fields: d.textFields.map((f) => f.replace(/\^.*$/, "")),
        requests: judged,
        heldout_share: Number(heldout.value) || 0.3,
        metric: tuneMetric,
        stages,
        ...(d.vectorField && d.modelId && { vector_field: d.vectorField, embedder_model_id: d.modelId }),
        ...(d.rerankModelId && { reranker_model_id: d.rerankModelId }),
      });
      results.replaceChildren(tuneView(report));
    }),
  );
}

function rankEvalView(response: RankEvalResponse, judged: Judged[], label: string, mode: Mode): HTMLElement {
  const text = new Map(judged.map((q) => [q.id, q.query_text]));
  const rows = Object.entries(response.details).map(([id, d]) => ({ id, ...d }));
  const failures = Object.keys(response.failures ?? {});
  return h(
    "div",
    { class: "stack" },
    h("h2", {}, `${label} (${mode}): ${formatNumber(response.metric_score)}`),
    failures.length ? h("p", { class: "error" }, `Failed queries: ${failures.join(", ")}`) : null,
    table(
      [
        { label: "query id", cell: (r) => r.id },
        { label: "query", cell: (r) => text.get(r.id) ?? "" },
        { label: label, cell: (r) => formatNumber(r.metric_score), numeric: true },
        { label: "unrated", cell: (r) => r.unrated_docs.length, numeric: true },
        {
          label: "hits (rating)",
          cell: (r) =>
            h(
              "details",
              {},
              h("summary", {}, `${r.hits.length} hits`),
              h(
                "ol",
                { class: "small" },
                ...r.hits.map((x) => h("li", {}, `${x.hit._id} (${x.rating ?? "unrated"})`)),
              ),
            ),
        },
      ],
      rows,
      "Per-query details",
    ),
  );
}

/** Whether the held-out gain is more than the noise of so few queries. */
function pairedNote(d: Paired, queries: string): HTMLElement {
  const signed = (x: number) => `${x >= 0 ? "+" : "−"}${Math.abs(x).toFixed(4)}`;
  const verdict = { better: "a real gain", worse: "a real loss", "within noise": "within noise" }[d.verdict];
  return h(
    "p",
    { class: "small", "data-paired": verdict },
    `Paired over the ${d.queries} ${queries} queries: ${signed(d.delta)} (95% CI ${signed(d.ci95[0])} … ${signed(d.ci95[1])}, randomization p ${d.p.toFixed(3)}): ${verdict}.`,
  );
}

function tuneView(report: TuneReport): HTMLElement {
  const groups = [
    { label: "baseline", values: [report.baseline.train, report.baseline.heldout] },
    ...report.stages
      .filter((s) => s.after ?? s.before)
      .map((s) => {
        const split = (s.after ?? s.before) as Split;
        return { label: s.stage, values: [split.train, split.heldout] };
      }),
    { label: "tuned", values: [report.tuned.train, report.tuned.heldout] },
  ];
  return h(
    "div",
    { class: "stack" },
    h(
      "h2",
      {},
      `Tuned ${report.metric}: held-out ${formatNumber(report.baseline.heldout)} → ${formatNumber(report.tuned.heldout)} (${report.train_queries} training, ${report.heldout_queries} held-out queries)`,
    ),
    ...(report.comparison ? [pairedNote(report.comparison.heldout, "held-out")] : []),
    barChart(`${report.metric} per stage: train vs held-out`, ["train", "held-out"], groups),
    table(
      [
        { label: "stage", cell: (s) => s.stage },
        { label: "status", cell: (s) => h("span", { class: `badge ${s.status}` }, s.status) },
        {
          label: "train before → after",
          cell: (s) => `${formatNumber(s.before?.train)} → ${formatNumber(s.after?.train)}`,
        },
        {
          label: "held-out before → after",
          cell: (s) => `${formatNumber(s.before?.heldout)} → ${formatNumber(s.after?.heldout)}`,
        },
        { label: "change or reason", cell: (s) => s.change ?? s.reason ?? "" },
      ],
      report.stages,
      "Stages",
    ),
    h("details", {}, h("summary", {}, "Proposal"), jsonBlock(report.proposal, "Tuning proposal")),
  );
}
