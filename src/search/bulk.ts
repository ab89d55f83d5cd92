/**
 * The `_bulk` body: NDJSON action/metadata lines, each index/create/update followed by its source.
 * A malformed action line fails the whole request (as in Elasticsearch); a bad source or bad
 * metadata fails only its item.
 */
import { EngineError, illegalArgument } from "./errors.ts";
import type { WriteOp } from "./index/shard.ts";
import { checkJsonDepth } from "./json-depth.ts";
import { isObject } from "./mapping.ts";

export interface BulkAction {
  action: "index" | "create" | "update" | "delete";
  index: string | undefined;
  id: string | undefined;
  op?: WriteOp;
  /** The item's own ingest pipeline (`pipeline` in its metadata line). */
  pipeline?: string;
  error?: { type: string; reason: string; [key: string]: unknown };
  /** HTTP status of `error` (400 when absent). */
  status?: number;
  /** An ingest pipeline dropped the document: answered as a noop, nothing written. */
  dropped?: boolean;
}

const ACTIONS = new Set(["index", "create", "update", "delete"]);
const META_KEYS = new Set([
  "_index",
  "_id",
  "routing",
  "_routing",
  "if_seq_no",
  "if_primary_term",
  "version",
  "version_type",
  "retry_on_conflict",
  "require_alias",
  "pipeline",
  "_type",
  "op_type",
  "dynamic_templates",
]);

function splitLines(body: string): unknown[] {
  if (body.length && !body.endsWith("\n"))
    throw illegalArgument("The bulk request must be terminated by a newline [\\n]");
  const out: unknown[] = [];
  const lines = body.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (!line) continue;
    try {
      checkJsonDepth(line, `bulk line ${i + 1}`);
      out.push(JSON.parse(line));
    } catch (err) {
      out.push(new MalformedLine(i + 1, (err as Error).message));
    }
  }
  return out;
}

class MalformedLine {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {}
}

export function parseBulk(input: unknown[] | string, defaultIndex?: string): BulkAction[] {
  const lines = typeof input === "string" ? splitLines(input) : input;
  if (!lines.length)
    throw new EngineError(
      400,
      "action_request_validation_exception",
      "Validation Failed: 1: no requests added;",
    );
  const out: BulkAction[] = [];
  let i = 0;
  while (i < lines.length) {
    const meta = lines[i];
    const lineNo = i + 1;
    if (meta instanceof MalformedLine || !isObject(meta) || Object.keys(meta).length !== 1) {
      throw illegalArgument(
        meta instanceof MalformedLine
          ? `Malformed action/metadata line [${meta.line}], expected a JSON object: ${meta.reason}`
          : `Malformed action/metadata line [${lineNo}], expected START_OBJECT with one of index, create, update, delete`,
      );
    }
    const action = Object.keys(meta)[0] as string;
    if (!ACTIONS.has(action))
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected one of [create, delete, index, update] but found [${action}]`,
      );
    const params = meta[action];
    if (!isObject(params))
      throw illegalArgument(
        `Malformed action/metadata line [${lineNo}], expected an object after [${action}]`,
      );
    i++;
    let source: unknown;
    if (action !== "delete") {
      if (i >= lines.length)
        throw illegalArgument(
          `Validation Failed: 1: the [${action}] action on line [${lineNo}] is missing its source line;`,
        );
      source = lines[i];
      i++;
    }
    const index = params._index === undefined ? defaultIndex : String(params._index);
    const id = params._id === undefined ? undefined : String(params._id);
    const item: BulkAction = { action: action as BulkAction["action"], index, id };
    out.push(item);
    const fail = (type: string, reason: string) => {
      item.error = { type, reason };
    };
    const unknown = Object.keys(params).find((k) => !META_KEYS.has(k));
    if (unknown) {
      fail(
        "illegal_argument_exception",
        `Action/metadata line [${lineNo}] contains an unknown parameter [${unknown}]`,
      );
      continue;
    }
    if (!index) {
      fail("action_request_validation_exception", "Validation Failed: 1: index is missing;");
      continue;
    }
    if (source instanceof MalformedLine) {
      fail(
        "mapper_parsing_exception",
        `failed to parse: source on line [${source.line}] is not valid JSON: ${source.reason}`,
      );
      continue;
    }
    const ifSeqNo = params.if_seq_no === undefined ? undefined : Number(params.if_seq_no);
    const ifPrimaryTerm = params.if_primary_term === undefined ? undefined : Number(params.if_primary_term);
    if (params.pipeline !== undefined) item.pipeline = String(params.pipeline);
    if (action === "index" || action === "create") {
      item.op = {
        op: "index",
        id,
        source,
        create: action === "create" || params.op_type === "create",
        ifSeqNo,
        ifPrimaryTerm,
      };
    } else if (action === "delete") {
      if (id === undefined) {
        fail("action_request_validation_exception", "Validation Failed: 1: id is missing;");
        continue;
      }
      item.op = { op: "delete", id, ifSeqNo, ifPrimaryTerm };
    } else {
      if (id === undefined) {
        fail("action_request_validation_exception", "Validation Failed: 1: id is missing;");
        continue;
      }
      const spec = source;
      if (!isObject(spec)) {
        fail(
          "mapper_parsing_exception",
          `update on line [${lineNo + 1}] must be an object with [doc] or [upsert]`,
        );
        continue;
      }
      if (spec.script !== undefined) {
        fail(
          "illegal_argument_exception",
          "scripted updates are not supported by this engine; send a partial [doc] instead",
        );
        continue;
      }
      item.op = updateOp(id, spec, ifSeqNo, ifPrimaryTerm);
    }
  }
  return out;
}

export function updateOp(
  id: string,
  spec: Record<string, unknown>,
  ifSeqNo?: number,
  ifPrimaryTerm?: number,
): WriteOp {
  return {
    op: "update",
    id,
    doc: spec.doc,
    upsert: spec.upsert,
    docAsUpsert: spec.doc_as_upsert === true,
    detectNoop: spec.detect_noop !== false,
    ifSeqNo,
    ifPrimaryTerm,
  };
}
