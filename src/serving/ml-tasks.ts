/**
 * Tasks of the ML Commons API (`GET /_plugins/_ml/tasks/{task_id}`): one row per register or
 * deploy request, kept in the platform database so a task id stays answerable after a restart.
 * The models and endpoints the tasks create are durable on their own; a task that was running
 * when the server stopped is marked FAILED when it starts again.
 */
import { newId } from "../common/ids.ts";
import type { Db } from "../state/db.ts";

export type MlTaskType = "REGISTER_MODEL" | "DEPLOY_MODEL";
export type MlTaskState = "CREATED" | "RUNNING" | "COMPLETED" | "FAILED";
export type MlFunctionName = "TEXT_EMBEDDING" | "TEXT_SIMILARITY" | "REMOTE";

export interface MlTask {
  id: string;
  taskType: MlTaskType;
  functionName: MlFunctionName | null;
  modelId: string | null;
  state: MlTaskState;
  error: string | null;
  createdAt: number;
  updatedAt: number;
}

interface MlTaskRow {
  id: string;
  task_type: MlTaskType;
  function_name: MlFunctionName | null;
  model_id: string | null;
  state: MlTaskState;
  error: string | null;
  created_at: number;
  updated_at: number;
}

export class MlTaskStore {
  constructor(private readonly db: Db) {}

  /** Tasks left running by a server that stopped can never finish: they failed. */
  recover(): void {
    this.db
      .prepare(
        "UPDATE ml_tasks SET state = 'FAILED', error = ?, updated_at = ? WHERE state IN ('CREATED', 'RUNNING')",
      )
      .run("the server stopped before the task finished; run the request again", Date.now());
  }

  create(taskType: MlTaskType, functionName: MlFunctionName | null, modelId: string | null): MlTask {
    const now = Date.now();
    const task: MlTask = {
      id: newId("t-", 12),
      taskType,
      functionName,
      modelId,
      state: "RUNNING",
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    this.db
      .prepare(
        "INSERT INTO ml_tasks (id, task_type, function_name, model_id, state, error, created_at, updated_at) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)",
      )
      .run(task.id, taskType, functionName, modelId, task.state, now, now);
    return task;
  }

  complete(id: string, modelId: string, functionName: MlFunctionName): void {
    this.db
      .prepare(
        "UPDATE ml_tasks SET state = 'COMPLETED', model_id = ?, function_name = ?, updated_at = ? WHERE id = ?",
      )
      .run(modelId, functionName, Date.now(), id);
  }

  fail(id: string, error: string): void {
    this.db
      .prepare("UPDATE ml_tasks SET state = 'FAILED', error = ?, updated_at = ? WHERE id = ?")
      .run(error, Date.now(), id);
  }

  find(id: string): MlTask | undefined {
    const row = this.db.prepare("SELECT * FROM ml_tasks WHERE id = ?").get(id) as MlTaskRow | undefined;
    return row && fromRow(row);
  }
}

function fromRow(row: MlTaskRow): MlTask {
  return {
    id: row.id,
    taskType: row.task_type,
    functionName: row.function_name,
    modelId: row.model_id,
    state: row.state,
    error: row.error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
