/**
 * Search pipelines as OpenSearch 2.x defines them (`PUT /_search/pipeline/{id}`): request
 * processors rewrite the search, one phase results processor combines hybrid sub-query scores,
 * response processors rewrite the hits. Definitions are validated when stored (every processor type
 * and property, model ids known to the model service) and persisted in the engine's database, so
 * they survive a restart; the stored body is returned by GET as it was given.
 */
import type { Db } from "../../state/db.ts";
import { EngineError, illegalArgument } from "../errors.ts";
import { isObject } from "../mapping.ts";
import type { SearchModels } from "../models.ts";
import { wildcardToRegExp } from "../query/term-expansion.ts";
import { knownModel } from "./model-calls.ts";
import { PHASE_PROCESSORS } from "./phase-processors.ts";
import { ProcessorConfig, processorTag } from "./processor-config.ts";
import type {
  FactoryContext,
  PhaseProcessor,
  ProcessorCommon,
  ProcessorFactory,
  RequestProcessor,
  ResponseProcessor,
} from "./processor-types.ts";
import { REQUEST_PROCESSORS } from "./request-processors.ts";
import { RESPONSE_PROCESSORS } from "./response-processors.ts";

export interface SearchPipeline {
  id: string;
  description: string | undefined;
  request: RequestProcessor[];
  /** The phase results processor hybrid queries use (at most one). */
  phase: PhaseProcessor | undefined;
  response: ResponseProcessor[];
}

/** The id OpenSearch gives a pipeline defined inline in a search body. */
export const AD_HOC_PIPELINE_ID = "_ad_hoc_pipeline";
/** The pipeline id that means "no pipeline", even when the index has a default one. */
export const NO_PIPELINE_ID = "_none";

const SECTIONS = {
  request_processors: REQUEST_PROCESSORS,
  phase_results_processors: PHASE_PROCESSORS,
  response_processors: RESPONSE_PROCESSORS,
} as const;
type Section = keyof typeof SECTIONS;

const parseError = (reason: string) => new EngineError(400, "parse_exception", reason);

export function parseSearchPipeline(id: string, body: unknown, ctx: FactoryContext = {}): SearchPipeline {
  if (!isObject(body))
    throw parseError(
      `search pipeline [${id}] must be an object with request_processors, phase_results_processors and/or response_processors`,
    );
  const unknown = Object.keys(body).filter((k) => k !== "description" && k !== "version" && !(k in SECTIONS));
  if (unknown.length)
    throw parseError(
      `pipeline [${id}] doesn't support one or more provided configuration parameters [${unknown.join(", ")}]`,
    );
  if (body.description !== undefined && typeof body.description !== "string")
    throw parseError(`pipeline [${id}]: [description] must be a string`);
  if (body.version !== undefined && !Number.isInteger(body.version))
    throw parseError(`pipeline [${id}]: [version] must be an integer`);
  const phase = readSection(body, "phase_results_processors", ctx);
  if (phase.length > 1)
    throw parseError(
      `pipeline [${id}]: one phase results processor at most (a normalization-processor or a score-ranker-processor), got ${phase.length}`,
    );
  return {
    id,
    description: body.description,
    request: readSection(body, "request_processors", ctx),
    phase: phase[0],
    response: readSection(body, "response_processors", ctx),
  };
}

type ProcessorOf<S extends Section> = S extends "request_processors"
  ? RequestProcessor
  : S extends "phase_results_processors"
    ? PhaseProcessor
    : ResponseProcessor;

function readSection<S extends Section>(
  body: Record<string, unknown>,
  section: S,
  ctx: FactoryContext,
): ProcessorOf<S>[] {
  const list = body[section];
  if (list === undefined) return [];
  if (!Array.isArray(list))
    throw parseError(`[${section}] must be a list of processors, e.g. [{"<type>": {…}}]`);
  const factories = SECTIONS[section] as Record<string, ProcessorFactory<ProcessorOf<S>>>;
  return list.map((entry) => {
    if (!isObject(entry) || Object.keys(entry).length !== 1)
      throw parseError(
        `each entry of [${section}] must be an object with one processor type, got ${JSON.stringify(entry)}`,
      );
    const [type, spec] = Object.entries(entry)[0] as [string, unknown];
    const factory = factories[type];
    if (!factory) throw unknownProcessor(type, section);
    if (!isObject(spec))
      throw parseError(`processor [${type}] must be configured with an object, got ${JSON.stringify(spec)}`);
    const config = new ProcessorConfig(type, spec, processorTag(spec));
    const common: ProcessorCommon = {
      type,
      tag: config.optionalString("tag"),
      description: config.optionalString("description"),
      ignoreFailure: config.boolean("ignore_failure", false),
    };
    const processor = { ...factory(config, ctx), ...common } as ProcessorOf<S>;
    config.done();
    return processor;
  });
}

function unknownProcessor(type: string, section: Section): EngineError {
  const home = (Object.keys(SECTIONS) as Section[]).find((s) => type in SECTIONS[s]);
  if (home)
    return illegalArgument(
      `processor type [${type}] is not allowed in [${section}]: it belongs in [${home}]`,
    );
  const supported = (Object.keys(SECTIONS) as Section[])
    .map((s) => `${s}: ${Object.keys(SECTIONS[s]).join(", ")}`)
    .join("; ");
  return illegalArgument(
    `Invalid processor type [${type}] in [${section}]; supported processors are ${supported}`,
  );
}

/** Stored pipelines: CRUD over the engine database's `search_pipelines` table, parsed ones cached. */
export class SearchPipelines {
  private readonly cache = new Map<string, SearchPipeline>();

  constructor(
    private readonly db: Db,
    /** The model service, for checking the model ids new pipelines name. */
    private readonly models: () => SearchModels,
  ) {}

  private get creation(): FactoryContext {
    return { checkModel: (id, kind, use) => void knownModel(this.models(), id, kind, use) };
  }

  put(id: string, body: unknown): Record<string, unknown> {
    if (!id || id.includes("*") || id === NO_PIPELINE_ID || id === AD_HOC_PIPELINE_ID)
      throw illegalArgument(`invalid search pipeline id [${id}]`);
    const pipeline = parseSearchPipeline(id, body, this.creation);
    this.db
      .prepare(
        "INSERT INTO search_pipelines (id, body) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET body = excluded.body",
      )
      .run(id, JSON.stringify(body));
    this.cache.set(id, pipeline);
    return { acknowledged: true };
  }

  /** Pipelines by id, comma list or `*` pattern (all when none given); `found` false answers 404 with `{}`. */
  get(ids?: string): { found: boolean; body: Record<string, unknown> } {
    const rows = this.db.prepare("SELECT id, body FROM search_pipelines ORDER BY id").all() as {
      id: string;
      body: string;
    }[];
    const patterns = ids === undefined || ids === "" || ids === "_all" ? ["*"] : ids.split(",");
    const body: Record<string, unknown> = {};
    for (const row of rows) if (patterns.some((p) => matches(p, row.id))) body[row.id] = JSON.parse(row.body);
    return { found: Object.keys(body).length > 0, body };
  }

  delete(ids: string): Record<string, unknown> {
    const existing = this.db.prepare("SELECT id FROM search_pipelines").all() as { id: string }[];
    const doomed = existing.map((r) => r.id).filter((id) => ids.split(",").some((p) => matches(p, id)));
    if (!doomed.length && !ids.split(",").every((p) => p === "*"))
      throw new EngineError(404, "resource_not_found_exception", `pipeline [${ids}] is missing`);
    const remove = this.db.prepare("DELETE FROM search_pipelines WHERE id = ?");
    this.db.transaction(() => {
      for (const id of doomed) remove.run(id);
    })();
    for (const id of doomed) this.cache.delete(id);
    return { acknowledged: true };
  }

  /** A stored pipeline by id; "_none" is no pipeline; an unknown id is a 400 as in OpenSearch. */
  resolve(id: string): SearchPipeline | undefined {
    if (id === NO_PIPELINE_ID) return undefined;
    const cached = this.cache.get(id);
    if (cached) return cached;
    const row = this.db.prepare("SELECT body FROM search_pipelines WHERE id = ?").get(id) as
      | { body: string }
      | undefined;
    if (!row)
      throw illegalArgument(`Pipeline ${id} is not defined; create it with PUT /_search/pipeline/${id}`);
    // model ids were checked when it was stored; a model removed since fails when called
    const pipeline = parseSearchPipeline(id, JSON.parse(row.body));
    this.cache.set(id, pipeline);
    return pipeline;
  }
}

function matches(pattern: string, id: string): boolean {
  return pattern.includes("*") ? wildcardToRegExp(pattern).test(id) : pattern === id;
}
