/** Small DOM helpers every page uses: element building, labelled fields, tables, dialogs, status. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

/** Creates an element: attributes (`on…` names take listeners, booleans toggle), then children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

let idCounter = 0;
/** A document-unique id, for label/aria wiring. */
export function uid(prefix = "f"): string {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/** A control with its visible label (and an optional hint tied by aria-describedby). */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  control.id ||= uid();
  const hintEl = hint ? h("small", { id: uid("hint"), class: "hint" }, hint) : null;
  if (hintEl) control.setAttribute("aria-describedby", hintEl.id);
  return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hintEl);
}

export interface Option {
  value: string;
  label?: string;
}

export function select(options: Option[], value?: string, attrs: Attrs = {}): HTMLSelectElement {
  const el = h("select", attrs, ...options.map((o) => h("option", { value: o.value }, o.label ?? o.value)));
  if (value !== undefined && options.some((o) => o.value === value)) el.value = value;
  return el;
}

/** Replaces a select's options, keeping the current value when it is still offered. */
export function setOptions(el: HTMLSelectElement, options: Option[], preferred?: string): void {
  const keep = preferred ?? el.value;
  el.replaceChildren(...options.map((o) => h("option", { value: o.value }, o.label ?? o.value)));
  if (options.some((o) => o.value === keep)) el.value = keep;
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Child | Child[];
  /** Right-aligned numbers. */
  numeric?: boolean;
}

/** A table in a wrapper that scrolls sideways on its own, so the page never does. */
export function table<T>(
  columns: Column<T>[],
  rows: T[],
  caption?: string,
  empty = "Nothing yet.",
): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  const head = h(
    "tr",
    {},
    ...columns.map((c) => h("th", { scope: "col", class: c.numeric ? "num" : null }, c.label)),
  );
  const body = rows.map((row) =>
    h("tr", {}, ...columns.map((c) => h("td", { class: c.numeric ? "num" : null }, c.cell(row)))),
  );
  return h(
    "div",
    { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption ?? "table" },
    h("table", {}, caption ? h("caption", {}, caption) : null, h("thead", {}, head), h("tbody", {}, ...body)),
  );
}

/** Pretty JSON in a scrollable block. */
export function jsonBlock(value: unknown, label = "JSON"): HTMLElement {
  return h("pre", { class: "json", tabindex: 0, "aria-label": label }, JSON.stringify(value, null, 2));
}

/** A collapsible section whose content is built the first time it opens. */
export function lazyDetails(
  summary: string,
  build: () => Node | Promise<Node>,
  attrs: Attrs = {},
): HTMLElement {
  const details = h("details", attrs, h("summary", {}, summary));
  let built = false;
  details.addEventListener("toggle", async () => {
    if (!details.open || built) return;
    built = true;
    try {
      details.append(await build());
    } catch (err) {
      details.append(errorBox(err));
    }
  });
  return details;
}

export function errorBox(err: unknown): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  return h("p", { class: "error", role: "alert" }, message);
}

/** Runs `work` with the button disabled and a busy state; errors land in `out` (replacing it). */
export async function busy<T>(
  button: HTMLButtonElement,
  out: HTMLElement,
  work: () => Promise<T>,
): Promise<T | undefined> {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } catch (err) {
    if ((err as Error).name !== "AbortError") out.replaceChildren(errorBox(err));
    return undefined;
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

/** Says something to screen readers through the shell's polite live region. */
export function announce(message: string): void {
  const region = document.getElementById("announcer");
  if (!region) return;
  region.textContent = "";
  // a fresh text node after a tick is read out even when the message repeats
  setTimeout(() => {
    region.textContent = message;
  }, 30);
}

/**
 * A modal dialog (native <dialog>: Escape closes it, focus moves into it and back to the opener
 * when it closes). Removed from the page once closed.
 */
export function openDialog(title: string, ...content: Child[]): HTMLDialogElement {
  const opener = document.activeElement as HTMLElement | null;
  const titleId = uid("dlg");
  const close = h("button", { type: "button", class: "close", "aria-label": "Close" }, "×");
  const dialog = h(
    "dialog",
    { "aria-labelledby": titleId },
    h("header", {}, h("h2", { id: titleId, tabindex: -1 }, title), close),
    h("div", { class: "dialog-body" }, ...content),
  );
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) dialog.close(); // a click on the backdrop
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    opener?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  (dialog.querySelector("h2") as HTMLElement).focus();
  return dialog;
}

export function formatNumber(value: unknown, digits = 4): string {
  return typeof value === "number" && Number.isFinite(value) ? String(Number(value.toFixed(digits))) : "–";
}

export function formatTime(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : "–";
}

/** A page's heading and intro; the heading takes focus after navigation (see main.ts). */
export function pageHeader(title: string, intro?: string): HTMLElement {
  return h(
    "div",
    { class: "page-header" },
    h("h1", { tabindex: -1 }, title),
    intro ? h("p", {}, intro) : null,
  );
}

/** Calls `tick` now and every `ms` until `signal` aborts or `tick` returns false. */
export function poll(signal: AbortSignal, ms: number, tick: () => Promise<boolean | undefined>): void {
  const run = async () => {
    if (signal.aborted) return;
    let again: boolean | undefined = true;
    try {
      again = await tick();
    } catch {
      // shown by the tick itself; keep polling so a restarted server is picked up again
    }
    if (again !== false && !signal.aborted) setTimeout(run, ms);
  };
  void run();
}

/** The text of the first text-like value of a document source, for result lists. */
export function snippet(source: Record<string, unknown> | undefined, fields: string[], max = 240): string {
  if (!source) return "";
  for (const f of fields) {
    const value = source[f.replace(/\^.*$/, "")];
    if (typeof value === "string" && value.trim())
      return value.length > max ? `${value.slice(0, max)}…` : value;
  }
  const first = Object.values(source).find((v) => typeof v === "string");
  return typeof first === "string" ? first.slice(0, max) : "";
}
