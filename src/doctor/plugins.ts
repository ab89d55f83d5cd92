/** Check 1: the plugins neural search needs are installed on every node. */
import type { ClusterState } from "./cluster.ts";
import type { Finding } from "./findings.ts";

export const REQUIRED_PLUGINS = ["opensearch-knn", "opensearch-neural-search", "opensearch-ml"] as const;

const WHY: Record<(typeof REQUIRED_PLUGINS)[number], string> = {
  "opensearch-knn": "knn_vector fields and knn queries",
  "opensearch-neural-search": "text_embedding processors, neural and hybrid queries, rerank",
  "opensearch-ml": "the models those call",
};

export function checkPlugins(state: ClusterState): Finding[] {
  const nodes = [...new Set(state.plugins.map((p) => p.name))];
  const findings: Finding[] = [];
  for (const plugin of REQUIRED_PLUGINS) {
    const having = new Set(state.plugins.filter((p) => p.component === plugin).map((p) => p.name));
    if (having.size > 0 && having.size === nodes.length) continue;
    const lacking = nodes.filter((n) => !having.has(n));
    const where = having.size === 0 ? "is not installed" : `is missing on node(s) [${lacking.join(", ")}]`;
    findings.push({
      check: "plugins",
      level: "error",
      message: `plugin ${plugin} ${where}; it provides ${WHY[plugin]}`,
      fix: state.lodestone
        ? "start the engine with the model service: lodestone serve (an engine started on its own has only opensearch-knn)"
        : `install it on every node (bin/opensearch-plugin install ${plugin}, then restart the node), or use a distribution that bundles it (the default OpenSearch distribution)`,
      details: { plugin, nodes: lacking.length ? lacking : nodes },
    });
  }
  if (findings.length) return findings;
  const versions = REQUIRED_PLUGINS.map((plugin) =>
    `${plugin} ${state.plugins.find((p) => p.component === plugin)?.version ?? ""}`.trim(),
  );
  return [{ check: "plugins", level: "ok", message: `installed: ${versions.join(", ")}` }];
}

export function hasPlugin(state: ClusterState, plugin: string): boolean {
  return state.plugins.some((p) => p.component === plugin);
}
