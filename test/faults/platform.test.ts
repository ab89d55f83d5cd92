/**
 * kill -9 at seeded random points while DLC jobs run, models are registered and behaviours are
 * pushed to the recommender, all three together in every cycle; after each restart jobs are in a
 * truthful state with whole outputs, registered models are complete or absent, and acknowledged
 * behaviour events are stored exactly once.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { tempDir } from "../helpers/platform.ts";
import { behaviorLoad } from "./behavior-load.ts";
import { faultCycles, faultSeed, runKillCycles } from "./cycles.ts";
import { jobLoad } from "./job-load.ts";
import { modelLoad } from "./model-load.ts";

test("kill -9 during training jobs, model registration and behaviour pushes: truthful states, nothing half-written", async () => {
  const dataDir = tempDir("lodestone-faults-platform-");
  const report = await runKillCycles({
    name: "platform faults",
    dataDir,
    seed: faultSeed(20261207),
    cycles: faultCycles(20),
    scenarios: [jobLoad(), modelLoad(dataDir), behaviorLoad()],
    delayMs: [200, 1500],
  });
  for (const [name, r] of Object.entries(report.scenarios))
    assert.ok(
      r.killPoints >= Math.min(report.cycles, 20) * 0.9,
      `${name}: only ${r.killPoints} kills landed inside its work`,
    );
});
