/**
 * Index browser: the indices (`_cat/indices`), and per index its mapping, settings, documents
 * (paged `_search`, optionally filtered by a query string) and an `_analyze` tool.
 */
import { search } from "../api.ts";
import { busy, field, h, jsonBlock, lazyDetails, pageHeader, select, snippet, table } from "../ui.ts";

interface CatIndex {
  index: string;
  health: string;
  status: string;
  "docs.count": string;
  "store.size"?: string;
}

const PAGE_SIZE = 10;
const BUILTIN_ANALYZERS = ["standard", "english", "simple", "whitespace", "keyword", "stop"];

export async function indicesPage(root: HTMLElement, params: string[]): Promise<void> {
  if (params[0]) return indexPage(root, params[0]);
  const rows = await search<CatIndex[]>("GET", "/_cat/indices?format=json");
  root.append(
    pageHeader(
      "Indices",
      "The search engine's indices; open one for its mapping, settings, documents and analyzers.",
    ),
    table(
      [
        {
          label: "index",
          cell: (r) => h("a", { href: `#/indices/${encodeURIComponent(r.index)}` }, r.index),
        },
        { label: "health", cell: (r) => h("span", { class: `badge ${r.health}` }, r.health) },
        { label: "status", cell: (r) => r.status },
        { label: "documents", cell: (r) => r["docs.count"], numeric: true },
        { label: "size", cell: (r) => r["store.size"] ?? "", numeric: true },
      ],
      rows.sort((a, b) => a.index.localeCompare(b.index)),
      "Indices",
      "No indices yet.",
    ),
  );
}

async function indexPage(root: HTMLElement, index: string): Promise<void> {
  const enc = encodeURIComponent(index);
  root.append(
    h("p", {}, h("a", { href: "#/indices" }, "← All indices")),
    pageHeader(`Index ${index}`),
    h("p", {}, h("a", { href: `#/search/${enc}` }, "Search it in the playground")),
    lazyDetails("Mapping", async () => jsonBlock(await search("GET", `/${enc}/_mapping`), "Mapping")),
    lazyDetails("Settings", async () => jsonBlock(await search("GET", `/${enc}/_settings`), "Settings")),
    documents(enc),
    await analyzeTool(enc),
  );
}

function documents(enc: string): HTMLElement {
  const query = h("input", {
    type: "search",
    name: "doc-query",
    placeholder: "query string, e.g. title:jobs (empty: all)",
  });
  const run = h("button", { type: "submit" }, "Show");
  const out = h("div", { "aria-live": "polite" });
  let from = 0;
  const load = async () => {
    const q = query.value.trim();
    const response = await search<{
      hits: { total: { value: number }; hits: { _id: string; _source: Record<string, unknown> }[] };
    }>("POST", `/${enc}/_search`, {
      from,
      size: PAGE_SIZE,
      query: q ? { query_string: { query: q } } : { match_all: {} },
      track_total_hits: true,
    });
    const total = response.hits.total.value;
    const prev = h("button", { type: "button", disabled: from === 0 }, "Previous");
    const next = h("button", { type: "button", disabled: from + PAGE_SIZE >= total }, "Next");
    prev.addEventListener("click", () =>
      busy(prev, out, async () => {
        from = Math.max(0, from - PAGE_SIZE);
        await load();
      }),
    );
    next.addEventListener("click", () =>
      busy(next, out, async () => {
        from += PAGE_SIZE;
        await load();
      }),
    );
    out.replaceChildren(
      h(
        "p",
        {},
        total ? `Documents ${from + 1}–${Math.min(from + PAGE_SIZE, total)} of ${total}` : "No documents.",
      ),
      h(
        "ul",
        { class: "docs" },
        ...response.hits.hits.map((hit) =>
          h(
            "li",
            {},
            h(
              "details",
              {},
              h("summary", {}, h("code", {}, hit._id), " ", snippet(hit._source, ["title"], 80)),
              jsonBlock(stripVectors(hit._source), `Document ${hit._id}`),
            ),
          ),
        ),
      ),
      h("div", { class: "row" }, prev, next),
    );
  };
  const form = h("form", { class: "row wrap" }, field("Filter", query), run);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    from = 0;
    void busy(run, out, load);
  });
  const details = h("details", {}, h("summary", {}, "Documents"), form, out);
  details.addEventListener("toggle", () => {
    if (details.open && !out.hasChildNodes()) void busy(run, out, load);
  });
  return details;
}

/** Long vectors make documents unreadable: show their length instead. */
function stripVectors(source: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(source).map(([k, v]) => [
      k,
      Array.isArray(v) && v.length > 16 && v.every((x) => typeof x === "number")
        ? `[${v.length} numbers]`
        : v,
    ]),
  );
}

async function analyzeTool(enc: string): Promise<HTMLElement> {
  const settings = await search<
    Record<string, { settings: { index?: { analysis?: { analyzer?: Record<string, unknown> } } } }>
  >("GET", `/${enc}/_settings`);
  const custom = Object.keys(Object.values(settings)[0]?.settings.index?.analysis?.analyzer ?? {});
  const analyzer = select(
    [...custom, ...BUILTIN_ANALYZERS].map((a) => ({ value: a })),
    custom[0] ?? "standard",
    { name: "analyzer" },
  );
  const text = h("input", {
    type: "text",
    name: "analyze-text",
    required: true,
    value: "Running the training jobs",
  });
  const run = h("button", { type: "submit" }, "Analyze");
  const out = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "row wrap" }, field("Analyzer", analyzer), field("Text", text), run);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(run, out, async () => {
      const { tokens } = await search<{
        tokens: { token: string; start_offset: number; end_offset: number; position: number; type: string }[];
      }>("POST", `/${enc}/_analyze`, { analyzer: analyzer.value, text: text.value });
      out.replaceChildren(
        table(
          [
            { label: "token", cell: (t) => h("code", {}, t.token) },
            { label: "position", cell: (t) => t.position, numeric: true },
            { label: "offsets", cell: (t) => `${t.start_offset}–${t.end_offset}` },
            { label: "type", cell: (t) => t.type },
          ],
          tokens,
          "Tokens",
          "No tokens.",
        ),
      );
    });
  });
  return h("details", {}, h("summary", {}, "Analyze"), form, out);
}
