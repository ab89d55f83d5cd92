/**
 * WAL checkpoints off the serving thread. SQLite copies the write-ahead log back into the
 * database inside whichever commit pushes the log past `wal_autocheckpoint` pages, on the thread
 * that commits, fsyncs included: tens of milliseconds that every request queued behind that
 * commit waits for. Databases attached here stop checkpointing in their commits; a worker thread
 * with its own connection to each runs PASSIVE checkpoints (which never block readers or writers)
 * every interval. Should the worker die, the databases checkpoint in their commits again.
 */
import type { Worker } from "node:worker_threads";
import { startTsWorker } from "../common/ts-worker.ts";
import type { Db } from "./db.ts";

/** SQLite's default wal_autocheckpoint, restored when a database is detached or the worker fails. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

/** Gives an open database its own checkpoints back (SQLite's default threshold). */
function checkpointsInCommits(db: Db): void {
  if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
}

export type CheckpointerMessage = { attach: string } | { detach: string } | { stop: true };

export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private readonly attached = new Set<Db>();
  private failed = false;
  /** Settles when the worker has loaded and checkpoints (or has failed). */
  readonly ready: Promise<void>;

  constructor(intervalMs: number, onFailure: (message: string) => void) {
    this.worker = startTsWorker(new URL("./checkpointer-worker.ts", import.meta.url), { intervalMs });
    this.worker.unref();
    this.ready = new Promise((resolve) => {
      this.worker.once("message", () => resolve());
      this.worker.once("exit", () => resolve());
    });
    const fail = (message: string) => {
      if (this.failed) return;
      this.failed = true;
      for (const db of this.attached) checkpointsInCommits(db);
      onFailure(`the WAL checkpoint thread stopped (${message}); commits checkpoint again themselves`);
    };
    this.worker.on("error", (err) => fail(err.message));
    this.worker.on("exit", (code) => fail(`exit code ${code}`));
  }

  /** Hands the database's checkpoints to the worker (a file database in WAL mode). */
  attach(db: Db): void {
    if (this.failed || db.memory) return;
    db.pragma("wal_autocheckpoint = 0");
    this.attached.add(db);
    this.post({ attach: db.name });
  }

  /** Gives the database its own checkpoints back (before it closes, say). */
  detach(db: Db): void {
    if (!this.attached.delete(db)) return;
    checkpointsInCommits(db);
    this.post({ detach: db.name });
  }

  /** Runs a last checkpoint of every attached database and ends the worker. */
  async close(): Promise<void> {
    if (this.failed) return;
    this.failed = true; // its exit is expected from here on
    const exited = new Promise((resolve) => this.worker.once("exit", resolve));
    this.worker.ref(); // the process waits for the last checkpoint
    this.post({ stop: true });
    await exited;
    for (const db of this.attached) checkpointsInCommits(db);
    this.attached.clear();
  }

  private post(message: CheckpointerMessage): void {
    this.worker.postMessage(message);
  }
}
