import type { Command } from "commander";
import { type Finding, runDoctor } from "../../doctor/checks.ts";
import { CliError } from "../client.ts";
import { apiClient, configuredCluster, globalOptions, searchClient } from "../context.ts";
import { printJson, printTable } from "../output.ts";
import { positiveInt } from "./models.ts";

function count(findings: Finding[], level: Finding["level"]): number {
  return findings.filter((f) => f.level === level).length;
}

/** A numbered table of findings, then the fixes by number (long lines read better below the table). */
function printFindings(findings: Finding[]): void {
  printTable(
    ["#", "LEVEL", "CHECK", "FINDING"],
    findings.map((f, i) => [i + 1, f.level, f.check, f.message]),
  );
  const fixes = findings.flatMap((f, i) => (f.fix ? [`  ${i + 1}. ${f.fix}`] : []));
  if (fixes.length) console.log(`\nfixes:\n${fixes.join("\n")}`);
  console.log(
    `\n${count(findings, "error")} error(s), ${count(findings, "warning")} warning(s), ${count(findings, "ok")} ok`,
  );
}

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description(
      "check a deployment end to end: plugins, vector fields vs models, pipelines, analysis, latency",
    )
    .option(
      "--search-url <url>",
      "the search API; given without --url, checks a cluster without the platform",
    )
    .option(
      "--slow-ms <ms>",
      "warn when a model takes longer than this to embed a short text",
      positiveInt,
      1000,
    )
    .option("--json", "print the findings as JSON")
    .addHelpText(
      "after",
      `
Examples:
  lodestone doctor
  lodestone doctor --url http://10.0.0.5:8080 --search-url http://10.0.0.5:9200
  lodestone doctor --search-url https://search.example.com:9200 --json

Checks that opensearch-knn, opensearch-neural-search and opensearch-ml are installed; that every
knn_vector field a text_embedding pipeline writes has the dimension of its model; that the
pipelines indices name exist and the models pipelines call exist and run; that analysis filters
(synonyms) are attached to analyzers that fields use and similarities are used; and how long one
embedding call takes. Each finding says how to fix it.

With only --search-url (a remote OpenSearch cluster) models are looked up through ML Commons;
otherwise through the platform (--url) as well. Without --search-url, a configuration with
search.backend = opensearch checks that cluster (search.url, with its credentials). Exit code 1 when a finding is an error
(warnings alone exit 0).
`,
    )
    .action(async (flags: { searchUrl?: string; slowMs: number; json?: boolean }, command: Command) => {
      const remote = flags.searchUrl !== undefined && globalOptions(command).url === undefined;
      // with search.backend = opensearch in the config, the cluster (and its credentials) by default
      const cluster = flags.searchUrl === undefined ? configuredCluster(command) : undefined;
      let findings: Finding[];
      try {
        findings = await runDoctor({
          search: cluster ?? (await searchClient(command, flags.searchUrl)),
          platform: remote ? undefined : apiClient(command),
          slowMs: flags.slowMs,
        });
      } finally {
        await cluster?.close();
      }
      const errors = count(findings, "error");
      if (flags.json) printJson({ ok: errors === 0, findings });
      else printFindings(findings);
      if (errors)
        throw new CliError(
          `doctor found ${errors} error(s)${flags.json ? "" : "; the fixes are listed above"}`,
        );
    });
}
