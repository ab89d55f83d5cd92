/**
 * RAG apps as one service for the server to wire: app CRUD (checked against the platform), asking
 * (plain or as events for streaming), sessions, feedback, and the interaction log. The search
 * backend is given as a function because the platform knows its search URL only once it listens.
 */
import type { SearchBackend } from "../backends/index.ts";
import { badRequest } from "../common/errors.ts";
import type { Db } from "../state/db.ts";
import { InteractionLog } from "../state/interactions.ts";
import type { App, AppInput } from "./app-schema.ts";
import { withDefaults } from "./app-schema.ts";
import { AppStore } from "./apps.ts";
import {
  type AskDeps,
  type AskEvent,
  type AskRequest,
  askEvents,
  type ChatAnswer,
  prepare,
  retrievalView,
} from "./chat.ts";
import { checkApp } from "./check-app.ts";
import type { Citation } from "./citations.ts";
import { askEvent, type FeedbackRequest, recordFeedback } from "./feedback.ts";
import { ChatMemory } from "./memory.ts";
import type { RagModels } from "./models.ts";
import { ModelIds } from "./retrieval.ts";

export class RagService {
  readonly apps: AppStore;
  readonly memory: ChatMemory;
  readonly log: InteractionLog;
  private ids?: { backend: SearchBackend; modelIds: ModelIds };

  constructor(
    db: Db,
    private readonly backend: () => SearchBackend,
    private readonly models: RagModels,
  ) {
    this.apps = new AppStore(db);
    this.memory = new ChatMemory(db);
    this.log = new InteractionLog(db);
  }

  /** The backend and its model-id cache (kept per backend). */
  private search(): { backend: SearchBackend; modelIds: ModelIds } {
    const backend = this.backend();
    if (this.ids?.backend !== backend) this.ids = { backend, modelIds: new ModelIds(backend, this.models) };
    return this.ids;
  }

  async create(input: AppInput): Promise<App> {
    this.apps.refuseTakenName(input.name);
    await checkApp(withDefaults(input), this.search().backend, this.models);
    return this.apps.create(input);
  }

  async replace(ref: string, input: AppInput): Promise<App> {
    this.apps.get(ref);
    await checkApp(withDefaults(input), this.search().backend, this.models);
    return this.apps.replace(ref, input);
  }

  delete(ref: string): void {
    const app = this.apps.delete(ref);
    this.memory.deleteApp(app.id);
  }

  /** The answer as it is made; the last event is "done" with the whole answer, stored and logged. */
  async *askEvents(ref: string, req: AskRequest): AsyncGenerator<AskEvent> {
    const app = this.checkedApp(ref, req);
    const deps = this.deps();
    let given: Citation[] = [];
    for await (const event of askEvents(deps, app, req)) {
      if (event.type === "retrieval") given = event.data.citations;
      if (event.type === "done") this.remember(app, req, event.data, given);
      yield event;
    }
  }

  /** Retrieval alone (rewrite, search, rerank): the passages an answer would be given. */
  async retrieve(ref: string, req: AskRequest) {
    const app = this.checkedApp(ref, req);
    const prepared = await prepare(this.deps(), app, req);
    return { query: req.query, ...retrievalView(prepared) };
  }

  async ask(ref: string, req: AskRequest): Promise<ChatAnswer> {
    for await (const event of this.askEvents(ref, { ...req, stream: false }))
      if (event.type === "done") return event.data;
    throw new Error("the answer ended without a result");
  }

  feedback(ref: string, req: FeedbackRequest): { accepted: true; events: number } {
    return recordFeedback(this.apps.get(ref), this.memory, this.log, req);
  }

  session(ref: string, sessionId: string) {
    const app = this.apps.get(ref);
    return {
      session_id: sessionId,
      turns: this.memory.session(app.id, sessionId).map((t) => ({
        query: t.query,
        rewritten_query: t.rewritten_query,
        answer: t.answer,
        chat_id: t.chat_id,
        at: new Date(t.at).toISOString(),
        ...(t.rating && { rating: t.rating }),
      })),
    };
  }

  /** The app, refusing a mode override it cannot serve. */
  private checkedApp(ref: string, req: AskRequest): App {
    const app = this.apps.get(ref);
    const mode = req.mode ?? app.retrieval.mode;
    if (mode !== "bm25" && !app.retrieval.model_id)
      throw badRequest(
        "invalid_mode",
        `mode ${mode} needs an embedding endpoint, and the app ${app.name} has no retrieval.model_id`,
        "mode",
      );
    return app;
  }

  private deps(): AskDeps {
    const { backend, modelIds } = this.search();
    return {
      backend,
      models: this.models,
      modelIds,
      history: (a: App, session: string) => this.memory.recent(a.id, session, a.memory.turns),
    };
  }

  /** Stores the turn (the session's memory, what feedback refers to) and logs the "ask" event. */
  private remember(app: App, req: AskRequest, answer: ChatAnswer, given: Citation[]): void {
    const cited = new Set(answer.citations.map((c) => c.n));
    const chat = {
      chat_id: answer.id,
      app_id: app.id,
      session_id: answer.session_id,
      user_id: req.user_id ?? null,
      query: answer.query,
      rewritten_query: answer.rewritten_query,
      answer: answer.answer,
      context: given.map((c) => ({ n: c.n, chunk_id: c.chunk_id, index: c.index, cited: cited.has(c.n) })),
      at: Date.now(),
    };
    this.memory.save(chat);
    this.log.append([askEvent(app, chat)]);
  }
}
