/**
 * `lodestone doctor`'s checks, with no CLI code: given a search API client (and the platform's,
 * for an embedded deployment) they return findings, each with what to do about it.
 */
import { checkAnalysis } from "./analysis.ts";
import { readCluster } from "./cluster.ts";
import { checkDimensions } from "./dimensions.ts";
import { type DoctorClient, errorText, type Finding, statusOf } from "./findings.ts";
import { checkLatency, DEFAULT_SLOW_MS } from "./latency.ts";
import { ModelDirectory } from "./models.ts";
import { checkPlugins, hasPlugin } from "./plugins.ts";
import { checkModelRefs, checkPipelineRefs } from "./references.ts";

export type { Finding, Level } from "./findings.ts";

export interface DoctorOptions {
  /** The Elasticsearch/OpenSearch-compatible API. */
  search: DoctorClient;
  /** Lodestone's platform API; absent for a remote cluster. */
  platform?: DoctorClient;
  /** Embedding calls slower than this are a warning (default 1000 ms). */
  slowMs?: number;
}

/** "cannot reach …" with the network's reason (ECONNREFUSED, …), or the server's refusal. */
function unreachable(what: string, url: string, err: unknown): string {
  const text = errorText(err);
  if (statusOf(err) !== undefined) return `the ${what} at ${url} refused the request: ${text}`;
  return `cannot reach the ${what} at ${url}: ${/\(([^()]+)\)/.exec(text)?.[1] ?? text}`;
}

async function connect(opts: DoctorOptions) {
  const findings: Finding[] = [];
  let info: Record<string, unknown>;
  try {
    info = await opts.search.json("GET", "/");
  } catch (err) {
    findings.push({
      check: "connection",
      level: "error",
      message: unreachable("search API", opts.search.baseUrl, err),
      fix: "start it (lodestone serve) or pass its URL with --search-url",
    });
    return { findings };
  }
  const version = (info.version ?? {}) as Record<string, unknown>;
  findings.push({
    check: "connection",
    level: "ok",
    message: `search API at ${opts.search.baseUrl}: ${version.distribution ?? "elasticsearch"} ${version.number ?? "?"}${version.build_type === "lodestone" ? " (Lodestone)" : ""}`,
  });
  let platform = opts.platform;
  if (platform) {
    try {
      const health = await platform.json("GET", "/health");
      findings.push({
        check: "connection",
        level: "ok",
        message: `platform API at ${platform.baseUrl}: Lodestone ${health.version ?? "?"}`,
      });
    } catch (err) {
      findings.push({
        check: "connection",
        level: "error",
        message: `${unreachable("platform API", platform.baseUrl, err)}; checking through the search API only`,
        fix: "pass the platform's URL with --url, or only --search-url to check a cluster without the platform",
      });
      platform = undefined;
    }
  }
  return { findings, info, platform };
}

export async function runDoctor(opts: DoctorOptions): Promise<Finding[]> {
  const { findings, info, platform } = await connect(opts);
  if (!info) return findings;
  let state: Awaited<ReturnType<typeof readCluster>>;
  try {
    state = await readCluster(opts.search, info);
  } catch (err) {
    findings.push({
      check: "connection",
      level: "error",
      message: `cannot read the cluster's plugins, mappings, settings and pipelines: ${errorText(err)}`,
      fix: "check that the URL is the search API (port 9200 by default) and that this user may read them",
    });
    return findings;
  }
  const models = new ModelDirectory(opts.search, platform, hasPlugin(state, "opensearch-ml"));
  findings.push(
    ...checkPlugins(state),
    ...checkPipelineRefs(state),
    ...(await checkModelRefs(state, models)),
    ...(await checkDimensions(state, models)),
    ...checkAnalysis(state),
    ...(await checkLatency(state, models, { search: opts.search, platform }, opts.slowMs ?? DEFAULT_SLOW_MS)),
  );
  return findings;
}
