/** The console shell: hash routing to one page module per section, and the API key prompt. */
import { onKeyNeeded, setStoredKey, storedKey } from "./api.ts";
import { chatPage } from "./pages/chat.ts";
import { indicesPage } from "./pages/indices.ts";
import { jobsPage } from "./pages/jobs.ts";
import { modelsPage } from "./pages/models.ts";
import { recommendPage } from "./pages/recommend.ts";
import { relevancePage } from "./pages/relevance.ts";
import { searchPage } from "./pages/search.ts";
import { errorBox, field, h, openDialog } from "./ui.ts";

/** A page draws into `root`; `signal` aborts when the user navigates away (stops polling). */
export type Page = (root: HTMLElement, params: string[], signal: AbortSignal) => void | Promise<void>;

const PAGES: Record<string, { page: Page; title: string }> = {
  chat: { page: chatPage, title: "Chat" },
  search: { page: searchPage, title: "Search playground" },
  relevance: { page: relevancePage, title: "Relevance lab" },
  recommend: { page: recommendPage, title: "Recommendations" },
  jobs: { page: jobsPage, title: "Jobs" },
  models: { page: modelsPage, title: "Models and endpoints" },
  indices: { page: indicesPage, title: "Indices" },
};

let current: AbortController | undefined;

async function route(): Promise<void> {
  const hash = location.hash;
  // other fragments (the skip link's #main) are in-page links, not routes
  if (hash && !hash.startsWith("#/")) return;
  const [name = "chat", ...params] = hash.slice(2).split("/").map(decodeURIComponent);
  const entry = PAGES[name] ?? PAGES.chat;
  if (!entry) return;
  current?.abort();
  current = new AbortController();
  const main = document.getElementById("main") as HTMLElement;
  main.replaceChildren();
  document.title = `${entry.title} · Lodestone console`;
  for (const link of document.querySelectorAll<HTMLAnchorElement>("header nav a")) {
    if (link.getAttribute("href") === `#/${PAGES[name] ? name : "chat"}`)
      link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  try {
    await entry.page(main, params, current.signal);
  } catch (err) {
    main.append(errorBox(err));
  }
  // after a navigation (not the first load) focus goes to the new page's heading
  if (navigated) main.querySelector<HTMLElement>("h1")?.focus();
  navigated = true;
}
let navigated = false;

/** Asks for the API key in a dialog; resolves with it, or undefined when cancelled. */
function askKey(reason: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const input = h("input", {
      type: "password",
      name: "api-key",
      autocomplete: "off",
      placeholder: "lsk-…",
      required: true,
    });
    const form = h(
      "form",
      { method: "dialog", class: "stack" },
      h("p", {}, reason),
      field(
        "API key",
        input,
        'Create one on the server with "lodestone keys create <name>". It is kept in this browser.',
      ),
      h("div", { class: "row" }, h("button", { type: "submit" }, "Save key")),
    );
    let answer: string | undefined;
    form.addEventListener("submit", () => {
      answer = input.value.trim() || undefined;
    });
    const dialog = openDialog("API key needed", form);
    input.focus();
    dialog.addEventListener("close", () => resolve(answer));
  });
}

onKeyNeeded(askKey);

document.getElementById("key-button")?.addEventListener("click", async () => {
  const key = await askKey(
    storedKey()
      ? "A key is stored in this browser; enter another to replace it, or leave it empty and close to keep it."
      : "This server accepts requests without a key on loopback; a key is needed when it listens elsewhere.",
  );
  if (key) setStoredKey(key);
});

window.addEventListener("hashchange", () => void route());
void route();
