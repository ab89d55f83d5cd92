/**
 * "Related" beside a RAG answer: items like the answer's cited chunks, from the recommendation
 * instance whose datasource is the app's index (item-to-item on POST /v2/recommend). Shows
 * nothing when no instance covers the index.
 */
import { json } from "./api.ts";
import { channelBadges, type Recommended } from "./pages/recommend.ts";
import { h } from "./ui.ts";

const instanceByIndex = new Map<string, Promise<string | undefined>>();

function instanceFor(index: string): Promise<string | undefined> {
  let found = instanceByIndex.get(index);
  if (!found) {
    found = json<{ result: { instance_id: string }[] }>(
      "GET",
      `/v2/instances?index=${encodeURIComponent(index)}`,
    )
      .then((r) => r.result[0]?.instance_id)
      .catch(() => undefined);
    instanceByIndex.set(index, found);
  }
  return found;
}

/** A section that fills itself once the related items are known (and stays empty otherwise). */
export function relatedPanel(index: string | undefined, items: string[], size = 4): HTMLElement {
  const section = h("section", { class: "related", "aria-label": "Related" });
  if (!index || items.length === 0) return section;
  void (async () => {
    const instance = await instanceFor(index);
    if (!instance) return;
    const answer = await json<{ result: Recommended[] }>("POST", "/v2/recommend", {
      instance_id: instance,
      items,
      size,
    }).catch(() => undefined);
    if (!answer?.result.length) return;
    section.replaceChildren(
      h("h3", {}, "Related"),
      h(
        "ul",
        {},
        ...answer.result.map((r) =>
          h(
            "li",
            {},
            h("span", {}, r.title ?? r.item_id),
            " ",
            h("span", { class: "muted" }, r.category ?? ""),
            " ",
            channelBadges(r),
          ),
        ),
      ),
    );
  })();
  return section;
}
