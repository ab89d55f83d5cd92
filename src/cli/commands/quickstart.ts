import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { searchUrl, serverUrl } from "../../config/load.ts";
import { type RunningPlatform, startPlatform } from "../../server/platform.ts";
import { ApiClient, ApiError, CliError } from "../client.ts";
import { DEMO_INDEX, indexSections, markdownSections, searchSections } from "../demo-search.ts";
import { followJob } from "../job-progress.ts";
import { copyPaths } from "../oss-client.ts";
import { formatBytes, formatDuration, printJson, printTable } from "../output.ts";
import { addServerFlags, closeOnSignals, type ServerFlags, serverConfig } from "./serve.ts";

/** The project's own documentation: the demo corpus. */
const DOCS_DIR = fileURLToPath(new URL("../../../docs/", import.meta.url));
const DEMO_BUCKET = "demo";
const DEMO_QUERY = "how do I tune BM25 relevance with synonyms";

interface QuickstartFlags extends ServerFlags {
  serve: boolean;
  json?: boolean;
}

interface CorpusStats {
  documents: number;
  words: number;
  distinctTerms: number;
  topTerms: Array<{ term: string; count: number }>;
}

async function isServing(client: ApiClient): Promise<boolean> {
  try {
    await client.json("GET", "/health");
    return true;
  } catch {
    return false;
  }
}

export function registerQuickstart(program: Command): void {
  addServerFlags(
    program
      .command("quickstart")
      .description(
        "run the demo workflow on the project's docs: storage, a DLC job and its results, a search index and a search",
      )
      .option("--no-serve", "exit when done instead of leaving the server running")
      .option("--json", "print a JSON summary"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  lodestone quickstart\n  lodestone quickstart --data-dir /tmp/ls --no-serve --json\n",
    )
    .action(async (flags: QuickstartFlags, command: Command) => {
      const config = serverConfig(command, flags);
      const say = (line: string) => {
        if (!flags.json) process.stderr.write(`${line}\n`);
      };
      let client = new ApiClient(serverUrl(config));
      let search = new ApiClient(searchUrl(config));
      let running: RunningPlatform | undefined;
      if (await isServing(client)) {
        say(`• using the server already running at ${client.baseUrl}`);
      } else {
        running = await startPlatform(config, { logFile: path.join(config.dataDir, "logs", "server.log") });
        client = new ApiClient(running.url);
        search = new ApiClient(running.searchUrl);
        say(`• started Lodestone at ${running.url} (data in ${config.dataDir}, log in logs/server.log)`);
      }
      try {
        await client.json("PUT", `/v1/oss/${DEMO_BUCKET}`).catch((err) => {
          if (!(err instanceof ApiError && err.code === "BucketAlreadyExists")) throw err;
        });
        const copied = await copyPaths(client, DOCS_DIR, `oss://${DEMO_BUCKET}/data/`, true);
        const bytes = copied.reduce((sum, c) => sum + c.bytes, 0);
        say(`• uploaded ${copied.length} docs (${formatBytes(bytes)}) to oss://${DEMO_BUCKET}/data/`);

        const created = await client.json<{ JobId: string }>("POST", "/api/v1/jobs", {
          body: {
            DisplayName: "quickstart-corpus-stats",
            Script: "corpus-stats",
            OssInput: `oss://${DEMO_BUCKET}/data/`,
            OssOutput: `oss://${DEMO_BUCKET}/stats/`,
            HyperParameters: { top: "10" },
          },
        });
        say(`• submitted DLC job ${created.JobId} (corpus-stats)`);
        const job = await followJob(client, created.JobId, { quiet: flags.json });
        if (job.Status !== "Succeeded") {
          throw new CliError(
            `job ${job.JobId} ended ${job.Status}: ${job.ReasonMessage}; see lodestone dlc logs ${job.JobId}`,
          );
        }
        const response = await client.send("GET", `/v1/oss/${DEMO_BUCKET}/stats/stats.json`);
        const stats = (await response.json()) as CorpusStats;
        const indexed = await indexSections(search, markdownSections(DOCS_DIR));
        const hits = await searchSections(search, DEMO_QUERY);
        if (flags.json) {
          printJson({
            url: client.baseUrl,
            job,
            stats: { ...stats, files: undefined },
            search: { url: search.baseUrl, index: DEMO_INDEX, sections: indexed, query: DEMO_QUERY, hits },
          });
        } else {
          say(
            `• job ${job.JobId} Succeeded in ${formatDuration(job.Duration)}; results at oss://${DEMO_BUCKET}/stats/stats.json\n`,
          );
          console.log(
            `${stats.documents} documents, ${stats.words} words, ${stats.distinctTerms} distinct terms\n`,
          );
          printTable(
            ["TERM", "COUNT"],
            stats.topTerms.map((t) => [t.term, t.count]),
          );
          say(
            `\n• indexed ${indexed} sections of docs/ into ${search.baseUrl}/${DEMO_INDEX} (BM25, synonyms)`,
          );
          say(`• search: "${DEMO_QUERY}"\n`);
          printTable(
            ["SCORE", "FILE", "SECTION", "MATCH"],
            hits.map((h) => [h.score.toFixed(2), h.file, h.title, h.highlight?.replace(/\s+/g, " ") ?? ""]),
          );
        }
      } catch (err) {
        await running?.close();
        throw err;
      }
      if (!running) return;
      if (!flags.serve) return running.close();
      say(
        `\nLodestone is running at ${running.url}, search at ${running.searchUrl} — try:\n  lodestone dlc list-jobs\n  curl '${running.searchUrl}/${DEMO_INDEX}/_search?q=synonyms&pretty'\nPress Ctrl-C to stop.`,
      );
      await closeOnSignals(running);
    });
}
