/**
 * Models and endpoints (docs/models.md, docs/serving.md): the registry and the endpoints serving
 * it, with deploy, stop and start.
 */
import { json } from "../api.ts";
import { busy, errorBox, formatTime, h, pageHeader, poll, table } from "../ui.ts";

interface Model {
  model_id: string;
  model_name: string;
  version: number;
  kind: string;
  source: string;
  builtin: boolean;
  dimension: number | null;
  created: number;
}

interface Endpoint {
  endpoint_id: string;
  model_id: string;
  status: string;
  replicas: number;
  reason: string | null;
  updated_at: string;
}

/** A button that runs one API call, then refreshes the page's tables. */
function action(
  label: string,
  accessibleName: string,
  out: HTMLElement,
  call: () => Promise<unknown>,
  refresh: () => Promise<unknown>,
) {
  const button = h("button", { type: "button", class: "small", "aria-label": accessibleName }, label);
  button.addEventListener("click", () =>
    busy(button, out, async () => {
      await call();
      await refresh();
    }),
  );
  return button;
}

export function modelsPage(root: HTMLElement, _params: string[], signal: AbortSignal): void {
  const models = h("div");
  const endpoints = h("div");
  const out = h("div", { role: "status" });
  root.append(
    pageHeader(
      "Models and endpoints",
      "Registered models (lodestone models register) and the endpoints serving them.",
    ),
    out,
    h("h2", {}, "Endpoints"),
    endpoints,
    h("h2", {}, "Models"),
    models,
  );
  let afterAction = () => {};
  /** Redraws both tables; true while an endpoint is still changing state. */
  const refresh = async (): Promise<boolean> => {
    const [m, e] = await Promise.all([
      json<{ data: Model[] }>("GET", "/v1/models", undefined, { signal }),
      json<{ data: Endpoint[] }>("GET", "/v1/endpoints", undefined, { signal }),
    ]);
    const names = new Map(m.data.map((x) => [x.model_id, x.model_name]));
    endpoints.replaceChildren(
      table(
        [
          { label: "endpoint", cell: (x) => h("code", {}, x.endpoint_id) },
          { label: "model", cell: (x) => `${names.get(x.model_id) ?? ""} (${x.model_id})` },
          { label: "status", cell: (x) => h("span", { class: `badge ${x.status.toLowerCase()}` }, x.status) },
          { label: "replicas", cell: (x) => x.replicas, numeric: true },
          { label: "reason", cell: (x) => x.reason ?? "" },
          { label: "updated", cell: (x) => formatTime(x.updated_at) },
          {
            label: "actions",
            cell: (x) =>
              x.status === "Stopped" || x.status === "Failed"
                ? action(
                    "Start",
                    `Start ${x.endpoint_id}`,
                    out,
                    () => json("POST", `/v1/endpoints/${x.endpoint_id}/start`),
                    refreshAfterAction,
                  )
                : action(
                    "Stop",
                    `Stop ${x.endpoint_id}`,
                    out,
                    () => json("POST", `/v1/endpoints/${x.endpoint_id}/stop`),
                    refreshAfterAction,
                  ),
          },
        ],
        e.data,
        "Endpoints",
        "No endpoints. Deploy a model below.",
      ),
    );
    models.replaceChildren(
      table(
        [
          { label: "model", cell: (x) => h("code", {}, x.model_id) },
          { label: "name", cell: (x) => `${x.model_name} v${x.version}` },
          { label: "kind", cell: (x) => x.kind },
          { label: "dimension", cell: (x) => x.dimension ?? "", numeric: true },
          { label: "source", cell: (x) => x.source },
          { label: "created", cell: (x) => new Date(x.created * 1000).toLocaleString() },
          {
            label: "actions",
            cell: (x) =>
              action(
                "Deploy",
                `Deploy ${x.model_name}`,
                out,
                () => json("POST", "/v1/endpoints", { model_id: x.model_id }),
                refreshAfterAction,
              ),
          },
        ],
        m.data,
        "Models",
        "No models registered.",
      ),
    );
    return e.data.some((x) => x.status === "Creating");
  };
  const refreshAfterAction = async () => afterAction();
  // endpoints change state on their own (Creating → Running): watch while any is changing; the
  // tables are not redrawn otherwise, so keyboard focus stays where it is
  const watch = () =>
    poll(signal, 1500, async () => {
      try {
        return await refresh();
      } catch (err) {
        out.replaceChildren(errorBox(err));
        return false;
      }
    });
  afterAction = watch;
  watch();
}
