/**
 * Built-in job `recommend-train`: trains an instance's recall models from a behaviour export and
 * publishes them as a new model version, which the server picks up without waiting (serving never
 * blocks on training). Runs in its own process like every job.
 *
 * Hyper-parameters: `data` (the JSONL export: {user, item, weight, at} per line), `model_dir` (the
 * instance's models folder), `version` (the new version's folder name), `channels` (comma list;
 * default every trainer), `fit_blend` ("false" keeps the default channel weights; see blend-fit.ts).
 */
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { jobContext, reportMetrics, reportProgress } from "../jobs/sdk.ts";
import { fitInstanceBlend } from "./blend-fit.ts";
import { buildInteractionData, saveModel, TRAINERS } from "./models/index.ts";
import type { InteractionEvent } from "./models/types.ts";
import { precompute, saveTop } from "./precompute.ts";

const ctx = jobContext();
const param = (name: string) => {
  const value = ctx.hyperParameters[name];
  if (!value) {
    console.error(`hyper-parameter ${name} is required (this job is started by the recommendation service)`);
    process.exit(2);
  }
  return value;
};
const dataFile = param("data");
const modelDir = param("model_dir");
const version = param("version");
const channels = (ctx.hyperParameters.channels ?? Object.keys(TRAINERS).join(","))
  .split(",")
  .map((c) => c.trim())
  .filter(Boolean);
for (const c of channels)
  if (!TRAINERS[c]) {
    console.error(`unknown channel ${c}; trainers: ${Object.keys(TRAINERS).join(", ")}`);
    process.exit(2);
  }

const events: InteractionEvent[] = [];
for await (const line of readline.createInterface({ input: fs.createReadStream(dataFile) }))
  if (line.trim()) events.push(JSON.parse(line));
const data = buildInteractionData(events);
reportProgress(
  0.05,
  `${events.length} behaviours, ${data.userIds.length} users, ${data.itemIds.length} items`,
);

// write into a temporary folder and rename it at the end: the server never sees half a version
const tmp = path.join(modelDir, `.tmp-${version}`);
fs.rmSync(tmp, { recursive: true, force: true });
fs.mkdirSync(tmp, { recursive: true });
const manifest: Record<string, unknown> = {
  version,
  trained_at: Date.now(),
  events: events.length,
  users: data.userIds.length,
  items: data.itemIds.length,
  channels: {} as Record<string, { train_ms: number }>,
};
const now = data.at.length ? data.at.reduce((a, b) => Math.max(a, b), 0) : Date.now();
for (const [i, channel] of channels.entries()) {
  const started = performance.now();
  const model = TRAINERS[channel]?.train(data, { now, seed: 42 });
  if (!model) continue;
  const ms = performance.now() - started;
  saveModel(model, path.join(tmp, channel));
  // each known user's list, so serving them is a lookup (see precompute.ts)
  const listed = performance.now();
  saveTop(precompute(model, data), path.join(tmp, `${channel}.top`));
  const listMs = performance.now() - listed;
  (manifest.channels as Record<string, { train_ms: number; lists_ms: number }>)[channel] = {
    train_ms: Math.round(ms),
    lists_ms: Math.round(listMs),
  };
  reportMetrics({ [`train_ms_${channel}`]: ms, [`lists_ms_${channel}`]: listMs }, i + 1);
  reportProgress(0.1 + (0.6 * (i + 1)) / channels.length, `trained ${channel} in ${Math.round(ms)} ms`);
}
if (ctx.hyperParameters.fit_blend !== "false") {
  reportProgress(0.7, "fitting the blend's weights on each user's latest behaviours");
  const started = performance.now();
  const blend = fitInstanceBlend(events, channels, { now, seed: 42 });
  if ("skipped" in blend) console.log(`blend: default weights (${blend.skipped})`);
  else {
    manifest.blend = { ...blend, fit_ms: Math.round(performance.now() - started) };
    reportMetrics({ blend_validation_ndcg20: blend.validation_ndcg });
    console.log(
      `blend: ${JSON.stringify(blend.weights)} (nDCG@20 ${blend.validation_ndcg.toFixed(4)} on ${blend.users} users)`,
    );
  }
}
fs.writeFileSync(path.join(tmp, "manifest.json"), JSON.stringify(manifest, null, 2));
fs.renameSync(tmp, path.join(modelDir, version));
fs.writeFileSync(path.join(ctx.outputDir, "manifest.json"), JSON.stringify(manifest, null, 2));
