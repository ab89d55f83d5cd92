/**
 * A `_bulk` load (new documents, and now and then deletes of acknowledged ones) that a kill may
 * interrupt, and its check after the restart: every acknowledged index is there once, every
 * acknowledged delete is gone, the batch in flight at the kill is all there or all absent, and
 * `_count`, `_search` totals and a query that matches every document agree.
 */
import assert from "node:assert/strict";
import { api } from "../helpers/platform.ts";
import type { ServerProcess } from "../helpers/server-process.ts";
import type { FaultScenario, Random } from "./cycles.ts";

interface Batch {
  index: string[];
  del: string[];
}

export interface BulkLoadOptions {
  name: string;
  index: string;
  /** The index's settings and mappings (PUT /<index>). */
  create: unknown;
  batch: number;
  source: (n: number) => Record<string, unknown>;
  /** A query every document matches (checks that the inverted index agrees with the store). */
  everyDoc: unknown;
  setup?: (server: ServerProcess) => Promise<void>;
  ready?: (server: ServerProcess) => Promise<void>;
  /** Further checks on a sample of present ids. */
  sample?: (server: ServerProcess, ids: string[]) => Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: ES response bodies are read loosely
type Body = any;

const CHUNK = 2000;

async function postBulk(url: string, body: string): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${url}/_bulk`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, body: await res.json() };
}

export function bulkLoad(opts: BulkLoadOptions): FaultScenario {
  const present = new Set<string>();
  const absent = new Set<string>();
  let uncertain: Batch[] = [];
  let next = 0;
  let random: Random = Math.random;

  const makeBatch = (): { batch: Batch; body: string } => {
    const batch: Batch = { index: [], del: [] };
    let body = "";
    for (let i = 0; i < opts.batch; i++) {
      const n = next++;
      const id = `d${n}`;
      batch.index.push(id);
      body += `${JSON.stringify({ index: { _index: opts.index, _id: id } })}\n${JSON.stringify(opts.source(n))}\n`;
    }
    if (next % (opts.batch * 4) < opts.batch && present.size > 10) {
      const pool = [...present];
      for (let k = 0; k < 5; k++) {
        const id = pool[Math.floor(random() * pool.length)] as string;
        if (batch.del.includes(id)) continue;
        batch.del.push(id);
        body += `${JSON.stringify({ delete: { _index: opts.index, _id: id } })}\n`;
      }
    }
    return { batch, body };
  };

  const countIds = async (url: string, ids: string[]): Promise<number> => {
    let total = 0;
    for (let i = 0; i < ids.length; i += CHUNK) {
      const res = await api<Body>(url, "POST", `/${opts.index}/_count`, {
        query: { ids: { values: ids.slice(i, i + CHUNK) } },
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      total += res.body.count;
    }
    return total;
  };

  return {
    name: opts.name,
    async setup(server) {
      await opts.setup?.(server);
      const created = await api(server.searchUrl, "PUT", `/${opts.index}`, opts.create);
      assert.equal(created.status, 200, JSON.stringify(created.body));
    },
    ready: opts.ready,
    async load(server, stop, rnd) {
      random = rnd;
      while (!stop.aborted) {
        const { batch, body } = makeBatch();
        let res: { status: number; body: Body };
        try {
          res = await postBulk(server.searchUrl, body);
        } catch {
          uncertain.push(batch); // sent, no answer: the kill landed inside this bulk
          return true;
        }
        assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
        assert.equal(
          res.body.errors,
          false,
          JSON.stringify(res.body.items.find((i: Body) => i.index?.error ?? i.delete?.error)),
        );
        for (const id of batch.index) {
          present.add(id);
          absent.delete(id);
        }
        for (const id of batch.del) {
          present.delete(id);
          absent.add(id);
        }
      }
      return false;
    },
    async verify(server) {
      const url = server.searchUrl;
      // an unanswered batch is one transaction: all of it committed or none
      for (const batch of uncertain) {
        const found = await countIds(url, batch.index);
        assert.ok(
          found === 0 || found === batch.index.length,
          `${found} of ${batch.index.length} documents of the batch in flight at the kill are there: a torn bulk`,
        );
        const committed = found > 0;
        const stillThere = await countIds(url, batch.del);
        assert.equal(
          stillThere,
          committed ? 0 : batch.del.length,
          "the in-flight batch's deletes disagree with its indexes",
        );
        for (const id of batch.index) (committed ? present : absent).add(id);
        for (const id of batch.del) {
          if (committed) {
            present.delete(id);
            absent.add(id);
          }
        }
      }
      uncertain = [];
      const ids = [...present];
      assert.equal(await countIds(url, ids), ids.length, "acknowledged documents missing (or present twice)");
      assert.equal(await countIds(url, [...absent]), 0, "acknowledged deletes came back");
      const count = await api<Body>(url, "GET", `/${opts.index}/_count`);
      assert.equal(count.body.count, ids.length, "_count differs from the acknowledged documents");
      const total = await api<Body>(url, "POST", `/${opts.index}/_search`, {
        size: 0,
        track_total_hits: true,
        query: { match_all: {} },
      });
      assert.equal(total.body.hits.total.value, ids.length, "_search total differs from _count");
      const every = await api<Body>(url, "POST", `/${opts.index}/_count`, { query: opts.everyDoc });
      assert.equal(every.body.count, ids.length, "the inverted index disagrees with the store");
      // no document twice among the newest hits
      const newest = ids.slice(-200);
      const hits = await api<Body>(url, "POST", `/${opts.index}/_search`, {
        size: newest.length,
        _source: false,
        query: { ids: { values: newest } },
      });
      const got = hits.body.hits.hits.map((h: Body) => h._id as string);
      assert.equal(new Set(got).size, got.length, "a document is returned twice");
      assert.equal(got.length, newest.length);
      const sample = Array.from(
        { length: Math.min(10, ids.length) },
        () => ids[Math.floor(random() * ids.length)] as string,
      );
      await opts.sample?.(server, sample);
      return present.size + absent.size;
    },
  };
}
