import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { envVarName, loadConfig, serverUrl } from "../../src/config/load.ts";
import { tempDir } from "../helpers/platform.ts";

test("defaults ← file ← environment ← flags", () => {
  const cwd = tempDir();
  const defaults = loadConfig({ cwd, env: {} }).config;
  assert.equal(defaults.port, 8080);
  assert.equal(defaults.host, "127.0.0.1");
  assert.equal(defaults.jobs.concurrency, 1);
  assert.equal(defaults.dataDir, path.join(cwd, ".lodestone"));

  fs.writeFileSync(
    path.join(cwd, "lodestone.config.yaml"),
    "port: 9000\ndataDir: data\njobs:\n  concurrency: 2\n",
  );
  const fromFile = loadConfig({ cwd, env: {} });
  assert.equal(fromFile.config.port, 9000);
  assert.equal(fromFile.config.jobs.concurrency, 2);
  assert.equal(fromFile.config.dataDir, path.join(cwd, "data"));

  const fromEnv = loadConfig({
    cwd,
    env: { LODESTONE_PORT: "9100", LODESTONE_JOBS_CONCURRENCY: "3" },
  }).config;
  assert.equal(fromEnv.port, 9100);
  assert.equal(fromEnv.jobs.concurrency, 3);
  const fromFlags = loadConfig({
    cwd,
    env: { LODESTONE_PORT: "9100" },
    flags: { port: "9200", searchPort: 9300 },
  });
  assert.equal(fromFlags.config.port, 9200);
  assert.equal(serverUrl(fromFlags.config), "http://127.0.0.1:9200");
});

test("invalid config names the key, what is expected and where the value came from", () => {
  const cwd = tempDir();
  const cases: Array<[Parameters<typeof loadConfig>[0], RegExp]> = [
    [
      { env: { LODESTONE_JOBS_CONCURRENCY: "many" } },
      /jobs\.concurrency must be an integer >= 1.*LODESTONE_JOBS_CONCURRENCY/,
    ],
    [{ env: { LODESTONE_PORT: "70000" } }, /port must be an integer .*<= 65535/],
    [{ env: { LODESTONE_LOG_LEVEL: "loud" } }, /logLevel must be one of/],
    [{ env: {}, flags: { port: 9200 } }, /searchPort must be different from port/],
  ];
  for (const [opts, message] of cases) assert.throws(() => loadConfig({ cwd, ...opts }), message);
  fs.writeFileSync(path.join(cwd, "lodestone.config.json"), JSON.stringify({ jobs: { paralellism: 4 } }));
  assert.throws(() => loadConfig({ cwd, env: {} }), /unknown key "jobs\.paralellism"/);
});

test("environment variable names derive from key paths", () => {
  assert.equal(envVarName("jobs.stopGraceMs"), "LODESTONE_JOBS_STOP_GRACE_MS");
  assert.equal(envVarName("dataDir"), "LODESTONE_DATA_DIR");
});
