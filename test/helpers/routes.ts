/** Route enumeration for tests that must cover every route of a server (auth, scopes). */
import type { FastifyInstance } from "fastify";

/** Every route and method of the app, from `printRoutes`, with its parameters filled in. */
export function allRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  const out: Array<{ method: string; url: string }> = [];
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const match = /^([│├└─\s]*?)([^│├└─\s]\S*)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = (match[1] as string).length / 4 - 1;
    const segment = match[2] as string;
    const parent = parents[depth - 1] ?? "";
    // the root route "/" is every other route's parent: its children must not start with "//"
    const full =
      depth === 0
        ? segment
        : `${parent === "/" ? "" : parent}${segment.startsWith("/") ? "" : "/"}${segment}`;
    parents[depth] = full;
    parents.length = depth + 1;
    const url = full.replace(/:[A-Za-z_]+/g, "x1").replace(/\*$/, "some/key");
    for (const method of (match[3] ?? "").split(", ").filter(Boolean)) out.push({ method, url });
  }
  return out;
}
