/** The checkpoint thread of checkpointer.ts: one connection per attached database file. */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { CheckpointerMessage } from "./checkpointer.ts";

const connections = new Map<string, Database.Database>();

function checkpointAll(): void {
  for (const db of connections.values()) {
    try {
      db.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // busy (another checkpoint runs): the next round catches up
    }
  }
}

const timer = setInterval(checkpointAll, workerData.intervalMs as number);

parentPort?.on("message", (message: CheckpointerMessage) => {
  if ("attach" in message && !connections.has(message.attach)) {
    const db = new Database(message.attach, { fileMustExist: true });
    db.pragma("busy_timeout = 0");
    connections.set(message.attach, db);
  } else if ("detach" in message) {
    connections.get(message.detach)?.close();
    connections.delete(message.detach);
  } else if ("stop" in message) {
    clearInterval(timer);
    checkpointAll();
    for (const db of connections.values()) db.close();
    parentPort?.close();
  }
});

// the module is loaded: from here on, attached databases are checkpointed
parentPort?.postMessage({ ready: true });
