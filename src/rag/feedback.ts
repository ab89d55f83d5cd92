/**
 * Feedback on an answer becomes interaction-log events for the recommender: a rating is a "like"
 * or "dislike" of each chunk the answer cited (of every chunk it was given, when it cited none), a
 * clicked citation is a "click" on that chunk. Event ids derive from the answer, the kind and the
 * chunk, so a repeated request adds nothing, and a changed rating replaces the earlier one.
 */
import { badRequest, notFound } from "../common/errors.ts";
import type { InteractionEvent, InteractionLog } from "../state/interactions.ts";
import type { App } from "./app-schema.ts";
import type { ChatMemory, StoredChat } from "./memory.ts";

export interface FeedbackRequest {
  chat_id: string;
  rating?: "up" | "down";
  clicked_citation?: string;
  user_id?: string;
  comment?: string;
}

/** The "ask" event every answer logs (query = the rewritten question). */
export function askEvent(app: App, chat: Omit<StoredChat, "rating" | "comment">): InteractionEvent {
  return {
    event_id: `${chat.chat_id}:ask`,
    at: chat.at,
    source: "rag",
    app: app.name,
    user_id: chat.user_id,
    session_id: chat.session_id,
    trace_id: chat.chat_id,
    type: "ask",
    item_id: null,
    item_index: null,
    query: chat.rewritten_query,
    value: null,
  };
}

export function recordFeedback(
  app: App,
  memory: ChatMemory,
  log: InteractionLog,
  req: FeedbackRequest,
): { accepted: true; events: number } {
  if (req.rating === undefined && req.clicked_citation === undefined)
    throw badRequest(
      "invalid_feedback",
      'give rating ("up" or "down"), clicked_citation (a chunk id), or both',
      "rating",
    );
  const chat = memory.get(req.chat_id);
  if (!chat || chat.app_id !== app.id)
    throw notFound(
      "chat_not_found",
      `no answer ${req.chat_id} from the app ${app.name}; chat ids are the "id" of its answers`,
      "chat_id",
    );
  const clicked =
    req.clicked_citation === undefined
      ? undefined
      : chat.context.find((c) => c.chunk_id === req.clicked_citation);
  if (req.clicked_citation !== undefined && !clicked)
    throw badRequest(
      "invalid_feedback",
      `clicked_citation ${req.clicked_citation} is not one of the chunks of answer ${chat.chat_id} (${chat.context.map((c) => c.chunk_id).join(", ")})`,
      "clicked_citation",
    );
  const base = {
    at: Date.now(),
    source: "rag",
    app: app.name,
    user_id: req.user_id ?? chat.user_id,
    session_id: chat.session_id,
    trace_id: chat.chat_id,
    query: null,
  };
  let events = 0;
  if (req.rating) {
    const cited = chat.context.filter((c) => c.cited);
    const rated = cited.length > 0 ? cited : chat.context;
    const type = req.rating === "up" ? "like" : "dislike";
    events += log.append(
      rated.map((c) => ({
        ...base,
        event_id: `${chat.chat_id}:rating:${c.chunk_id}`,
        type,
        item_id: c.chunk_id,
        item_index: c.index,
        value: req.rating === "up" ? 1 : -1,
      })),
      { replace: true },
    );
  }
  if (clicked) {
    events += log.append([
      {
        ...base,
        event_id: `${chat.chat_id}:click:${clicked.chunk_id}`,
        type: "click",
        item_id: clicked.chunk_id,
        item_index: clicked.index,
        value: clicked.n,
      },
    ]);
  }
  memory.rate(chat.chat_id, req.rating, req.comment);
  return { accepted: true, events };
}
