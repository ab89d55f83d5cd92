/**
 * Mixed traffic and the open-loop driver: requests leave at fixed times (`i / rps` after the
 * start) whether or not earlier ones have answered, and latency counts from the scheduled time,
 * so a stalled server shows as latency instead of as a lower request rate (no coordinated
 * omission). Any non-2xx answer, network error or timeout is an error.
 */
import { mulberry32 } from "../../src/models/training/random.ts";
import type { Target } from "./setup.ts";

export interface Request {
  method: string;
  url: string;
  body?: string;
  contentType?: string;
}

export interface RouteSpec {
  name: string;
  /** Share of the traffic, in percent. */
  weight: number;
  make(i: number, random: () => number): Request;
}

export interface Sample {
  route: string;
  /** From the scheduled send time to the end of the answer's body. */
  ms: number;
  ok: boolean;
  /** The HTTP status, or "timeout" / "network". */
  outcome: string;
}

const pick = <T>(xs: readonly T[], random: () => number): T => xs[Math.floor(random() * xs.length)] as T;

/** The route mix of issue 11: search 60 % (BM25, neural, hybrid), RAG 10 %, recommend 15 %, behaviours 10 %, bulk 5 %. */
export function routeMix(
  t: Target,
  urls: { api: string; search: string },
  questions: string[],
  run: number,
): RouteSpec[] {
  const json = (method: string, url: string, body: unknown): Request => ({
    method,
    url,
    body: JSON.stringify(body),
    contentType: "application/json",
  });
  const neural = (q: string) => ({
    neural: { [t.vectorField]: { query_text: q, model_id: t.modelId, k: 10 } },
  });
  const match = (q: string) => ({ match: { [t.textField]: q } });
  // as clients of a vector index do (and RAG retrieval does): hits without their 768 floats
  const hitSource = { excludes: [t.vectorField] };
  return [
    {
      name: "search bm25",
      weight: 35,
      make: (_i, r) =>
        json("POST", `${urls.search}/${t.index}/_search`, {
          size: 10,
          _source: hitSource,
          query: match(pick(questions, r)),
        }),
    },
    {
      name: "search neural",
      weight: 15,
      make: (_i, r) =>
        json("POST", `${urls.search}/${t.index}/_search`, {
          size: 10,
          _source: hitSource,
          query: neural(pick(questions, r)),
        }),
    },
    {
      name: "search hybrid",
      weight: 10,
      make: (_i, r) => {
        const q = pick(questions, r);
        return json("POST", `${urls.search}/${t.index}/_search?search_pipeline=${t.hybridPipeline}`, {
          size: 10,
          _source: hitSource,
          query: { hybrid: { queries: [match(q), neural(q)] } },
        });
      },
    },
    {
      name: "rag ask bm25",
      weight: 7,
      make: (_i, r) =>
        json("POST", `${urls.api}/v1/rag/apps/${t.bm25App}/chat`, { query: pick(questions, r) }),
    },
    {
      name: "rag ask hybrid",
      weight: 3,
      make: (_i, r) =>
        json("POST", `${urls.api}/v1/rag/apps/${t.hybridApp}/chat`, { query: pick(questions, r) }),
    },
    {
      name: "recommend",
      weight: 15,
      make: (i, r) =>
        json("POST", `${urls.api}/v2/recommend`, {
          instance_id: t.instance,
          // one in ten is a user the model has never seen (popular and exploration answer)
          user_id: r() < 0.1 ? `new-${run}-${i}` : pick(t.users, r),
          size: 10,
        }),
    },
    {
      name: "behaviors push",
      weight: 10,
      make: (i, r) =>
        json("POST", `${urls.api}/v2/instances/${t.instance}/behaviors`, {
          behaviors: Array.from({ length: 1 + Math.floor(r() * 5) }, (_, k) => ({
            event_id: `load-${run}-${i}-${k}`,
            user_id: pick(t.users, r),
            item_id: pick(t.items, r),
            type: r() < 0.7 ? "click" : "like",
          })),
        }),
    },
    {
      name: "bulk",
      weight: 5,
      make: (i) => ({
        method: "POST",
        url: `${urls.search}/load-bulk/_bulk`,
        contentType: "application/x-ndjson",
        body: Array.from(
          { length: 10 },
          (_, k) =>
            `{"index":{"_id":"${run}-${i}-${k}"}}\n${JSON.stringify({ title: `doc ${i}.${k}`, content: questions[(i + k) % questions.length] })}\n`,
        ).join(""),
      }),
    },
  ];
}

export interface LoadOptions {
  rps: number;
  seconds: number;
  timeoutMs: number;
  seed: number;
  /** Request ids are `<prefix>-<n>`, so a slow request can be found in the server's log. */
  idPrefix: string;
}

export interface LoadResult {
  samples: Sample[];
  wallSeconds: number;
  /** How late the driver sent its latest request (ms): a large value means the client, not the server, fell behind. */
  maxSendLagMs: number;
}

async function send(req: Request, id: string, timeoutMs: number): Promise<{ ok: boolean; outcome: string }> {
  try {
    const res = await fetch(req.url, {
      method: req.method,
      headers: { "x-request-id": id, ...(req.contentType && { "content-type": req.contentType }) },
      body: req.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { ok: res.ok, outcome: String(res.status) };
  } catch (err) {
    const name = (err as Error).name;
    return { ok: false, outcome: name === "TimeoutError" || name === "AbortError" ? "timeout" : "network" };
  }
}

export async function openLoop(routes: RouteSpec[], opts: LoadOptions): Promise<LoadResult> {
  const random = mulberry32(opts.seed);
  const totalWeight = routes.reduce((s, r) => s + r.weight, 0);
  const chooseRoute = () => {
    let x = random() * totalWeight;
    for (const r of routes) if ((x -= r.weight) < 0) return r;
    return routes[routes.length - 1] as RouteSpec;
  };
  const total = Math.round(opts.rps * opts.seconds);
  const interval = 1000 / opts.rps;
  const samples: Sample[] = [];
  const inFlight: Promise<void>[] = [];
  let maxSendLagMs = 0;
  const start = performance.now() + 20;
  let next = 0;
  const fire = (i: number, scheduled: number) => {
    const route = chooseRoute();
    const req = route.make(i, random);
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - scheduled);
    inFlight.push(
      send(req, `${opts.idPrefix}-${i}`, opts.timeoutMs).then(({ ok, outcome }) => {
        samples.push({ route: route.name, ms: performance.now() - scheduled, ok, outcome });
      }),
    );
  };
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * interval <= now) {
        fire(next, start + next * interval);
        next++;
      }
      if (next >= total) resolve();
      else setTimeout(tick, Math.max(0, start + next * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  return { samples, wallSeconds: (performance.now() - start) / 1000, maxSendLagMs };
}
