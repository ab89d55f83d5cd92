/**
 * The quickstart's search demo: the project's docs, split into sections at their headings, indexed
 * into the Elasticsearch-compatible engine with the seed workflow's settings (BM25, the synonym
 * "ai, artificial intelligence"), then searched with a bool query that boosts titles.
 */
import fs from "node:fs";
import path from "node:path";
import type { ApiClient } from "./client.ts";

export const DEMO_INDEX = "lodestone-docs";

export interface DocSection {
  id: string;
  file: string;
  title: string;
  content: string;
}

export interface DemoHit {
  id: string;
  score: number;
  file: string;
  title: string;
  highlight: string | undefined;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-|-$/g, "");

/** Each Markdown file's sections (a heading and the text up to the next heading). */
export function markdownSections(dir: string): DocSection[] {
  const sections: DocSection[] = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()) {
    let title = file;
    let lines: string[] = [];
    const flush = () => {
      const content = lines.join("\n").trim();
      if (content) sections.push({ id: `${file}#${slug(title)}-${sections.length}`, file, title, content });
      lines = [];
    };
    let fenced = false;
    for (const line of fs.readFileSync(path.join(dir, file), "utf8").split("\n")) {
      if (line.startsWith("```")) fenced = !fenced;
      const heading = fenced ? null : /^#{1,3}\s+(.*)$/.exec(line);
      if (heading) {
        flush();
        title = (heading[1] as string).trim();
      } else lines.push(line);
    }
    flush();
  }
  return sections;
}

const INDEX_BODY = {
  settings: {
    "index.similarity.default.type": "BM25",
    analysis: {
      filter: { demo_synonyms: { type: "synonym_graph", synonyms: ["ai, artificial intelligence"] } },
      analyzer: {
        docs_search: { tokenizer: "standard", filter: ["lowercase", "stop", "demo_synonyms", "porter_stem"] },
        docs_index: { tokenizer: "standard", filter: ["lowercase", "stop", "porter_stem"] },
      },
    },
  },
  mappings: {
    properties: {
      file: { type: "keyword" },
      title: { type: "text", analyzer: "docs_index", search_analyzer: "docs_search" },
      content: { type: "text", analyzer: "docs_index", search_analyzer: "docs_search" },
    },
  },
};

/** (Re)creates the demo index and bulk-loads the sections; returns how many were indexed. */
export async function indexSections(search: ApiClient, sections: DocSection[]): Promise<number> {
  if ((await search.send("HEAD", `/${DEMO_INDEX}`).catch(() => undefined))?.ok) {
    await search.json("DELETE", `/${DEMO_INDEX}`);
  }
  await search.json("PUT", `/${DEMO_INDEX}`, { body: INDEX_BODY });
  const ndjson = sections
    .flatMap(({ id, ...doc }) => [JSON.stringify({ index: { _id: id } }), JSON.stringify(doc)])
    .join("\n");
  const result = await search.json<{ errors: boolean; items: unknown[] }>("POST", `/${DEMO_INDEX}/_bulk`, {
    rawBody: `${ndjson}\n`,
    contentType: "application/x-ndjson",
    query: { refresh: "true" },
  });
  if (result.errors) throw new Error(`indexing the docs failed: ${JSON.stringify(result.items.slice(0, 2))}`);
  return result.items.length;
}

/** A bool query with tuned per-clause boosts, as the seed workflow describes. */
export async function searchSections(search: ApiClient, text: string, size = 5): Promise<DemoHit[]> {
  const body = {
    size,
    query: {
      bool: {
        should: [
          { match: { title: { query: text, boost: 2 } } },
          { match: { content: { query: text, boost: 1 } } },
          { match_phrase: { content: { query: text, slop: 2, boost: 3 } } },
        ],
      },
    },
    _source: ["file", "title"],
    // a terminal shows «marks» better than <em> tags
    highlight: {
      pre_tags: ["«"],
      post_tags: ["»"],
      fields: { content: { fragment_size: 80, number_of_fragments: 1 } },
    },
  };
  interface Hit {
    _id: string;
    _score: number;
    _source: { file: string; title: string };
    highlight?: { content?: string[] };
  }
  const result = await search.json<{ hits: { hits: Hit[] } }>("POST", `/${DEMO_INDEX}/_search`, { body });
  return result.hits.hits.map((h) => ({
    id: h._id,
    score: h._score,
    file: h._source.file,
    title: h._source.title,
    highlight: h.highlight?.content?.[0],
  }));
}
