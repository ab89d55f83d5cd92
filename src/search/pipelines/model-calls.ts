/**
 * The engine's calls into the model service (neural queries, rerank processors), and the one place
 * where model failures become engine errors: an unknown id or a model of the wrong kind is a 400
 * naming it, a model that cannot serve now (stopped endpoint, overload) keeps the service's status
 * and says what to do.
 */
import { EngineError, illegalArgument } from "../errors.ts";
import {
  SearchModelError,
  type SearchModelInfo,
  type SearchModelKind,
  type SearchModels,
} from "../models.ts";

/** An EngineError for a failed model call; anything that is not a SearchModelError is rethrown. */
export function modelError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (!(err instanceof SearchModelError)) throw err;
  return new EngineError(
    err.status,
    err.status === 400 ? "illegal_argument_exception" : "status_exception",
    err.message,
  );
}

/** The model behind an id, checked to be known and of the kind a use needs (not whether it serves now). */
export function knownModel(
  models: SearchModels,
  id: string,
  kind: SearchModelKind,
  use: string,
): SearchModelInfo {
  const info = models.describe(id);
  if (!info)
    throw illegalArgument(
      `${use}: model [${id}] not found; register and deploy it (POST /v1/models, POST /v1/endpoints) and use its ep-… or m-… id`,
    );
  if (info.kind !== kind)
    throw illegalArgument(`${use}: model [${id}] is a ${info.kind} model, but ${use} needs a ${kind} model`);
  return info;
}

/** A known model of the right kind that can serve now; a stopped one is a 409 saying how to start it. */
export function requireModel(
  models: SearchModels,
  id: string,
  kind: SearchModelKind,
  use: string,
): SearchModelInfo {
  const info = knownModel(models, id, kind, use);
  if (!info.available)
    throw new EngineError(
      409,
      "status_exception",
      `${use}: model [${id}] is not available${info.hint ? `: ${info.hint}` : ""}`,
    );
  return info;
}

export async function embedTexts(models: SearchModels, id: string, texts: string[]): Promise<Float32Array[]> {
  try {
    const vectors = await models.embed(id, texts);
    if (vectors.length !== texts.length)
      throw new EngineError(
        502,
        "status_exception",
        `model [${id}] returned ${vectors.length} embeddings for ${texts.length} texts`,
      );
    return vectors;
  } catch (err) {
    throw modelError(err);
  }
}

export async function rerankTexts(
  models: SearchModels,
  id: string,
  query: string,
  documents: string[],
  lexical?: readonly number[],
): Promise<number[]> {
  try {
    const scores = await models.rerank(id, query, documents, lexical);
    if (scores.length !== documents.length)
      throw new EngineError(
        502,
        "status_exception",
        `model [${id}] returned ${scores.length} scores for ${documents.length} documents`,
      );
    return scores;
  } catch (err) {
    throw modelError(err);
  }
}
