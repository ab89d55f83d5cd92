/**
 * Chat with a RAG app (docs/rag.md): streamed answers with [n] citation links; a citation opens
 * the chunk with the quoted span highlighted; thumbs up/down and clicked citations go to the
 * app's /feedback; the session continues across questions; the retrieval trace is viewable.
 */
import { ApiError, errorText, json, readEvents, send } from "../api.ts";
import { relatedPanel } from "../related.ts";
import {
  announce,
  errorBox,
  field,
  formatNumber,
  h,
  jsonBlock,
  openDialog,
  pageHeader,
  select,
  setOptions,
  table,
} from "../ui.ts";

interface App {
  id: string;
  name: string;
  description?: string;
  index: string;
  retrieval: { mode: string };
}

export interface Citation {
  n: number;
  chunk_id: string;
  index: string;
  source?: string;
  title?: string;
  section?: string;
  page?: number;
  score?: number;
  text: string;
  quote?: { start: number; end: number };
  /** Each quoted sentence, when the answer quotes several. */
  quotes?: { start: number; end: number }[];
}

interface TraceStage {
  stage: string;
  mode?: string;
  provider?: string;
  model_id?: string;
  took_ms: number;
  hits?: { chunk_id: string; score: number }[];
}

interface ChatAnswer {
  id: string;
  session_id: string;
  query: string;
  rewritten_query?: string;
  answer: string;
  citations: Citation[];
  trace?: { took_ms: number; stages: TraceStage[] };
  finish_reason?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

const DEFAULT_APP = "docs";

/**
 * The chunk's text with the quoted sentences in <mark>: each of `quotes` when given, else the one
 * `quote` span (offsets clamped to the text, overlaps merged).
 */
export function quotedText(citation: Citation): HTMLElement {
  const text = citation.text ?? "";
  const clamp = (n: number) => Math.max(0, Math.min(text.length, n));
  const spans = (citation.quotes ?? (citation.quote ? [citation.quote] : []))
    .map((q) => ({ start: clamp(q.start), end: clamp(q.end) }))
    .filter((q) => q.end > q.start)
    .sort((a, b) => a.start - b.start);
  const out = h("p", { class: "chunk" });
  let at = 0;
  for (const span of spans) {
    if (span.end <= at) continue;
    const start = Math.max(at, span.start);
    out.append(text.slice(at, start), h("mark", {}, text.slice(start, span.end)));
    at = span.end;
  }
  out.append(text.slice(at));
  return out;
}

function citationLabel(c: Citation): string {
  return [c.title, c.section].filter(Boolean).join(" › ") || c.source || c.chunk_id;
}

export function chatPage(root: HTMLElement): void {
  const appSelect = select([], undefined, { name: "app" });
  const question = h("input", {
    type: "text",
    name: "question",
    autocomplete: "off",
    required: true,
    placeholder: "e.g. How do I stop a training job?",
  });
  const ask = h("button", { type: "submit" }, "Ask");
  const streamBox = h("input", { type: "checkbox", name: "stream", checked: true });
  const mode = select(
    [
      { value: "", label: "the app's own" },
      { value: "bm25", label: "BM25" },
      { value: "neural", label: "neural" },
      { value: "hybrid", label: "hybrid" },
    ],
    "",
    { name: "mode" },
  );
  const newChat = h("button", { type: "button", class: "quiet" }, "New conversation");
  const log = h("div", {
    class: "chat-log",
    role: "log",
    "aria-live": "polite",
    "aria-label": "Conversation",
  });
  const status = h("p", { class: "status", role: "status" });
  const sessionNote = h("p", { class: "muted small", "data-session": "" });
  let sessionId: string | undefined;
  const setSession = (id: string | undefined) => {
    sessionId = id;
    sessionNote.dataset.session = id ?? "";
    sessionNote.textContent = id ? `Session ${id}: follow-up questions use the conversation so far.` : "";
  };

  const form = h(
    "form",
    { class: "chat-form" },
    h(
      "div",
      { class: "row wrap" },
      field("App", appSelect),
      field("Retrieval mode", mode),
      h("label", { class: "check" }, streamBox, "Stream the answer"),
      newChat,
    ),
    h("div", { class: "row ask" }, field("Question", question), ask),
  );
  root.append(
    pageHeader("Chat", "Ask a RAG app; answers cite the chunks they come from."),
    form,
    status,
    log,
    sessionNote,
  );

  newChat.addEventListener("click", () => {
    setSession(undefined);
    log.replaceChildren();
    announce("New conversation");
    question.focus();
  });
  appSelect.addEventListener("change", () => newChat.click());

  const loadApps = async () => {
    try {
      const { apps } = await json<{ apps: App[] }>("GET", "/v1/rag/apps");
      if (apps.length === 0) {
        status.replaceChildren(
          "No RAG apps yet. Run ",
          h("code", {}, "lodestone quickstart"),
          " (it creates the docs app) or create one with POST /v1/rag/apps.",
        );
      }
      setOptions(
        appSelect,
        apps.map((a) => ({ value: a.name, label: `${a.name} (${a.index}, ${a.retrieval.mode})` })),
        apps.some((a) => a.name === DEFAULT_APP) ? DEFAULT_APP : apps[0]?.name,
      );
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  };
  void loadApps();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = question.value.trim();
    if (!text || !appSelect.value) return;
    const turn = h(
      "article",
      { class: "turn" },
      h("p", { class: "question" }, h("strong", {}, "You: "), text),
    );
    const answerEl = h(
      "div",
      { class: "answer", "aria-busy": "true" },
      h("p", { class: "muted" }, "Retrieving…"),
    );
    turn.append(answerEl);
    log.append(turn);
    question.value = "";
    ask.disabled = true;
    try {
      const app = appSelect.value;
      const answer = await askApp(
        app,
        {
          query: text,
          session_id: sessionId,
          stream: streamBox.checked,
          ...(mode.value && { mode: mode.value }),
        },
        answerEl,
      );
      setSession(answer.session_id);
      renderAnswer(answerEl, app, answer);
    } catch (err) {
      answerEl.replaceChildren(errorBox(err));
    } finally {
      answerEl.removeAttribute("aria-busy");
      ask.disabled = false;
      question.focus();
    }
  });
}

/** Asks, streaming when wanted: partial text is shown as it arrives; resolves with the final answer. */
async function askApp(
  app: string,
  body: { query: string; session_id?: string; stream: boolean; mode?: string },
  answerEl: HTMLElement,
): Promise<ChatAnswer> {
  const path = `/v1/rag/apps/${encodeURIComponent(app)}/chat`;
  if (!body.stream) return json<ChatAnswer>("POST", path, body);
  const response = await send("POST", path, body);
  if (!response.ok)
    throw new ApiError(response.status, errorText(await response.json().catch(() => null), response.status));
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream"))
    return (await response.json()) as ChatAnswer;
  const partial = h("p", { class: "answer-text" });
  for await (const { event, data } of readEvents(response)) {
    const payload = JSON.parse(data);
    if (event === "retrieval") {
      const n = (payload.citations as unknown[] | undefined)?.length ?? 0;
      answerEl.replaceChildren(h("p", { class: "muted" }, `Retrieved ${n} chunks; writing…`), partial);
    } else if (event === "delta") {
      partial.append(String(payload.text ?? ""));
    } else if (event === "done") {
      return payload as ChatAnswer;
    } else if (event === "error") {
      throw new ApiError(500, errorText(payload, 500));
    }
  }
  throw new Error("the answer stream ended before the answer was complete");
}

function renderAnswer(answerEl: HTMLElement, app: string, answer: ChatAnswer): void {
  const byNumber = new Map(answer.citations.map((c) => [c.n, c]));
  const open = (c: Citation) => {
    showCitation(c);
    void sendFeedback(app, { chat_id: answer.id, clicked_citation: c.chunk_id });
  };
  const citationButton = (c: Citation, text: string) =>
    h(
      "button",
      {
        type: "button",
        class: "cite",
        "data-chunk": c.chunk_id,
        "aria-label": `Citation ${c.n}: ${citationLabel(c)}`,
        onclick: () => open(c),
      },
      text,
    );
  // the answer's text with each [n] that names a citation turned into a button
  const text = h("p", { class: "answer-text" });
  for (const part of answer.answer.split(/(\[\d+\])/)) {
    const n = /^\[(\d+)\]$/.exec(part)?.[1];
    const c = n === undefined ? undefined : byNumber.get(Number(n));
    text.append(c ? citationButton(c, part) : part);
  }
  const sources = h(
    "ol",
    { class: "sources", "aria-label": "Sources" },
    ...[...answer.citations]
      .sort((a, b) => a.n - b.n)
      .map((c) =>
        h(
          "li",
          { value: c.n },
          citationButton(c, citationLabel(c)),
          c.source ? h("span", { class: "muted" }, ` ${c.source}`) : null,
        ),
      ),
  );
  const rating = feedbackButtons(app, answer.id);
  const trace = h(
    "details",
    { class: "trace" },
    h("summary", {}, `Retrieval trace${answer.trace ? ` (${answer.trace.took_ms} ms)` : ""}`),
    answer.rewritten_query && answer.rewritten_query !== answer.query
      ? h("p", {}, "Rewritten query: ", h("q", {}, answer.rewritten_query))
      : null,
    answer.trace ? traceTable(answer.trace.stages) : h("p", {}, "No trace returned."),
    answer.usage
      ? h(
          "p",
          { class: "muted small" },
          `${answer.usage.prompt_tokens} prompt + ${answer.usage.completion_tokens} answer tokens${answer.finish_reason === "length" ? " (cut at the token limit)" : ""}`,
        )
      : null,
  );
  answerEl.replaceChildren(
    h("p", { class: "who" }, h("strong", {}, "Answer")),
    text,
    answer.citations.length ? sources : h("p", { class: "muted" }, "No citations."),
    relatedPanel(
      answer.citations[0]?.index,
      answer.citations.map((c) => c.chunk_id),
    ),
    h("div", { class: "row wrap top" }, rating, trace),
  );
}

function traceTable(stages: TraceStage[]): HTMLElement {
  return h(
    "div",
    {},
    table(
      [
        { label: "stage", cell: (s) => s.stage },
        { label: "how", cell: (s) => s.mode ?? s.provider ?? s.model_id ?? "" },
        { label: "ms", cell: (s) => s.took_ms, numeric: true },
        {
          label: "hits",
          cell: (s) =>
            s.hits ? s.hits.map((x) => `${x.chunk_id} (${formatNumber(x.score, 3)})`).join(", ") : "",
          numeric: false,
        },
      ],
      stages,
      "Retrieval stages",
    ),
  );
}

function feedbackButtons(app: string, chatId: string): HTMLElement {
  const group = h("div", { class: "row feedback", role: "group", "aria-label": "Rate this answer" });
  const make = (rating: "up" | "down", label: string) => {
    const button = h("button", { type: "button", class: "quiet", "aria-pressed": "false" }, label);
    button.addEventListener("click", async () => {
      for (const b of group.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === button));
      const ok = await sendFeedback(app, { chat_id: chatId, rating });
      announce(ok ? "Thanks for the feedback" : "The feedback could not be saved");
    });
    return button;
  };
  group.append(make("up", "Helpful"), make("down", "Not helpful"));
  return group;
}

async function sendFeedback(app: string, body: Record<string, string>): Promise<boolean> {
  try {
    await json("POST", `/v1/rag/apps/${encodeURIComponent(app)}/feedback`, body);
    return true;
  } catch {
    return false;
  }
}

function showCitation(c: Citation): void {
  const facts: [string, string | undefined][] = [
    ["Source", c.source],
    ["Title", c.title],
    ["Section", c.section],
    ["Page", c.page === undefined ? undefined : String(c.page)],
    ["Index", c.index],
    ["Chunk", c.chunk_id],
    ["Score", c.score === undefined ? undefined : formatNumber(c.score)],
  ];
  openDialog(
    `[${c.n}] ${citationLabel(c)}`,
    h(
      "dl",
      { class: "facts" },
      ...facts.filter(([, v]) => v).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]),
    ),
    quotedText(c),
    h("details", {}, h("summary", {}, "Citation as JSON"), jsonBlock(c, "Citation JSON")),
  );
}
