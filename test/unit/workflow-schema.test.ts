/** Workflow files: the shipped ones are valid; a bad one is refused with the key it concerns. */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import YAML from "yaml";
import { loadWorkflow, validateWorkflow, WorkflowError } from "../../src/workflow/schema.ts";
import { fillDimension } from "../../src/workflow/steps/create-index.ts";
import { appBody } from "../../src/workflow/steps/rag-apps.ts";
import { checkTuning } from "../../src/workflow/steps/tune.ts";
import { PROJECT_ROOT } from "../helpers/server-process.ts";

const QUICKSTART = path.join(PROJECT_ROOT, "workflows", "quickstart.yaml");
// biome-ignore lint/suspicious/noExplicitAny: the tests edit parsed YAML at any depth
type Parsed = Record<string, any>;
const base = () => YAML.parse(fs.readFileSync(QUICKSTART, "utf8")) as Parsed;

function refused(change: (w: Parsed) => void, message: RegExp): void {
  const w = base();
  change(w);
  assert.throws(
    () => validateWorkflow(w, "wf.yaml"),
    (err: Error) => {
      assert.ok(err instanceof WorkflowError, String(err));
      assert.match(err.message, message);
      return true;
    },
  );
}

describe("workflow schema", () => {
  test("the shipped workflows are valid and resolve data.source next to the file", () => {
    for (const file of fs.readdirSync(path.join(PROJECT_ROOT, "workflows"))) {
      const w = loadWorkflow(path.join(PROJECT_ROOT, "workflows", file));
      assert.equal(w.baseDir, path.join(PROJECT_ROOT, "workflows"));
    }
    assert.equal(loadWorkflow(QUICKSTART).index.name, "rag-docs");
  });

  test("a missing key is named", () => {
    refused((w) => delete w.data.oss, /^wf\.yaml: data\.oss is required$/);
    refused((w) => delete w.training.reranker, /training\.reranker is required/);
  });

  test("an unknown key is named (typos are the usual mistake)", () => {
    refused((w) => {
      w.training.embedder.hyperparameters = { dim: 64 };
    }, /unknown key training\.embedder\.hyperparameters/);
  });

  test("a wrong value says what was expected and what was given", () => {
    refused((w) => {
      w.data.format = "csv";
    }, /data\.format must be "markdown" or "beir", got "csv"/);
    refused((w) => {
      w.data.oss = "s3://bucket/data";
    }, /data\.oss must be an oss:\/\/ prefix ending in "\/"/);
    refused((w) => {
      w.pipelines.bm25_weight = 1.5;
    }, /pipelines\.bm25_weight must be "auto" or a number ≥ 0 and ≤ 1, got 1\.5/);
    refused((w) => {
      w.data.questions.test_share = 0;
    }, /data\.questions\.test_share must be a number > 0 and < 1, got 0/);
    refused((w) => {
      w.index.name = "Rag Docs";
    }, /index\.name must be a lower-case name/);
  });

  test("files that do not parse, or do not exist, say so", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wf-"));
    fs.writeFileSync(path.join(dir, "bad.yaml"), "name: [unclosed\n");
    assert.throws(() => loadWorkflow(path.join(dir, "bad.yaml")), /bad\.yaml is not valid YAML/);
    assert.throws(() => loadWorkflow(path.join(dir, "none.json")), /cannot read the workflow/);
  });

  test("a tuning step must name a registered tuner", () => {
    checkTuning([]);
    assert.throws(() => checkTuning([{ type: "bool-boosts" }]), /tuning\.0\.type must name a tuner/);
  });

  test("apps: each RAG app is checked, and becomes an app body over the workflow's index and models", () => {
    refused((w) => {
      w.apps[0].name = "Docs";
    }, /apps\.0\.name must be an app name/);
    refused((w) => {
      w.apps[0].retrieval = "semantic";
    }, /apps\.0\.retrieval must be "bm25" or "neural" or "hybrid"/);
    refused((w) => {
      w.apps[0].rerank = 5;
    }, /unknown key apps\.0\.rerank/);
    const w = loadWorkflow(QUICKSTART);
    const body = appBody(w, w.apps?.[0] as NonNullable<typeof w.apps>[number], {
      embedder: "ep-e",
      reranker: "ep-r",
    });
    assert.deepEqual(body.retrieval, {
      mode: "hybrid",
      text_fields: ["title^2", "content"],
      content_field: "content",
      vector_field: "embedding",
      model_id: "ep-e",
      search_pipeline: "rag-docs-hybrid",
      k: 5,
      candidates: 50,
    });
    assert.deepEqual(body.rerank, { model_id: "ep-r", depth: 20 });
    assert.deepEqual(body.llm, { provider: "builtin" });
    assert.equal(body.index, "rag-docs");
  });

  test("dimension: auto is filled from the embedder, other fields are kept", () => {
    const filled = fillDimension(
      {
        content: { type: "text" },
        embedding: { type: "knn_vector", dimension: "auto" },
        fixed: { type: "knn_vector", dimension: 8 },
      },
      256,
    );
    assert.deepEqual(filled, {
      content: { type: "text" },
      embedding: { type: "knn_vector", dimension: 256 },
      fixed: { type: "knn_vector", dimension: 8 },
    });
  });
});
