/**
 * Behaviour pushes survive `kill -9`: several clients push batches while the server is killed;
 * after a restart every event the server acknowledged is stored exactly once, and the clients'
 * retries of every batch (acknowledged or not) add nothing twice.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { api, tempDir } from "../helpers/platform.ts";
import { killServer, type ServerProcess, spawnServer } from "../helpers/server-process.ts";

// biome-ignore lint/suspicious/noExplicitAny: API answers are read loosely
type Body = any;

let server: ServerProcess | undefined;
after(async () => {
  if (server) await killServer(server);
});

const USERS = 5;
const batch = (client: number, n: number) =>
  Array.from({ length: 20 }, (_, i) => ({
    event_id: `c${client}-b${n}-e${i}`,
    user_id: `u${(client + i) % USERS}`,
    item_id: `i${(n * 7 + i) % 50}`,
    type: i % 3 ? "click" : "like",
  }));

test("acknowledged behaviours are never lost across kill -9, and retries never duplicate them", async () => {
  const dataDir = tempDir();
  server = await spawnServer(dataDir);
  const instance = (await api<Body>(server.url, "POST", "/v2/instances", {})).body.result.instance_id;
  const acknowledged = new Set<string>();
  const sent: Body[][] = [];
  let stop = false;
  const client = async (c: number) => {
    for (let n = 0; !stop; n++) {
      const events = batch(c, n);
      sent.push(events);
      try {
        const res = await api<Body>(
          (server as ServerProcess).url,
          "POST",
          `/v2/instances/${instance}/behaviors`,
          events,
        );
        if (res.status === 200) for (const a of res.body.result.accepted) acknowledged.add(a.event_id);
      } catch {
        return; // the server is gone
      }
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  while (acknowledged.size < 600) await new Promise((r) => setTimeout(r, 10));
  await killServer(server); // SIGKILL while the clients are still pushing
  stop = true;
  await Promise.all(clients);

  server = await spawnServer(dataDir);
  const stored = async () => {
    const all: Body[] = [];
    for (let u = 0; u < USERS; u++)
      all.push(
        ...(
          await api<Body>(
            (server as ServerProcess).url,
            "GET",
            `/v2/instances/${instance}/behaviors?user_id=u${u}&limit=10000`,
          )
        ).body.result,
      );
    return all;
  };
  const before = await stored();
  const ids = before.map((b) => b.event_id);
  assert.equal(new Set(ids).size, ids.length, "no event twice");
  const have = new Set(ids);
  const lost = [...acknowledged].filter((id) => !have.has(id));
  assert.deepEqual(lost, [], `${lost.length} of ${acknowledged.size} acknowledged events lost`);

  // the clients retry every batch they sent: acknowledged ones are duplicates, the rest land once
  const retry = async (events: Body[]) => {
    const res = await api<Body>(
      (server as ServerProcess).url,
      "POST",
      `/v2/instances/${instance}/behaviors`,
      events,
    );
    assert.equal(res.status, 200);
    for (const a of res.body.result.accepted)
      if (acknowledged.has(a.event_id)) assert.equal(a.duplicate, true);
  };
  for (let i = 0; i < sent.length; i += 8) await Promise.all(sent.slice(i, i + 8).map(retry));
  const afterRetry = await stored();
  assert.equal(afterRetry.length, sent.flat().length, "each sent event exactly once");
});
