// Saving a trained model as a folder — model.json (channel, kind, ids, params) and
// arrays.safetensors (the typed arrays) — written whole into a temporary sibling folder and
// renamed into place, so a server loading the folder never sees half a model.
import fs from "node:fs";
import path from "node:path";
import { readSafetensorsFile, type Tensor, writeSafetensorsFile } from "../../models/safetensors.ts";
import { AlsModel } from "./als.ts";
import { EaseModel } from "./ease.ts";
import { ItemCfModel } from "./item-cf.ts";
import { ItemScoreModel } from "./popular.ts";
import type { ModelArray, ModelState, PersistableModel } from "./state.ts";
import type { RecallModel } from "./types.ts";

export const MODEL_FORMAT = "lodestone-recall-model";
export const MODEL_VERSION = 1;

const LOADERS: Record<string, (s: ModelState) => RecallModel> = {
  item_score: ItemScoreModel.fromState,
  item_cf: ItemCfModel.fromState,
  als: AlsModel.fromState,
  ease: EaseModel.fromState,
};

function isPersistable(model: RecallModel): model is PersistableModel {
  return typeof (model as Partial<PersistableModel>).toState === "function";
}

export function saveModel(model: RecallModel, dir: string): void {
  if (!isPersistable(model))
    throw new TypeError(`model of channel ${model.channel} cannot be saved (no toState)`);
  const state = model.toState();
  const target = path.resolve(dir);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  fs.mkdirSync(tmp);
  try {
    const tensors: Record<string, Tensor> = {};
    for (const [name, data] of Object.entries(state.arrays))
      tensors[name] = { dtype: data instanceof Float32Array ? "F32" : "I32", shape: [data.length], data };
    writeSafetensorsFile(path.join(tmp, "arrays.safetensors"), tensors);
    const header = {
      format: MODEL_FORMAT,
      version: MODEL_VERSION,
      channel: state.channel,
      kind: state.kind,
      savedAt: new Date().toISOString(),
      params: state.params,
      userIds: state.userIds,
      itemIds: state.itemIds,
    };
    fs.writeFileSync(path.join(tmp, "model.json"), JSON.stringify(header));
    // swap: the old folder moves aside first, so `dir` is always either the old or the new model
    const old = `${target}.old-${process.pid}-${Date.now()}`;
    const hadOld = fs.existsSync(target);
    if (hadOld) fs.renameSync(target, old);
    fs.renameSync(tmp, target);
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

export function loadModel(dir: string): RecallModel {
  const headerFile = path.join(dir, "model.json");
  if (!fs.existsSync(headerFile)) throw new Error(`${dir}: no model.json; not a saved recall model folder`);
  const header = JSON.parse(fs.readFileSync(headerFile, "utf8")) as Record<string, unknown>;
  if (header.format !== MODEL_FORMAT) throw new Error(`${headerFile}: format is not ${MODEL_FORMAT}`);
  if (header.version !== MODEL_VERSION)
    throw new Error(
      `${headerFile}: version ${header.version} is not supported (this build reads ${MODEL_VERSION})`,
    );
  const kind = String(header.kind);
  const loader = LOADERS[kind];
  if (!loader)
    throw new Error(
      `${headerFile}: unknown model kind ${JSON.stringify(kind)} (known: ${Object.keys(LOADERS).join(", ")})`,
    );
  if (!Array.isArray(header.userIds) || !Array.isArray(header.itemIds))
    throw new Error(`${headerFile}: userIds and itemIds must be arrays of ids`);
  const file = readSafetensorsFile(path.join(dir, "arrays.safetensors"));
  const arrays: Record<string, ModelArray> = {};
  for (const [name, t] of file.tensors) {
    if (!(t.data instanceof Float32Array || t.data instanceof Int32Array))
      throw new Error(`${dir}: array ${name} is ${t.dtype}; recall models hold F32 and I32 arrays only`);
    arrays[name] = t.data;
  }
  return loader({
    channel: String(header.channel),
    kind,
    userIds: header.userIds.map(String),
    itemIds: header.itemIds.map(String),
    params: (header.params ?? {}) as Record<string, unknown>,
    arrays,
  });
}
