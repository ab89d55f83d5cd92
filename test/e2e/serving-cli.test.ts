/**
 * `lodestone models|endpoints|embed|rerank|chat` against a server process: the built-in models,
 * streamed and non-streamed chat with passages, the server's errors passed on with a next step,
 * and help with examples.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { tempDir } from "../helpers/platform.ts";
import { killServer, runCli, type ServerProcess, spawnServer } from "../helpers/server-process.ts";

const PASSAGES = [
  "The search engine listens on port 9200 by default. It speaks the Elasticsearch 7.10 REST API.",
  "Buckets are 3 to 63 characters of lowercase letters, digits and hyphens.",
];

describe("lodestone serving commands against a running server", () => {
  let server: ServerProcess;
  const cli = (...args: string[]) => runCli(["--url", server.url, ...args]);
  const json = async (...args: string[]) => {
    const result = await cli(...args, "--json");
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };
  const passageFlags = PASSAGES.flatMap((p) => ["--passage", p]);

  before(async () => {
    server = await spawnServer(tempDir());
  });
  after(() => killServer(server));

  test("--help of each command group exits 0 and shows examples", async () => {
    const groups = ["models", "endpoints", "embed", "rerank", "chat"];
    const results = await Promise.all(groups.map((group) => cli(group, "--help")));
    results.forEach((result, i) => {
      assert.equal(result.code, 0, `${groups[i]} --help: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`Examples:\\n\\s+lodestone ${groups[i]} `), `${groups[i]}`);
    });
  });

  test("models list shows the built-in models", async () => {
    const [listed, table] = await Promise.all([json("models", "list"), cli("models", "list")]);
    const names = listed.data.map((m: { model_name: string }) => m.model_name);
    assert.ok(names.includes("lodestone-embed-base") && names.includes("lodestone-answerer"), names.join());
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^MODEL ID\s+NAME\s+VERSION\s+KIND/);
    assert.match(table.stdout, /m-lodestone-embed-base\s+lodestone-embed-base\s+1\s+embedding\s+768/);
  });

  test("embed with lodestone-embed-base gives 768 values; the table shows the dimension", async () => {
    const result = await json("embed", "--model", "lodestone-embed-base", "boundary layer", "shock wave");
    assert.equal(result.data.length, 2);
    assert.equal(result.data[0].embedding.length, 768);
    assert.equal(result.model, "lodestone-embed-base");
    const table = await cli(
      "embed",
      "--model",
      "lodestone-embed-base",
      "--dimensions",
      "32",
      "boundary layer",
    );
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /0\s+boundary layer\s+32\s+-?\d\.\d{4}/);
  });

  test("chat streams a cited answer from the passages; --no-stream and --json give the same text", async () => {
    const question = "Which port does the search engine listen on?";
    const chat = (...flags: string[]) =>
      cli("chat", "--model", "lodestone-answerer", ...flags, ...passageFlags, question);
    const [streamed, whole, json] = await Promise.all([chat(), chat("--no-stream"), chat("--json")]);
    assert.equal(streamed.code, 0, streamed.stderr);
    assert.match(streamed.stdout, /The search engine listens on port 9200 by default\. \[1\]/);
    assert.equal(whole.stdout, streamed.stdout);
    assert.equal(`${JSON.parse(json.stdout).choices[0].message.content}\n`, streamed.stdout);
  });

  test("chat about something the passages do not cover says so", async () => {
    const result = await cli(
      "chat",
      "--model",
      "lodestone-answerer",
      ...passageFlags,
      "Who won the 1998 World Cup?",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /not in the provided passages/);
  });

  test("models register with a bad oss path exits 1 with the server's message", async () => {
    const [notOss, noBucket] = await Promise.all([
      cli("models", "register", "custom-emb", "/tmp/models/"),
      cli("models", "register", "custom-emb", "oss://no-such-bucket/models/"),
    ]);
    assert.equal(notOss.code, 1);
    assert.match(notOss.stderr, /oss_path must be an oss:\/\/bucket\/prefix\/ URL, got \/tmp\/models\//);
    assert.equal(noBucket.code, 1);
    assert.match(noBucket.stderr, /no-such-bucket does not exist; create it with: lodestone oss mb/);
  });

  test("models register --connector probes the upstream; neither a folder nor a connector is a usage error", async () => {
    const [neither, unreachable] = await Promise.all([
      cli("models", "register", "gpu-bge"),
      cli(
        "models",
        "register",
        "gpu-bge",
        "--connector",
        "openai-embeddings",
        "--base-url",
        "http://127.0.0.1:9/v1",
        "--upstream-model",
        "bge-m3",
      ),
    ]);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /give an oss:\/\/ model folder, or --connector/);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /probing http:\/\/127\.0\.0\.1:9\/v1 failed/);
  });

  test("endpoints deploy of an unknown model exits 1 and says how to find one", async () => {
    const [unknown, usage] = await Promise.all([
      cli("endpoints", "deploy", "m-nosuchmodel1"),
      cli("endpoints", "deploy", "m-nosuchmodel1", "--replicas", "zero"),
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no model m-nosuchmodel1/);
    assert.match(unknown.stderr, /lodestone models list/);
    assert.equal(usage.code, 2);
  });

  test("endpoints deploy --wait, list, chat through the endpoint, delete; rerank needs a reranker", async () => {
    const rerank = cli("rerank", "--model", "lodestone-embed-base", "--query", "port", "a", "b");
    const endpoint = await json("endpoints", "deploy", "lodestone-answerer", "--wait");
    assert.equal(endpoint.status, "Running");
    assert.match(endpoint.endpoint_id, /^ep-/);
    const [table, answer] = await Promise.all([
      cli("endpoints", "list"),
      cli("chat", "--model", endpoint.endpoint_id, ...passageFlags, "How long can a bucket name be?"),
    ]);
    assert.match(
      table.stdout,
      new RegExp(`${endpoint.endpoint_id}\\s+m-lodestone-answerer\\s+lodestone-answerer v1\\s+Running`),
    );
    assert.match(answer.stdout, /\[2\]/);
    const stopped = await json("endpoints", "stop", endpoint.endpoint_id);
    assert.equal(stopped.status, "Stopped");
    const started = await json("endpoints", "start", endpoint.endpoint_id, "--wait");
    assert.equal(started.status, "Running");
    assert.equal((await cli("endpoints", "delete", endpoint.endpoint_id)).code, 0);
    const gone = await cli("endpoints", "show", endpoint.endpoint_id);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /lodestone endpoints list/);
    const refused = await rerank;
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not a reranker/);
  });
});
