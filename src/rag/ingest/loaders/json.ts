/**
 * JSON (one object, or an array of objects) and JSON Lines (one object per line): each record's
 * text field becomes blocks (split at blank lines) carrying the record's title and id, so two
 * records never share a chunk. Fields: `textField` (default the first of text, content, body),
 * `titleField` (title, name), `idField` (id, _id; else the record's 1-based position).
 * Records without text are skipped; a file where no record has any is a NO_TEXT error naming the
 * fields (ingestion skips that file and reports the message).
 */
import { badRequest } from "../../../common/errors.ts";
import { collapseSpaces, TextBuilder } from "../text-builder.ts";
import type { ExtractedDocument, LoaderOptions } from "../types.ts";
import { titleFromName } from "./names.ts";

type Row = Record<string, unknown>;

const TEXT_FIELDS = ["text", "content", "body"];
/** The error code of a file where no record has text (ingestion skips such a file). */
export const NO_TEXT = "NoText";
const TITLE_FIELDS = ["title", "name"];
const ID_FIELDS = ["id", "_id"];

const isRow = (v: unknown): v is Row => typeof v === "object" && v !== null && !Array.isArray(v);

/** A field's value as text: strings as they are, numbers, and arrays of strings joined by blank lines. */
function fieldText(row: Row, field: string | undefined, fallbacks: string[]): string {
  for (const name of field ? [field] : fallbacks) {
    const v = row[name];
    if (typeof v === "string") return v;
    if (typeof v === "number") return String(v);
    if (Array.isArray(v) && v.every((x) => typeof x === "string")) return v.join("\n\n");
  }
  return "";
}

function parseRecords(source: string, jsonl: boolean, name: string): Row[] {
  if (jsonl) {
    const rows: Row[] = [];
    source.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw badRequest("InvalidJson", `${name} line ${i + 1}: not JSON (${(err as Error).message})`);
      }
      if (!isRow(value)) throw badRequest("InvalidJson", `${name} line ${i + 1}: expected a JSON object`);
      rows.push(value);
    });
    return rows;
  }
  let value: unknown;
  try {
    value = JSON.parse(source.replace(/^\uFEFF/, ""));
  } catch (err) {
    throw badRequest("InvalidJson", `${name}: not JSON (${(err as Error).message})`);
  }
  const rows = Array.isArray(value) ? value : [value];
  if (!rows.every(isRow))
    throw badRequest("InvalidJson", `${name}: expected a JSON object or an array of objects`);
  return rows;
}

export function loadJson(source: string, opts: LoaderOptions & { jsonl: boolean }): ExtractedDocument {
  const rows = parseRecords(source, opts.jsonl, opts.name);
  const out = new TextBuilder();
  rows.forEach((row, i) => {
    const text = fieldText(row, opts.textField, TEXT_FIELDS);
    if (!text.trim()) return;
    const title = fieldText(row, opts.titleField, TITLE_FIELDS).trim();
    const record = fieldText(row, opts.idField, ID_FIELDS).trim() || String(i + 1);
    for (const paragraph of text.split(/\r?\n[ \t]*\r?\n/))
      out.block(collapseSpaces(paragraph).replace(/\n/g, " "), {
        kind: "prose",
        headings: [],
        record,
        ...(title && { title }),
      });
  });
  if (rows.length && !out.blocks.length) {
    const fields = opts.textField ? `"${opts.textField}"` : TEXT_FIELDS.map((f) => `"${f}"`).join(", ");
    throw badRequest(
      NO_TEXT,
      `${opts.name}: no record has text in ${fields}; name the text field with --text-field`,
      "text_field",
    );
  }
  return { title: titleFromName(opts.name), text: out.text, blocks: out.blocks };
}
