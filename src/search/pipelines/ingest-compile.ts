/**
 * A pipeline definition (`{"description", "processors", "on_failure", "version"}`) compiled into
 * a runnable Pipeline, with OpenSearch's validation: unknown processors and parameters, missing
 * required properties and bad values are 400 `parse_exception`s naming the processor and the
 * property. Conditional processors (`if`) are refused: they need a script engine.
 */
import { isObject } from "../mapping.ts";
import { textChunking } from "./ingest-chunking.ts";
import { textEmbedding } from "./ingest-embedding.ts";
import { type CompileOptions, Pipeline, type Processor, type ProcessorFactory } from "./ingest-pipeline.ts";
import { FIELD_PROCESSORS } from "./ingest-processors.ts";
import { configError, javaType, ProcessorConfig, processorTag } from "./processor-config.ts";

const PROCESSORS: Record<string, ProcessorFactory> = {
  ...FIELD_PROCESSORS,
  text_chunking: textChunking,
  text_embedding: textEmbedding,
};

export const SUPPORTED_PROCESSORS = Object.keys(PROCESSORS).sort();

const PIPELINE_KEYS = new Set(["description", "processors", "on_failure", "version", "_meta"]);

export function compilePipeline(id: string, body: unknown, opts: CompileOptions): Pipeline {
  if (!isObject(body))
    throw configError(
      undefined,
      undefined,
      undefined,
      `pipeline [${id}] must be a JSON object with [processors]`,
    );
  const unknown = Object.keys(body).filter((k) => !PIPELINE_KEYS.has(k));
  if (unknown.length)
    throw configError(
      undefined,
      undefined,
      undefined,
      `pipeline [${id}] doesn't support one or more provided configuration parameters [${unknown.join(", ")}]`,
    );
  if (body.description !== undefined && typeof body.description !== "string")
    throw configError(
      undefined,
      undefined,
      "description",
      `property isn't a string, but of type [${javaType(body.description)}]`,
    );
  if (body.version !== undefined && !Number.isInteger(body.version))
    throw configError(
      undefined,
      undefined,
      "version",
      `property isn't an integer, but of type [${javaType(body.version)}]`,
    );
  if (body.processors === undefined || body.processors === null)
    throw configError(undefined, undefined, "processors", "required property is missing");
  const processors = readProcessors(body.processors, "processors", opts);
  if (!processors.length)
    throw configError(undefined, undefined, "processors", "a pipeline needs at least one processor");
  const onFailure =
    body.on_failure === undefined ? undefined : readProcessors(body.on_failure, "on_failure", opts);
  if (onFailure && !onFailure.length)
    throw configError(
      undefined,
      undefined,
      "on_failure",
      "pipeline on_failure processors list cannot be empty",
    );
  return new Pipeline(id, processors, onFailure);
}

function readProcessors(list: unknown, property: string, opts: CompileOptions): Processor[] {
  if (!Array.isArray(list))
    throw configError(
      undefined,
      undefined,
      property,
      `property isn't a list, but of type [${javaType(list)}]`,
    );
  const out: Processor[] = [];
  for (const item of list) {
    if (!isObject(item))
      throw configError(
        undefined,
        undefined,
        property,
        `each processor must be an object like {"set": {…}}, got [${javaType(item)}]`,
      );
    for (const [type, config] of Object.entries(item)) out.push(readProcessor(type, config, opts));
  }
  return out;
}

function readProcessor(type: string, config: unknown, opts: CompileOptions): Processor {
  const factory = PROCESSORS[type];
  const tag = processorTag(config);
  if (!factory)
    throw configError(
      type,
      tag,
      undefined,
      `No processor type exists with name [${type}]; supported processors: ${SUPPORTED_PROCESSORS.join(", ")}`,
    );
  if (!isObject(config))
    throw configError(type, undefined, type, `property isn't a map, but of type [${javaType(config)}]`);
  const cfg = new ProcessorConfig(type, config, tag);
  cfg.optionalString("tag");
  const description = cfg.optionalString("description");
  const ignoreFailure = cfg.boolean("ignore_failure", false);
  if (cfg.has("if"))
    throw cfg.error(
      "if",
      "conditional processors need scripts, which this engine does not run; remove [if] and send the documents that need this processor through another pipeline (?pipeline=…)",
    );
  let onFailure: Processor[] | undefined;
  if (cfg.has("on_failure")) {
    onFailure = readProcessors(cfg.value("on_failure"), "on_failure", opts);
    if (!onFailure.length) throw cfg.error("on_failure", "processors list cannot be empty");
  }
  const impl = factory(cfg, opts);
  cfg.done();
  return { ...impl, type, tag, description, ignoreFailure, onFailure };
}
