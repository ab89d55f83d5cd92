/**
 * The trained models serving uses, per instance: the newest complete version in the instance's
 * models folder, loaded once and swapped in whole when a newer one appears (requests in flight
 * keep the set they started with). Old versions beyond the last two are removed.
 */
import fs from "node:fs";
import path from "node:path";
import type { BlendWeights } from "./models/blend.ts";
import { loadModel } from "./models/index.ts";
import type { RecallModel } from "./models/types.ts";
import { loadTop, type TopLists } from "./precompute.ts";

export interface LoadedModel {
  model: RecallModel;
  item: Map<string, number>;
  user: Map<string, number>;
  /** Known users' precomputed lists (precompute.ts). */
  top?: TopLists;
  /** What one live call (a 10-item history) took when the model loaded, in ms. */
  liveMs: number;
}

/** Channels slower than this per live call are served only from their precomputed lists. */
export const LIVE_BUDGET_MS = 5;

/** Times a live call on a few of the model's items. */
function measureLive(model: RecallModel): number {
  const n = Math.min(10, model.itemIds.length);
  const items = Int32Array.from({ length: n }, (_, i) => Math.floor((i * model.itemIds.length) / n));
  const weights = new Float32Array(n).fill(1);
  const times: number[] = [];
  // two calls to warm up (the first ones compile), then the median of three
  for (let r = 0; r < 2; r++) model.recommendForHistory(items, weights, 50);
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    model.recommendForHistory(items, weights, 50);
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[1] ?? 0;
}

export interface ModelSet {
  version: string;
  channels: Map<string, LoadedModel>;
  trained_at?: number;
  /** Channel weights the training job fitted (blend-fit.ts), when it had enough users. */
  blend?: BlendWeights;
}

const EMPTY: ModelSet = { version: "", channels: new Map() };
const KEEP = 2;

/** Version folder names sort by time. */
export const newVersion = () => `v${String(Date.now()).padStart(15, "0")}`;

export class ModelHolder {
  private readonly loaded = new Map<string, ModelSet>();

  constructor(private readonly root: string) {}

  dir(instanceId: string): string {
    return path.join(this.root, instanceId, "models");
  }

  /** The models in use (loading the newest version the first time an instance is asked for). */
  current(instanceId: string): ModelSet {
    let set = this.loaded.get(instanceId);
    if (!set) {
      set = this.load(instanceId) ?? EMPTY;
      this.loaded.set(instanceId, set);
    }
    return set;
  }

  /** Loads a newer version when there is one; returns whether the set changed. */
  refresh(instanceId: string): boolean {
    const newest = this.versions(instanceId).at(-1);
    if (!newest || newest === this.loaded.get(instanceId)?.version) return false;
    const set = this.load(instanceId);
    if (!set) return false;
    this.loaded.set(instanceId, set);
    for (const old of this.versions(instanceId).slice(0, -KEEP))
      fs.rmSync(path.join(this.dir(instanceId), old), { recursive: true, force: true });
    return true;
  }

  forget(instanceId: string): void {
    this.loaded.delete(instanceId);
    fs.rmSync(path.join(this.root, instanceId), { recursive: true, force: true });
  }

  private versions(instanceId: string): string[] {
    try {
      return fs
        .readdirSync(this.dir(instanceId))
        .filter((name) => /^v\d+$/.test(name))
        .sort();
    } catch {
      return [];
    }
  }

  private load(instanceId: string): ModelSet | undefined {
    const version = this.versions(instanceId).at(-1);
    if (!version) return undefined;
    const folder = path.join(this.dir(instanceId), version);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, "manifest.json"), "utf8")) as {
      channels: Record<string, unknown>;
      trained_at?: number;
      blend?: { weights: BlendWeights };
    };
    const channels = new Map<string, LoadedModel>();
    for (const channel of Object.keys(manifest.channels)) {
      const model = loadModel(path.join(folder, channel));
      channels.set(channel, {
        model,
        item: new Map(model.itemIds.map((id, i) => [id, i])),
        user: new Map(model.userIds.map((id, i) => [id, i])),
        top: loadTop(path.join(folder, `${channel}.top`)),
        liveMs: measureLive(model),
      });
    }
    return { version, channels, trained_at: manifest.trained_at, blend: manifest.blend?.weights };
  }
}
