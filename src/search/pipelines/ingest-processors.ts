/**
 * OpenSearch's built-in field processors: set, remove, rename, copy, append, lowercase,
 * uppercase, trim, html_strip, split, join, convert, drop, fail and pipeline — their settings,
 * defaults and error messages as in OpenSearch 2.x (templates in field names and values).
 */
import { htmlStripCharFilter } from "../analysis/html-strip.ts";
import { javaRegex } from "../analysis/java-regex.ts";
import { EngineError, illegalArgument } from "../errors.ts";
import { convertValue, parseConvertType } from "./ingest-convert.ts";
import type { IngestDocument } from "./ingest-document.ts";
import { DROP, type ProcessorFactory } from "./ingest-pipeline.ts";
import { compileTemplate, compileValue } from "./ingest-template.ts";
import { javaType, type ProcessorConfig } from "./processor-config.ts";

const set: ProcessorFactory = (cfg) => {
  const field = compileTemplate(cfg.string("field"));
  const value = compileValue(cfg.requiredValue("value"));
  const override = cfg.boolean("override", true);
  const ignoreEmpty = cfg.boolean("ignore_empty_value", false);
  return {
    run(doc) {
      const path = field(doc.lookup);
      if (!override && doc.has(path) && doc.get(path) !== null) return;
      const v = value(doc.lookup);
      if (ignoreEmpty && (v === null || v === "")) return;
      doc.set(path, v);
    },
  };
};

const remove: ProcessorFactory = (cfg) => {
  const fields = cfg.stringOrList("field").map(compileTemplate);
  const ignoreMissing = cfg.boolean("ignore_missing", false);
  return {
    run(doc) {
      for (const field of fields) {
        const path = field(doc.lookup);
        if (path === "_index") throw illegalArgument(`cannot remove metadata field [${path}]`);
        if (ignoreMissing && !doc.has(path)) continue;
        doc.remove(path);
      }
    },
  };
};

/** rename and copy: move or copy a field's value to another field. */
function moveField(keepSource: (cfg: ProcessorConfig) => boolean, sourceKey: string): ProcessorFactory {
  return (cfg) => {
    const from = compileTemplate(cfg.string(sourceKey));
    const to = compileTemplate(cfg.string("target_field"));
    const ignoreMissing = cfg.boolean("ignore_missing", false);
    const overrideTarget = cfg.boolean("override_target", false);
    const keep = keepSource(cfg);
    const what = sourceKey === "field" ? "field" : "source field";
    const targetWhat = sourceKey === "field" ? "field" : "target field";
    return {
      run(doc) {
        const source = from(doc.lookup);
        const target = to(doc.lookup);
        if (!doc.has(source, true)) {
          if (ignoreMissing) return;
          throw illegalArgument(`${what} [${source}] doesn't exist`);
        }
        if (!overrideTarget && doc.has(target, true))
          throw illegalArgument(`${targetWhat} [${target}] already exists`);
        const value = doc.get(source);
        if (keep) {
          doc.set(target, structuredClone(value));
          return;
        }
        doc.remove(source);
        try {
          doc.set(target, value);
        } catch (err) {
          doc.set(source, value); // leave the document as it was
          throw err;
        }
      },
    };
  };
}

const append: ProcessorFactory = (cfg) => {
  const field = compileTemplate(cfg.string("field"));
  const value = compileValue(cfg.requiredValue("value"));
  const allowDuplicates = cfg.boolean("allow_duplicates", true);
  return { run: (doc) => void doc.append(field(doc.lookup), value(doc.lookup), allowDuplicates) };
};

/** lowercase, uppercase, trim, html_strip: a string (or each string of a list) transformed. */
function stringProcessor(transform: (s: string) => string): ProcessorFactory {
  return (cfg) => {
    const field = cfg.string("field");
    const target = cfg.optionalString("target_field") ?? field;
    const ignoreMissing = cfg.boolean("ignore_missing", false);
    return {
      run(doc) {
        const value = doc.getOptional(field, ignoreMissing);
        if ((value === undefined || value === null) && ignoreMissing) return;
        if (value === null) throw illegalArgument(`field [${field}] is null, cannot process it.`);
        if (Array.isArray(value)) {
          doc.set(
            target,
            value.map((v) => {
              if (typeof v !== "string")
                throw illegalArgument(
                  `value [${String(v)}] of type [${javaType(v)}] in list field [${field}] cannot be cast to [java.lang.String]`,
                );
              return transform(v);
            }),
          );
          return;
        }
        doc.set(target, transform(stringField(field, value)));
      },
    };
  };
}

function stringField(field: string, value: unknown): string {
  if (typeof value !== "string")
    throw illegalArgument(
      `field [${field}] of type [${javaType(value)}] cannot be cast to [java.lang.String]`,
    );
  return value;
}

const stripHtml = htmlStripCharFilter(new Set());

/** Java's String.trim: strips characters up to U+0020 (not other Unicode spaces) from both ends. */
function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 32) start++;
  while (end > start && s.charCodeAt(end - 1) <= 32) end--;
  return s.slice(start, end);
}

const split: ProcessorFactory = (cfg) => {
  const field = cfg.string("field");
  const separator = cfg.string("separator");
  const target = cfg.optionalString("target_field") ?? field;
  const ignoreMissing = cfg.boolean("ignore_missing", false);
  const preserveTrailing = cfg.boolean("preserve_trailing", false);
  let re: RegExp;
  try {
    re = javaRegex(separator, undefined, "separator", "");
  } catch (err) {
    throw cfg.error("separator", (err as Error).message);
  }
  return {
    run(doc) {
      const value = doc.getOptional(field, ignoreMissing);
      if (value === undefined || value === null) {
        if (ignoreMissing) return;
        throw illegalArgument(`field [${field}] is null, cannot split.`);
      }
      doc.set(target, javaSplit(stringField(field, value), re, preserveTrailing));
    },
  };
};

/** Java's String.split: no match → the whole string; trailing empty strings dropped unless preserved. */
export function javaSplit(text: string, re: RegExp, preserveTrailing: boolean): string[] {
  const parts = text.split(re);
  if (parts.length === 1) return parts;
  if (!preserveTrailing) while (parts.length && parts.at(-1) === "") parts.pop();
  return parts;
}

const join: ProcessorFactory = (cfg) => {
  const field = cfg.string("field");
  const separator = cfg.string("separator");
  const target = cfg.optionalString("target_field") ?? field;
  return {
    run(doc) {
      const value = doc.get(field);
      if (!Array.isArray(value))
        throw illegalArgument(
          `field [${field}] of type [${javaType(value)}] cannot be cast to [java.util.List]`,
        );
      doc.set(
        target,
        value
          .map((v) => (typeof v === "object" && v !== null ? JSON.stringify(v) : String(v)))
          .join(separator),
      );
    },
  };
};

const convert: ProcessorFactory = (cfg) => {
  const field = cfg.string("field");
  const type = parseConvertType(cfg);
  const target = cfg.optionalString("target_field") ?? field;
  const ignoreMissing = cfg.boolean("ignore_missing", false);
  return {
    run(doc) {
      const value = doc.getOptional(field, ignoreMissing);
      if ((value === undefined || value === null) && ignoreMissing) return;
      if (value === null)
        throw illegalArgument(`Field [${field}] is null, cannot be converted to type [${type}]`);
      doc.set(
        target,
        Array.isArray(value) ? value.map((v) => convertValue(v, type)) : convertValue(value, type),
      );
    },
  };
};

const drop: ProcessorFactory = () => ({ run: () => DROP });

const fail: ProcessorFactory = (cfg) => {
  const message = compileTemplate(cfg.string("message"));
  return {
    run(doc) {
      throw new EngineError(500, "fail_processor_exception", message(doc.lookup));
    },
  };
};

const pipeline: ProcessorFactory = (cfg) => {
  const name = compileTemplate(cfg.string("name"));
  return {
    async run(doc: IngestDocument, ctx) {
      const id = name(doc.lookup);
      if (ctx.stack.includes(id))
        throw illegalArgument(`Cycle detected for pipeline: ${[...ctx.stack, id].join(" -> ")}`);
      const target = ctx.runtime.pipeline(id);
      if (!target) throw illegalArgument(`Pipeline processor configured for non-existent pipeline [${id}]`);
      return await target.execute(doc, ctx);
    },
  };
};

export const FIELD_PROCESSORS: Record<string, ProcessorFactory> = {
  append,
  convert,
  copy: moveField((cfg) => !cfg.boolean("remove_source", false), "source_field"),
  drop,
  fail,
  html_strip: stringProcessor((s) => stripHtml(s).text),
  join,
  lowercase: stringProcessor((s) => s.toLowerCase()),
  pipeline,
  remove,
  rename: moveField(() => false, "field"),
  set,
  split,
  trim: stringProcessor(javaTrim),
  uppercase: stringProcessor((s) => s.toUpperCase()),
};
