/**
 * The "recent questions" recall channel: what a user asked the RAG apps, run as a neural query on
 * the datasource's index with the embedding model of the index's default ingest pipeline (so the
 * questions and the items share one vector space). Results are cached per user until they ask
 * something new, and the index's model for a minute, so most requests make no engine call.
 */
import type { SearchBackend } from "../backends/index.ts";
import type { Db } from "../state/db.ts";

export interface Question {
  event_id: string;
  user_id: string;
  app: string | null;
  query: string;
  at: number;
}

interface EmbeddingInfo {
  modelId: string;
  field: string;
}

/** How many recent questions make the query, and how many items it recalls. */
const RECENT = 3;
const K = 30;
const MODEL_TTL_MS = 60_000;

/** The text_embedding processor of an index's default ingest pipeline: its model and vector field. */
export async function embeddingOf(backend: SearchBackend, index: string): Promise<EmbeddingInfo | undefined> {
  const settings = await backend.json<
    Record<string, { settings?: { index?: { default_pipeline?: string } } }>
  >("GET", `/${encodeURIComponent(index)}/_settings`);
  const pipeline = Object.values(settings)[0]?.settings?.index?.default_pipeline;
  if (!pipeline || pipeline === "_none") return undefined;
  const pipelines = await backend.json<
    Record<string, { processors?: Array<Record<string, Record<string, unknown>>> }>
  >("GET", `/_ingest/pipeline/${encodeURIComponent(pipeline)}`);
  for (const processor of pipelines[pipeline]?.processors ?? []) {
    const te = processor.text_embedding;
    const target = te && Object.values((te.field_map ?? {}) as Record<string, string>)[0];
    if (te && typeof te.model_id === "string" && target) return { modelId: te.model_id, field: target };
  }
  return undefined;
}

export class QuestionChannel {
  private readonly models = new Map<string, { info: EmbeddingInfo | undefined; at: number }>();
  private readonly cache = new Map<
    string,
    { key: string; result: { query: string; hits: Array<[string, number]> } }
  >();

  constructor(private readonly db: Db) {}

  add(questions: Question[]): void {
    const put = this.db.prepare(
      "INSERT OR IGNORE INTO rec_questions (event_id, user_id, app, query, at) VALUES (@event_id, @user_id, @app, @query, @at)",
    );
    for (const q of questions) put.run(q);
  }

  recent(userId: string, limit = RECENT): Question[] {
    return this.db
      .prepare(
        "SELECT event_id, user_id, app, query, at FROM rec_questions WHERE user_id = ? ORDER BY at DESC LIMIT ?",
      )
      .all(userId, limit) as Question[];
  }

  async hits(userId: string, backend: SearchBackend, index: string) {
    const recent = this.recent(userId);
    if (recent.length === 0) return undefined;
    const key = `${index}:${recent[0]?.event_id}`;
    const cached = this.cache.get(userId);
    if (cached?.key === key) return cached.result;
    let model = this.models.get(index);
    if (!model || Date.now() - model.at > MODEL_TTL_MS) {
      model = { info: await embeddingOf(backend, index), at: Date.now() };
      this.models.set(index, model);
    }
    if (!model.info) return undefined;
    const query = recent.map((q) => q.query).join(" ");
    const answer = await backend.json<{ hits: { hits: Array<{ _id: string; _score: number }> } }>(
      "POST",
      `/${encodeURIComponent(index)}/_search`,
      {
        body: {
          size: K,
          _source: false,
          query: {
            neural: { [model.info.field]: { query_text: query, model_id: model.info.modelId, k: K } },
          },
        },
      },
    );
    const result = {
      query: recent[0]?.query ?? query,
      hits: answer.hits.hits.map((h): [string, number] => [h._id, h._score]),
    };
    this.cache.set(userId, { key, result });
    return result;
  }
}
