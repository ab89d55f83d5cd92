/** The tuner's run cache: each query is searched once per configuration and view, whatever subsets are measured. */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { TuneConfig } from "../../src/eval/tune/config.ts";
import { RunCache } from "../../src/eval/tune/measure.ts";
import type { Judgements, TuneRequest } from "../../src/eval/tune/request.ts";
import type { SearchTransport } from "../../src/eval/tune/transport.ts";

const CONFIG: TuneConfig = {
  similarity: {},
  clauses: [{ field: "text", boost: 1, phraseBoost: 0 }],
  synonyms: [],
  prf: null,
  technique: "min_max",
  bm25Weight: 0.5,
  rerankDepth: 0,
};
const REQ = {
  index: "i",
  fields: ["text"],
  metric: { name: "ndcg", k: 2 },
  depth: 10,
} as unknown as TuneRequest;

test("measuring overlapping subsets searches each query once per configuration, with the same figures", async () => {
  const searched: string[] = [];
  // query "qN" finds d1, dN, d2 in that order
  const transport: SearchTransport = {
    json: async <T>(_method: string, _path: string, opts?: { rawBody?: string }) => {
      const lines = (opts?.rawBody ?? "")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      const bodies = lines.filter((_, i) => i % 2 === 1);
      const responses = bodies.map((b) => {
        const text = JSON.stringify(b.query).match(/"(q\d+)"/)?.[1] as string;
        searched.push(text);
        const n = text.slice(1);
        return { hits: { hits: ["d1", `d${n}`, "d2"].map((id, r) => ({ _id: id, _score: 3 - r })) } };
      });
      return { responses } as T;
    },
  };
  const prepared: TuneConfig[] = [];
  const cache = new RunCache(transport, REQ, "i", async (c) => {
    prepared.push(c);
  });
  const judged = (ids: number[]): Judgements => ({
    queries: ids.map((n) => ({ id: `q${n}`, text: `q${n}` })),
    qrels: new Map(ids.map((n) => [`q${n}`, new Map([[`d${n}`, 1]])])),
  });
  const all = await cache.measure(CONFIG, judged([3, 4, 5, 6]), "lexical");
  // each relevant document is second: nDCG@2 = (1/log2 3) / 1
  assert.ok(Math.abs(all - 1 / Math.log2(3)) < 1e-12);
  assert.equal(await cache.measure(CONFIG, judged([4, 6]), "lexical"), all);
  assert.deepEqual(searched.sort(), ["q3", "q4", "q5", "q6"]);
  await cache.measure(CONFIG, judged([6, 7]), "lexical");
  assert.deepEqual(searched.slice(4), ["q7"], "only the new query is searched");
  await cache.measure({ ...CONFIG, bm25Weight: 0.7 }, judged([3]), "lexical");
  await cache.measure(CONFIG, judged([3]), "hybrid");
  assert.equal(searched.length, 7, "another configuration or view searches again");
  assert.equal(prepared.length, 4, "settings are prepared only before searches");
});
