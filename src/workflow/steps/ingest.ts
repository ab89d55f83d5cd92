/** Step "ingest": the corpus through `_bulk` in batches; the index's default pipeline embeds it. */
import { type StepContext, stepDone } from "../context.ts";
import type { IndexedDoc } from "../dataset.ts";

const STEP = "ingest";
const BATCH = 200;

interface BulkResult {
  errors: boolean;
  items: Array<Record<string, { error?: { reason?: string } }>>;
}

export async function ingestDocuments(ctx: StepContext, corpus: IndexedDoc[]): Promise<void> {
  const { name, text_field } = ctx.workflow.index;
  const started = performance.now();
  for (let i = 0; i < corpus.length; i += BATCH) {
    const lines = corpus.slice(i, i + BATCH).flatMap((d) => [
      // text_embedding refuses empty text (as OpenSearch does): such a document goes in without a vector
      JSON.stringify({ index: d.text.trim() ? { _id: d.id } : { _id: d.id, pipeline: "_none" } }),
      JSON.stringify({ title: d.title, [text_field]: d.text }),
    ]);
    const result = await ctx.search.json<BulkResult>("POST", `/${name}/_bulk`, {
      rawBody: `${lines.join("\n")}\n`,
      contentType: "application/x-ndjson",
    });
    if (result.errors) {
      const failed = result.items.map((item) => Object.values(item)[0]).find((r) => r?.error);
      throw new Error(`_bulk into ${name} failed: ${failed?.error?.reason ?? "see the server log"}`);
    }
    const done = Math.min(i + BATCH, corpus.length);
    ctx.emit({
      type: "progress",
      step: STEP,
      label: `bulk ${name}`,
      fraction: done / corpus.length,
      message: `${done}/${corpus.length} documents`,
    });
  }
  await ctx.search.json("POST", `/${name}/_refresh`);
  const seconds = (performance.now() - started) / 1000;
  stepDone(
    ctx,
    STEP,
    `indexed ${corpus.length} documents through ${ctx.workflow.pipelines.ingest} in ${seconds.toFixed(1)} s`,
  );
}
