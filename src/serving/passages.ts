/**
 * Finds the passages and the question in chat messages, for the extractive answerer. The format is
 * what RAG apps send and people type (described in full in ANSWERER.md):
 *
 *  - **Numbered passages** in system, user or tool messages: a line starting with `[n]` (or `[n]:`,
 *    `[n].`, `Source n:`, `Document n:`, `Passage n:`) begins passage n; it runs until the next such line, or until a blank line after which
 *    no further `[n]` line follows (the rest of the message is not passage text), or until the
 *    question label. Passages keep their numbers, which are what the answer cites.
 *  - **A context block**: a line `Context:` (also `Passages:`, `Sources:`, `Documents:`, `Excerpts:`,
 *    `Search results:`, `References:`, optionally after a few words such as "Use the following",
 *    or as a Markdown heading `## Context`) starts a block that runs to the question label, the
 *    next context label or the end of the message. With `[n]` lines in it, those are the passages;
 *    without, each paragraph (text between blank lines) is a passage, numbered in order after the
 *    highest explicit number.
 *  - **The question**: in the last user message, the text after its last `Question:` (or `Query:`,
 *    `Q:`, `## Question`) label up to the next passage or context label, a trailing `Answer:` line
 *    (or `Helpful Answer:`) removed; without a label, that message's text with passages and context blocks removed. If
 *    that leaves nothing, an unlabelled context block's last paragraph is the question when it ends
 *    in "?", else the previous user message is tried. Assistant messages are never read.
 */
import type { ChatMessage } from "./chat-types.ts";

export interface Passage {
  /** The number the answer cites, `[id]`. */
  id: number;
  /** The passage text, markers removed, otherwise as given. */
  text: string;
}

export interface ParsedPrompt {
  /** In the order they appear; that order is the passages' rank. */
  passages: Passage[];
  question: string;
}

const MARKER = /^\s{0,3}(?:\[(\d{1,4})\](?![([])[:.]?|(?:source|document|passage)\s+(\d{1,4})\s*:)\s*(.*)$/i;
const QUESTION_LABEL =
  /^\s*(?:#{1,6}\s*)?(?:\*\*)?(?:(?:[\p{L}]+\s+)?(?:question|query)|q)(?:\*\*)?\s*[:：](?:\*\*)?\s*(.*)$/iu;
const QUESTION_HEADING = /^\s*#{1,6}\s*(?:question|query)\s*$/i;
const CONTEXT_LABEL =
  /^\s*(?:#{1,6}\s*)?(?:\*\*)?(?:[\p{L}'’-]+\s+){0,5}(?:context|passages?|sources|documents|excerpts|search results|references)(?:\*\*)?\s*[:：](?:\*\*)?\s*(.*)$/iu;
const CONTEXT_HEADING =
  /^\s*#{1,6}\s*(?:context|passages?|sources|documents|excerpts|search results|references)\s*$/i;
const ANSWER_LABEL = /^\s*(?:\*\*)?(?:[\p{L}]+\s+)?answer(?:\*\*)?\s*[:：]\s*$/iu;

/** A classified line; `text` is what follows the marker or label, `raw` the whole line. */
interface Line {
  kind: "marker" | "question" | "context" | "blank" | "text";
  raw: string;
  text: string;
  id?: number;
}

interface ParsedMessage {
  numbered: Passage[];
  /** Paragraphs of context blocks without `[n]` lines; numbered later, across messages. */
  unnumbered: string[];
  /** The labelled question, if the message has one. */
  question: string | undefined;
  /** Text that is neither passage nor question (instructions, or an unlabelled question). */
  rest: string;
}

export function parsePrompt(messages: readonly ChatMessage[]): ParsedPrompt {
  const parsed = messages.map((m) =>
    m.role === "assistant" ? undefined : parseMessage(m.content, m.role === "user"),
  );

  let next = 1;
  for (const p of parsed) for (const passage of p?.numbered ?? []) next = Math.max(next, passage.id + 1);

  const userIndexes = messages.flatMap((m, i) => (m.role === "user" ? [i] : []));
  const lastUser = parsed[userIndexes.at(-1) ?? -1];
  // Mutates lastUser before numbering, so the popped paragraph is not also a passage.
  const question = findQuestion(
    userIndexes.map((i) => parsed[i]).filter((p) => p !== undefined),
    lastUser,
  );

  const passages: Passage[] = [];
  for (const p of parsed) {
    if (!p) continue;
    passages.push(...p.numbered);
    for (const text of p.unnumbered) passages.push({ id: next++, text });
  }
  return { passages, question };
}

function findQuestion(users: ParsedMessage[], last: ParsedMessage | undefined): string {
  if (last) {
    const own = (last.question ?? last.rest).trim();
    if (own !== "") return own;
    const tail = last.unnumbered.at(-1);
    if (last.question === undefined && tail !== undefined && /[?？]\s*$/.test(tail)) {
      last.unnumbered.pop();
      return tail.trim();
    }
  }
  for (let i = users.length - 2; i >= 0; i--) {
    const earlier = users[i];
    const text = (earlier?.question ?? earlier?.rest ?? "").trim();
    if (text !== "") return text;
  }
  return "";
}

function classify(raw: string, questionLabels: boolean): Line {
  if (raw.trim() === "") return { kind: "blank", raw, text: "" };
  const marker = MARKER.exec(raw);
  if (marker) return { kind: "marker", raw, text: marker[3] ?? "", id: Number(marker[1] ?? marker[2]) };
  if (questionLabels) {
    if (QUESTION_HEADING.test(raw)) return { kind: "question", raw, text: "" };
    const q = QUESTION_LABEL.exec(raw);
    if (q) return { kind: "question", raw, text: q[1] ?? "" };
  }
  if (CONTEXT_HEADING.test(raw)) return { kind: "context", raw, text: "" };
  const c = CONTEXT_LABEL.exec(raw);
  if (c) return { kind: "context", raw, text: c[1] ?? "" };
  return { kind: "text", raw, text: raw };
}

function parseMessage(content: string, isUser: boolean): ParsedMessage {
  const lines = content.split(/\r\n|\r|\n/).map((raw) => classify(raw, isUser));
  // Only the last label is the question: earlier "Q:" lines are likely quoted FAQ passages.
  let questionAt = -1;
  lines.forEach((line, i) => {
    if (line.kind === "question") questionAt = i;
  });
  for (const [i, line] of lines.entries()) {
    if (i !== questionAt && line.kind === "question")
      lines[i] = { kind: "text", raw: line.raw, text: line.raw };
  }

  const out: ParsedMessage = { numbered: [], unnumbered: [], question: undefined, rest: "" };
  const rest: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as Line;
    if (line.kind === "marker") {
      const end = passageEnd(lines, i + 1);
      const text = [line.text, ...lines.slice(i + 1, end).map((l) => l.raw)].join("\n").trim();
      out.numbered.push({ id: line.id ?? 0, text });
      i = end;
    } else if (line.kind === "question") {
      const end = blockEnd(lines, i + 1, false);
      const body = [line.text, ...lines.slice(i + 1, end).map((l) => l.raw)];
      while (body.length > 0 && (body.at(-1)?.trim() === "" || ANSWER_LABEL.test(body.at(-1) ?? "")))
        body.pop();
      out.question = body.join("\n").trim();
      i = end;
    } else if (line.kind === "context") {
      const end = blockEnd(lines, i + 1, true);
      const firstMarker = lines.findIndex((l, j) => j > i && j < end && l.kind === "marker");
      if (firstMarker !== -1) {
        // Text between the label and the first [n] line is an introduction, not a passage.
        i = firstMarker;
        continue;
      }
      out.unnumbered.push(...paragraphs([line.text, ...lines.slice(i + 1, end).map((l) => l.raw)]));
      i = end;
    } else {
      rest.push(line.raw);
      i++;
    }
  }
  out.rest = rest.join("\n").trim();
  return out;
}

/** Where a numbered passage that continues at `from` ends (exclusive). */
function passageEnd(lines: Line[], from: number): number {
  for (let i = from; i < lines.length; i++) {
    const kind = lines[i]?.kind;
    if (kind === "marker" || kind === "question") return i;
    if (kind === "blank") {
      let next = i;
      while (next < lines.length && lines[next]?.kind === "blank") next++;
      if (next === lines.length) return i;
      // A blank line ends the passage unless more [n] lines follow: then the text in between is
      // another paragraph of this passage.
      if (lines[next]?.kind === "marker" || !markerAhead(lines, next)) return i;
    }
  }
  return lines.length;
}

function markerAhead(lines: Line[], from: number): boolean {
  for (let i = from; i < lines.length; i++) {
    const kind = lines[i]?.kind;
    if (kind === "marker") return true;
    if (kind === "question") return false;
  }
  return false;
}

/** The end of a question or context block: the next label (or, for a question, passage). */
function blockEnd(lines: Line[], from: number, isContext: boolean): number {
  for (let i = from; i < lines.length; i++) {
    const kind = lines[i]?.kind;
    if (kind === "question" || kind === "context") return i;
    if (!isContext && kind === "marker") return i;
  }
  return lines.length;
}

function paragraphs(lines: string[]): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of [...lines, ""]) {
    if (line.trim() !== "") {
      current.push(line);
      continue;
    }
    if (current.length > 0) out.push(current.join("\n").trim());
    current = [];
  }
  return out;
}
