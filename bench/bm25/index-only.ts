/**
 * Indexes a BEIR corpus (optionally replicated) the way the BM25 benchmark does and prints the
 * indexing time: a quick loop for profiling the indexing path without the Lucene anchor.
 *
 *   node --import tsx bench/bm25/index-only.ts [dataset] [replicas] [rounds]
 *   node --cpu-prof --import tsx bench/bm25/index-only.ts debian-packages 3 1
 */
import { loadBeir } from "../../src/eval/beir.ts";
import { openBm25Index } from "../../src/eval/bm25-index.ts";
import { DATASETS_DIR } from "../lib/paths.ts";

const [dataset = "debian-packages", replicas = "3", rounds = "1"] = process.argv.slice(2);
const data = loadBeir(`${DATASETS_DIR}/${dataset}`, "test");
const corpus = [...data.corpus];
for (let c = 1; c < Number(replicas); c++)
  for (const d of data.corpus) corpus.push({ ...d, id: `${d.id}~copy${c}` });
for (let r = 0; r < Number(rounds); r++) {
  const cpu = process.cpuUsage();
  const bm25 = await openBm25Index(corpus, { k1: 0.9, b: 0.4, analyzer: "english" });
  const { user, system } = process.cpuUsage(cpu);
  const docsPerSec = (1000 * corpus.length) / bm25.indexMs;
  console.log(
    `${corpus.length} docs in ${bm25.indexMs.toFixed(0)} ms: ${docsPerSec.toFixed(0)} docs/s (CPU ${(user / 1000).toFixed(0)} ms user, ${(system / 1000).toFixed(0)} ms system)`,
  );
  await bm25.close();
}
