/**
 * The nesting bound of request JSON (bodies, bulk and msearch lines), checked on the text before
 * it is parsed: queries, aggregations and documents are walked recursively.
 */
import { EngineError } from "./errors.ts";

/**
 * Deepest nesting of objects and arrays a request body may have. Queries and aggregations are
 * compiled recursively, so a body nested thousands of levels deep would exhaust the stack;
 * Elasticsearch bounds bool nesting too (`indices.query.bool.max_nested_depth`). 256 levels are
 * far more than any real query (a bool inside a bool takes three).
 */
export const MAX_JSON_DEPTH = 256;

/** Refuses JSON text nested deeper than MAX_JSON_DEPTH (one pass over the text, strings skipped). */
export function checkJsonDepth(text: string, where = "request body"): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \\ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > MAX_JSON_DEPTH) {
        throw new EngineError(
          400,
          "parsing_exception",
          `the ${where} nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels; flatten it (a bool clause can hold many clauses, a document at most 20 levels of objects as index.mapping.depth.limit)`,
        );
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
}
