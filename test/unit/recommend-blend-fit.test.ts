/** The learned blend: weights fitted on each user's latest behaviours, or the defaults when too few users. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { fitInstanceBlend, MIN_BLEND_USERS } from "../../src/recommend/blend-fit.ts";
import type { InteractionEvent } from "../../src/recommend/models/types.ts";

/**
 * Users in two taste groups (items a* or b*), each acting on 8 items of their group over time,
 * plus a globally popular item everyone saw first: what a user does next is their group's items,
 * which item_cf predicts and popularity does not.
 */
function events(users: number): InteractionEvent[] {
  const out: InteractionEvent[] = [];
  for (let u = 0; u < users; u++) {
    const group = u % 2 === 0 ? "a" : "b";
    out.push({ user: `u${u}`, item: "hit", weight: 1, at: 0 });
    for (let t = 0; t < 8; t++)
      out.push({ user: `u${u}`, item: `${group}${(u + t) % 10}`, weight: 1, at: (t + 1) * 1000 });
    out.push({ user: `u${u}`, item: "disliked", weight: 0, at: 9000 });
  }
  return out;
}

test("weights are fitted on the held-out users and favour the channel that predicts them", () => {
  const fitted = fitInstanceBlend(events(60), ["popular", "item_cf"], { now: 10_000, seed: 1 });
  assert.ok(!("skipped" in fitted), JSON.stringify(fitted));
  if ("skipped" in fitted) return;
  assert.equal(fitted.users, 60);
  assert.deepEqual(Object.keys(fitted.weights).sort(), ["item_cf", "popular"]);
  assert.ok((fitted.weights.item_cf ?? 0) > 0);
  assert.equal(Math.max(...Object.values(fitted.weights)), 1, "scaled so the heaviest is 1");
  assert.ok((fitted.single.item_cf ?? 0) > (fitted.single.popular ?? 0), JSON.stringify(fitted.single));
  // the search starts from the best single channel: the blend is never worse than it
  assert.ok(fitted.validation_ndcg >= (fitted.single.item_cf ?? 0) - 1e-9);
});

test("with fewer users than the minimum the defaults stay", () => {
  const fitted = fitInstanceBlend(events(MIN_BLEND_USERS - 1), ["popular", "item_cf"], {
    now: 10_000,
    seed: 1,
  });
  assert.ok("skipped" in fitted);
  assert.match(fitted.skipped, /19 users have 5 or more positive behaviours/);
});
