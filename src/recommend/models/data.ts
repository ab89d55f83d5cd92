// Turning behaviour events into the dense typed-array form every trainer consumes.
import type { InteractionData, InteractionEvent } from "./types.ts";

/** Dense user/item indices in first-seen order; events kept in input order. */
export function buildInteractionData(events: Iterable<InteractionEvent>): InteractionData {
  const userIx = new Map<string, number>();
  const itemIx = new Map<string, number>();
  const userIds: string[] = [];
  const itemIds: string[] = [];
  let cap = 1024;
  let n = 0;
  let user = new Int32Array(cap);
  let item = new Int32Array(cap);
  let weight = new Float32Array(cap);
  let at = new Float64Array(cap);
  for (const e of events) {
    if (n === cap) {
      cap *= 2;
      user = grow(user, new Int32Array(cap));
      item = grow(item, new Int32Array(cap));
      weight = grow(weight, new Float32Array(cap));
      at = grow(at, new Float64Array(cap));
    }
    let u = userIx.get(e.user);
    if (u === undefined) {
      u = userIds.length;
      userIx.set(e.user, u);
      userIds.push(e.user);
    }
    let i = itemIx.get(e.item);
    if (i === undefined) {
      i = itemIds.length;
      itemIx.set(e.item, i);
      itemIds.push(e.item);
    }
    user[n] = u;
    item[n] = i;
    weight[n] = Number.isFinite(e.weight) && e.weight > 0 ? e.weight : 0;
    at[n] = e.at;
    n++;
  }
  return {
    userIds,
    itemIds,
    user: user.slice(0, n),
    item: item.slice(0, n),
    weight: weight.slice(0, n),
    at: at.slice(0, n),
  };
}

function grow<T extends Int32Array | Float32Array | Float64Array>(old: T, next: T): T {
  next.set(old);
  return next;
}
