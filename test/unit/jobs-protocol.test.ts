import assert from "node:assert/strict";
import { test } from "node:test";
import { formatReport, parseReport } from "../../src/jobs/protocol.ts";
import { parseUserCommand } from "../../src/jobs/user-command.ts";

test("the ##lodestone stdout protocol", () => {
  const report = { progress: 0.5, message: "epoch 1", metrics: { loss: 0.25 }, step: 3 };
  assert.deepEqual(parseReport(formatReport(report)), report);
  assert.deepEqual(parseReport('##lodestone {"progress":7}'), { progress: 1 });
  assert.deepEqual(parseReport('##lodestone {"metrics":{"a":"x","b":2}}'), { metrics: { b: 2 } });
  for (const line of ["plain output", "##lodestone {broken", "##lodestone [1]", '##lodestone {"other":1}']) {
    assert.equal(parseReport(line), undefined, line);
  }
});

test("PAI-style user commands become a script and hyper-parameters", () => {
  assert.deepEqual(parseUserCommand("python3 train.py --epochs 3 --lr=0.01 --name 'my run'"), {
    script: "train.py",
    hyperParameters: { epochs: "3", lr: "0.01", name: "my run" },
  });
  assert.deepEqual(parseUserCommand("node x.mjs --flag"), {
    script: "x.mjs",
    hyperParameters: { flag: "true" },
  });
  assert.throws(() => parseUserCommand("python train.py positional"), /UserCommand/);
});
