/**
 * `lodestone recommend eval` end to end on a slice of movielens-small (the first 60 users): the
 * JSON report, the table, and the usage errors.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import type { RecommendEvalReport } from "../../src/recommend/eval/run.ts";
import { runCli } from "../helpers/server-process.ts";

const MOVIELENS = path.resolve(import.meta.dirname, "../../../shared/datasets/movielens-small");

describe("lodestone recommend eval", () => {
  test("--json: each channel and the blend, weights fit on validation users", async () => {
    const r = await runCli(
      [
        "recommend",
        "eval",
        "--dataset",
        MOVIELENS,
        "--max-users",
        "60",
        "--channels",
        "popular,item_cf,ease",
        "--json",
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as RecommendEvalReport;
    assert.equal(report.users, 60);
    assert.equal(report.k, 20);
    assert.ok(report.testUsers > 50 && report.testUsers <= 60);
    assert.deepEqual(
      report.results.map((x) => x.name),
      ["popular", "item_cf", "ease", "blend"],
    );
    for (const x of report.results) {
      assert.equal(x.users, report.testUsers);
      for (const v of [x.recall, x.ndcg, x.coverage]) assert.ok(v >= 0 && v <= 1, `${x.name}: ${v}`);
      assert.ok(x.novelty > 0);
      assert.equal(typeof x.trainSeconds, x.name === "blend" ? "undefined" : "number");
    }
    const byName = Object.fromEntries(report.results.map((x) => [x.name, x]));
    // personalised channels beat popularity on recall, and reach further into the catalogue
    assert.ok((byName.ease?.recall as number) > (byName.popular?.recall as number));
    assert.ok((byName.item_cf?.coverage as number) > (byName.popular?.coverage as number));
    assert.deepEqual(Object.keys(report.blend.weights).sort(), ["ease", "item_cf", "popular"]);
  });

  test("the table, and usage errors with exit code 2", async () => {
    const table = await runCli(
      ["recommend", "eval", "--dataset", MOVIELENS, "--max-users", "30", "--channels", "popular"],
      { timeoutMs: 60_000 },
    );
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /channel\s+Recall@20\s+nDCG@20\s+coverage\s+novelty\s+train s/);
    assert.match(table.stdout, /^blend\s+0\.\d{4}/m);
    assert.match(table.stdout, /blend weights \(fit on validation/);

    const help = await runCli(["recommend", "eval", "--help"]);
    assert.match(help.stdout, /no server needed/);

    const missing = await runCli(["recommend", "eval", "--dataset", path.join(MOVIELENS, "nope")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no ratings\.csv or u\.data there/);
    const channel = await runCli(["recommend", "eval", "--dataset", MOVIELENS, "--channels", "popular,svd"]);
    assert.equal(channel.code, 2);
    assert.match(channel.stderr, /unknown channel "svd"; choose from/);
    const set = await runCli([
      "recommend",
      "eval",
      "--dataset",
      MOVIELENS,
      "--channels",
      "als",
      "--set",
      "ease.lambda=3",
    ]);
    assert.equal(set.code, 2);
    assert.match(set.stderr, /channel ease is not evaluated/);
  });
});
