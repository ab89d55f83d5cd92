/**
 * Every answer a RAG app gives (`rag_chats`): a session's recent turns are its conversation
 * memory, and feedback finds the answer (and its chunks) by its chat id. Durable in SQLite, so a
 * session survives a restart.
 */
import type { Db } from "../state/db.ts";
import type { Turn } from "./prompts.ts";

/** A chunk given to the LLM for an answer. */
export interface ContextChunk {
  n: number;
  chunk_id: string;
  index: string;
  cited: boolean;
}

export interface StoredChat extends Turn {
  chat_id: string;
  app_id: string;
  session_id: string;
  user_id: string | null;
  context: ContextChunk[];
  rating: "up" | "down" | null;
  comment: string | null;
  at: number;
}

interface ChatRow {
  id: string;
  app_id: string;
  session_id: string;
  user_id: string | null;
  query: string;
  rewritten_query: string;
  answer: string;
  context: string;
  rating: "up" | "down" | null;
  comment: string | null;
  at: number;
}

const fromRow = (r: ChatRow): StoredChat => ({
  chat_id: r.id,
  app_id: r.app_id,
  session_id: r.session_id,
  user_id: r.user_id,
  query: r.query,
  rewritten_query: r.rewritten_query,
  answer: r.answer,
  context: JSON.parse(r.context),
  rating: r.rating,
  comment: r.comment,
  at: r.at,
});

export class ChatMemory {
  constructor(private readonly db: Db) {}

  save(chat: Omit<StoredChat, "rating" | "comment">): void {
    this.db
      .prepare(
        "INSERT INTO rag_chats (id, app_id, session_id, user_id, query, rewritten_query, answer, context, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        chat.chat_id,
        chat.app_id,
        chat.session_id,
        chat.user_id,
        chat.query,
        chat.rewritten_query,
        chat.answer,
        JSON.stringify(chat.context),
        chat.at,
      );
  }

  /** The session's last `turns` turns, oldest first. */
  recent(appId: string, sessionId: string, turns: number): StoredChat[] {
    if (turns <= 0) return [];
    const rows = this.db
      .prepare(
        "SELECT * FROM rag_chats WHERE app_id = ? AND session_id = ? ORDER BY at DESC, rowid DESC LIMIT ?",
      )
      .all(appId, sessionId, turns) as ChatRow[];
    return rows.reverse().map(fromRow);
  }

  /** Every turn of a session, oldest first. */
  session(appId: string, sessionId: string): StoredChat[] {
    const rows = this.db
      .prepare("SELECT * FROM rag_chats WHERE app_id = ? AND session_id = ? ORDER BY at, rowid")
      .all(appId, sessionId) as ChatRow[];
    return rows.map(fromRow);
  }

  get(chatId: string): StoredChat | undefined {
    const row = this.db.prepare("SELECT * FROM rag_chats WHERE id = ?").get(chatId) as ChatRow | undefined;
    return row && fromRow(row);
  }

  /** Keeps the latest rating and comment on the answer. */
  rate(chatId: string, rating: "up" | "down" | undefined, comment: string | undefined): void {
    this.db
      .prepare(
        "UPDATE rag_chats SET rating = COALESCE(?, rating), comment = COALESCE(?, comment) WHERE id = ?",
      )
      .run(rating ?? null, comment ?? null, chatId);
  }

  /** Forgets an app's chats (when the app is deleted). */
  deleteApp(appId: string): void {
    this.db.prepare("DELETE FROM rag_chats WHERE app_id = ?").run(appId);
  }
}
