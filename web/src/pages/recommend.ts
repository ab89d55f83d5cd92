/**
 * Recommendations (docs/recommend.md): pick an instance and a user, see what they did (their
 * behaviours) beside what they are recommended, with a badge per recall channel and the reason.
 * `#/recommend/<instance>/<user>` opens one directly.
 */
import { json } from "../api.ts";
import { busy, field, formatNumber, h, pageHeader, select, setOptions, table } from "../ui.ts";

interface Instance {
  instance_id: string;
  name: string;
}
interface User {
  user_id: string;
  behaviors: number;
  last_at: number;
}
interface Behavior {
  item_id: string;
  type: string;
  value: number;
  at: number;
  source: string;
}
export interface Recommended {
  item_id: string;
  title: string | null;
  category: string | null;
  score: number;
  channels: { channel: string; score: number }[];
  why: string;
}

/** One badge per channel that recalled the item, strongest first. */
export function channelBadges(item: Recommended): HTMLElement {
  return h(
    "span",
    { class: "row" },
    ...item.channels.map((c) =>
      h(
        "span",
        {
          class: `badge${c.channel === "explore" ? " yellow" : ""}`,
          title: `${c.channel}: ${formatNumber(c.score, 3)}`,
        },
        c.channel,
      ),
    ),
  );
}

const when = (ms: number) => new Date(ms).toISOString().replace("T", " ").slice(0, 19);

export async function recommendPage(root: HTMLElement, params: string[], signal: AbortSignal): Promise<void> {
  const instances = (await json<{ result: Instance[] }>("GET", "/v2/instances", undefined, { signal }))
    .result;
  root.append(
    pageHeader(
      "Recommendations",
      "What a user did and what they are recommended, with the recall channels behind each item.",
    ),
  );
  if (instances.length === 0) {
    root.append(
      h(
        "p",
        { class: "empty" },
        "No recommendation instance yet: create one with POST /v2/instances (docs/recommend.md).",
      ),
    );
    return;
  }
  const [wantInstance, wantUser] = params;
  const instance = select(
    instances.map((i) => ({
      value: i.instance_id,
      label: i.name === i.instance_id ? i.instance_id : `${i.name} (${i.instance_id})`,
    })),
    wantInstance,
    { name: "instance" },
  );
  const user = h("input", {
    name: "user",
    list: "rec-users",
    autocomplete: "off",
    required: true,
    value: wantUser ?? "",
  });
  const users = h("datalist", { id: "rec-users" });
  const size = h("input", { name: "size", type: "number", min: 1, max: 50, value: 10 });
  const explore = select(
    [{ value: "", label: "off" }, { value: "epsilon_greedy" }, { value: "thompson" }, { value: "ucb" }],
    "",
    { name: "explore" },
  );
  const button = h("button", { type: "submit" }, "Recommend");
  const out = h("div", { role: "status" });
  const history = h("section", { "aria-label": "History" });
  const recs = h("section", { "aria-label": "Recommendations" });
  const form = h(
    "form",
    { class: "stack" },
    h(
      "div",
      { class: "row" },
      field("Instance", instance),
      field("User", user, "users who acted lately are suggested"),
      field("How many", size),
      field("Exploration", explore),
    ),
    users,
    h("div", { class: "row" }, button),
  );
  root.append(form, out, h("div", { class: "columns" }, history, recs));

  const loadUsers = async () => {
    const list = (
      await json<{ result: User[] }>("GET", `/v2/instances/${instance.value}/users?limit=200`, undefined, {
        signal,
      })
    ).result;
    setOptions(
      users as unknown as HTMLSelectElement,
      list.map((u) => ({ value: u.user_id, label: `${u.behaviors} behaviours` })),
    );
    if (!user.value && list[0]) user.value = list[0].user_id;
  };
  const show = async () => {
    location.replace(`#/recommend/${encodeURIComponent(instance.value)}/${encodeURIComponent(user.value)}`);
    const [done, answer] = await Promise.all([
      json<{ result: Behavior[] }>(
        "GET",
        `/v2/instances/${instance.value}/behaviors?user_id=${encodeURIComponent(user.value)}&limit=50`,
        undefined,
        { signal },
      ),
      json<{ result: Recommended[]; trace_id: string }>(
        "POST",
        "/v2/recommend",
        {
          instance_id: instance.value,
          user_id: user.value,
          size: Number(size.value) || 10,
          ...(explore.value && { explore: { strategy: explore.value } }),
        },
        { signal },
      ),
    ]);
    history.replaceChildren(
      h("h2", {}, "History"),
      table(
        [
          { label: "item", cell: (b) => h("code", {}, b.item_id) },
          {
            label: "behaviour",
            cell: (b) =>
              h(
                "span",
                { class: `badge${b.type === "dislike" ? " red" : b.type === "expose" ? "" : " green"}` },
                b.type,
              ),
          },
          { label: "value", cell: (b) => b.value, numeric: true },
          { label: "from", cell: (b) => b.source },
          { label: "when", cell: (b) => when(b.at) },
        ],
        done.result,
        `Behaviours of ${user.value}, newest first`,
        "No behaviours: the recommendations come from popular items and exploration.",
      ),
    );
    recs.replaceChildren(
      h("h2", {}, "Recommended"),
      table(
        [
          { label: "#", cell: (r) => answer.result.indexOf(r) + 1, numeric: true },
          {
            label: "item",
            cell: (r) => [r.title ? h("strong", {}, r.title) : null, " ", h("code", {}, r.item_id)],
          },
          { label: "channels", cell: channelBadges },
          { label: "why", cell: (r) => r.why },
          { label: "score", cell: (r) => formatNumber(r.score, 3), numeric: true },
        ],
        answer.result,
        `Recommendations for ${user.value} (trace ${answer.trace_id})`,
        "Nothing to recommend yet: push behaviours or add a datasource.",
      ),
    );
  };
  instance.addEventListener("change", () => void loadUsers());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(button, out, show);
  });
  await loadUsers();
  if (user.value) await busy(button, out, show);
}
