/**
 * Search playground: one query run four ways side by side — BM25, neural, hybrid, hybrid +
 * rerank — on an index, with scores and each hit's `explain`. The queries are built from the
 * index's mapping, default ingest pipeline and the search pipelines (see retrieval.ts) and can be
 * adjusted under "Query settings".
 */
import { search } from "../api.ts";
import {
  describeIndex,
  type IndexRetrieval,
  MODES,
  type Mode,
  type ModeChoice,
  modeRequest,
} from "../retrieval.ts";
import {
  announce,
  busy,
  errorBox,
  field,
  formatNumber,
  h,
  jsonBlock,
  pageHeader,
  select,
  setOptions,
  snippet,
} from "../ui.ts";

interface Hit {
  _id: string;
  _score: number | null;
  _source?: Record<string, unknown>;
  _explanation?: Explanation;
}
interface Explanation {
  value: number;
  description: string;
  details?: Explanation[];
}
interface SearchResponse {
  took: number;
  hits: { total: { value: number } | number; hits: Hit[] };
}

/** The index names the user can search (hidden `.`-indices left out). */
export async function indexNames(): Promise<string[]> {
  const rows = await search<{ index: string }[]>("GET", "/_cat/indices?format=json&h=index");
  return rows
    .map((r) => r.index)
    .filter((n) => !n.startsWith("."))
    .sort();
}

function explanationTree(e: Explanation): HTMLElement {
  return h(
    "li",
    {},
    h("code", {}, formatNumber(e.value)),
    ` ${e.description}`,
    e.details?.length ? h("ul", {}, ...e.details.map(explanationTree)) : null,
  );
}

/** The title is the hit's heading already: the snippet comes from the other text fields first. */
function bodyFirst(fields: string[]): string[] {
  const isTitle = (f: string) => f.replace(/\^.*$/, "") === "title";
  return [...fields.filter((f) => !isTitle(f)), ...fields.filter(isTitle)];
}

function hitItem(hit: Hit, rank: number, fields: string[]): HTMLElement {
  const title = typeof hit._source?.title === "string" ? hit._source.title : hit._id;
  return h(
    "li",
    { class: "hit" },
    h(
      "div",
      { class: "hit-head" },
      h("span", { class: "rank" }, `${rank}.`),
      h("strong", {}, title),
      h("code", { class: "score" }, formatNumber(hit._score)),
    ),
    h("p", { class: "muted small" }, `_id ${hit._id}`),
    h("p", { class: "snippet" }, snippet(hit._source, bodyFirst(fields))),
    h(
      "details",
      { class: "explain" },
      h("summary", {}, "explain"),
      hit._explanation
        ? h("ul", { class: "explanation" }, explanationTree(hit._explanation))
        : h("p", {}, "The engine gave no explanation."),
    ),
  );
}

export async function searchPage(root: HTMLElement, params: string[]): Promise<void> {
  const indexSelect = select([], undefined, { name: "index" });
  const query = h("input", {
    type: "search",
    name: "q",
    required: true,
    autocomplete: "off",
    placeholder: "e.g. hybrid search with rerank",
  });
  const size = h("input", {
    type: "number",
    name: "size",
    min: 1,
    max: 100,
    value: 10,
    inputmode: "numeric",
  });
  const run = h("button", { type: "submit" }, "Search");
  const fields = h("input", { type: "text", name: "fields" });
  const vectorField = h("input", { type: "text", name: "vector_field" });
  const modelId = h("input", { type: "text", name: "model_id" });
  const hybridPipeline = select([], undefined, { name: "hybrid_pipeline" });
  const rerankPipeline = select([], undefined, { name: "rerank_pipeline" });
  const settings = h(
    "details",
    { class: "settings" },
    h("summary", {}, "Query settings"),
    h(
      "div",
      { class: "grid" },
      field("Text fields (multi_match)", fields, "comma-separated, boosts like title^2 allowed"),
      field("Vector field", vectorField),
      field("Embedding model id", modelId, "from the index's default ingest pipeline"),
      field("Hybrid search pipeline", hybridPipeline),
      field("Rerank search pipeline", rerankPipeline),
    ),
  );
  const columns = h("div", { class: "columns" });
  const form = h(
    "form",
    { class: "stack" },
    h(
      "div",
      { class: "row wrap" },
      field("Index", indexSelect),
      field("Query", query),
      field("Results", size),
      run,
    ),
    settings,
  );
  root.append(
    pageHeader("Search playground", "One query, four retrieval modes, side by side."),
    form,
    columns,
  );

  let described: IndexRetrieval | undefined;
  const loadIndex = async () => {
    if (!indexSelect.value) return;
    described = await describeIndex(indexSelect.value);
    fields.value = described.textFields.join(", ");
    vectorField.value = described.vectorField ?? "";
    modelId.value = described.modelId ?? "";
    const none = { value: "", label: "(none)" };
    setOptions(
      hybridPipeline,
      [none, ...described.hybridPipelines.map((p) => ({ value: p }))],
      described.hybridPipelines[0] ?? "",
    );
    setOptions(
      rerankPipeline,
      [none, ...described.rerankPipelines.map((p) => ({ value: p }))],
      described.rerankPipelines[0] ?? "",
    );
  };
  indexSelect.addEventListener(
    "change",
    () => void loadIndex().catch((err) => columns.replaceChildren(errorBox(err))),
  );

  const names = await indexNames();
  if (names.length === 0) {
    columns.replaceChildren(
      h("p", {}, "No indices yet. Create one (PUT /<index>) or run lodestone quickstart."),
    );
    return;
  }
  setOptions(
    indexSelect,
    names.map((n) => ({ value: n })),
    params[0] ?? (names.includes("rag-docs") ? "rag-docs" : names[0]),
  );
  await loadIndex();

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const choice: ModeChoice = {
      textFields: fields.value
        .split(",")
        .map((f) => f.trim())
        .filter(Boolean),
      vectorField: vectorField.value.trim() || null,
      modelId: modelId.value.trim() || null,
      hybridPipeline: hybridPipeline.value || null,
      rerankPipeline: rerankPipeline.value || null,
    };
    const text = query.value.trim();
    const k = Math.max(1, Math.min(100, Number(size.value) || 10));
    void busy(run, columns, async () => {
      columns.replaceChildren(
        ...MODES.map(({ mode, label }) =>
          h(
            "section",
            { class: "column", "data-mode": mode, "aria-label": label },
            h("h2", {}, label),
            h("p", { class: "muted" }, "Searching…"),
          ),
        ),
      );
      const done = await Promise.all(
        MODES.map(({ mode }) => fillColumn(indexSelect.value, mode, text, choice, k, columns)),
      );
      // one short summary for screen readers instead of four columns read out
      announce(done.filter(Boolean).join(", "));
    });
  });
}

async function fillColumn(
  index: string,
  mode: Mode,
  text: string,
  choice: ModeChoice,
  size: number,
  columns: HTMLElement,
): Promise<string> {
  const column = columns.querySelector<HTMLElement>(`[data-mode="${mode}"]`);
  if (!column) return "";
  const heading = column.querySelector("h2") as HTMLElement;
  const label = heading.textContent ?? mode;
  const request = modeRequest(mode, text, choice, size);
  if (typeof request === "string") {
    column.replaceChildren(heading, h("p", { class: "muted" }, `Not available: ${request}.`));
    return `${label} not available`;
  }
  const qs = new URLSearchParams(request.pipeline ? { search_pipeline: request.pipeline } : {});
  const path = `/${encodeURIComponent(index)}/_search${qs.size ? `?${qs}` : ""}`;
  try {
    // vectors are long and unreadable: leave them out of the hits
    const source = choice.vectorField ? { _source: { excludes: [choice.vectorField] } } : {};
    const response = await search<SearchResponse>("POST", path, {
      ...request.body,
      ...source,
      explain: true,
    });
    const total = typeof response.hits.total === "number" ? response.hits.total : response.hits.total.value;
    column.replaceChildren(
      heading,
      h(
        "p",
        { class: "muted small" },
        `${total} hits · ${response.took} ms${request.pipeline ? ` · pipeline ${request.pipeline}` : ""}`,
      ),
      response.hits.hits.length
        ? h(
            "ol",
            { class: "hits" },
            ...response.hits.hits.map((hit, i) => hitItem(hit, i + 1, choice.textFields)),
          )
        : h("p", {}, "No hits."),
      h("details", {}, h("summary", {}, "request"), jsonBlock(request.body, `${mode} request`)),
    );
    return `${label} ${total} hits`;
  } catch (err) {
    column.replaceChildren(heading, errorBox(err));
    return `${label} failed`;
  }
}
