/**
 * Behaviour pushes to the recommender (`POST /v2/instances/{id}/behaviors`) that a kill
 * interrupts. After the restart every acknowledged event is stored exactly once, and the push in
 * flight at the kill (one transaction) is all there or all absent.
 */
import assert from "node:assert/strict";
import { api } from "../helpers/platform.ts";
import type { ServerProcess } from "../helpers/server-process.ts";
import type { FaultScenario } from "./cycles.ts";

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Body = any;

const USERS_PER_CYCLE = 4;
const BATCH = 50;

export function behaviorLoad(): FaultScenario {
  let instance = "";
  const acked = new Set<string>();
  let inFlight: string[] = [];
  const users: string[] = [];

  const stored = async (server: ServerProcess): Promise<string[]> => {
    const all: string[] = [];
    for (const user of users) {
      const res = await api<Body>(
        server.url,
        "GET",
        `/v2/instances/${instance}/behaviors?user_id=${user}&limit=10000`,
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.ok(res.body.result.length < 10000, "raise the users per cycle: a listing hit its limit");
      all.push(...res.body.result.map((b: Body) => b.event_id as string));
    }
    return all;
  };

  return {
    name: "behaviour pushes",
    async setup(server) {
      const created = await api<Body>(server.url, "POST", "/v2/instances", {});
      assert.ok(
        [200, 201].includes(created.status),
        `the recommender's routes are missing: ${JSON.stringify(created.body)}`,
      );
      instance = created.body.result.instance_id;
    },
    async load(server, stop, random, cycle) {
      for (let u = 0; u < USERS_PER_CYCLE; u++) users.push(`u${cycle}-${u}`);
      for (let n = 0; !stop.aborted; n++) {
        const events = Array.from({ length: BATCH }, (_, i) => ({
          event_id: `c${cycle}-b${n}-e${i}`,
          user_id: `u${cycle}-${i % USERS_PER_CYCLE}`,
          item_id: `i${Math.floor(random() * 200)}`,
          type: i % 3 ? "click" : "like",
        }));
        try {
          const res = await api<Body>(server.url, "POST", `/v2/instances/${instance}/behaviors`, events);
          assert.equal(res.status, 200, JSON.stringify(res.body));
          assert.equal(res.body.result.accepted.length, BATCH, JSON.stringify(res.body.result.rejected));
          for (const a of res.body.result.accepted) acked.add(a.event_id);
        } catch (err) {
          if (!(err instanceof TypeError)) throw err;
          inFlight = events.map((e) => e.event_id);
          return true;
        }
      }
      return false;
    },
    async verify(server) {
      const ids = await stored(server);
      assert.equal(new Set(ids).size, ids.length, "an event is stored twice");
      const have = new Set(ids);
      const lost = [...acked].filter((id) => !have.has(id));
      assert.deepEqual(lost.slice(0, 5), [], `${lost.length} of ${acked.size} acknowledged events lost`);
      const landed = inFlight.filter((id) => have.has(id)).length;
      assert.ok(
        landed === 0 || landed === inFlight.length,
        `${landed} of ${inFlight.length} in-flight events stored: a torn push`,
      );
      for (const id of inFlight) if (have.has(id)) acked.add(id);
      inFlight = [];
      assert.equal(ids.length, acked.size, "events stored that were never pushed");
      return acked.size;
    },
  };
}
