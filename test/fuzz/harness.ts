/**
 * Shared pieces of the fuzz suites (test/fuzz): the seed, a time-bounded request, and the
 * properties every answer must have (no 5xx, the service's error shape on 4xx, an answer within
 * the time bound). A failing case prints its seed and path; `LODESTONE_FUZZ_SEED=<seed>` replays it.
 */
import assert from "node:assert/strict";
import fc from "fast-check";

/** One seed per run; the default is fixed so CI replays the same cases, the variable explores. */
export const FUZZ_SEED = Number(process.env.LODESTONE_FUZZ_SEED ?? 20261206);
/** The longest one request may take (ms). Generous for a loaded 2-core CI machine. */
export const REQUEST_BOUND_MS = Number(process.env.LODESTONE_FUZZ_BOUND_MS ?? 3000);

export interface FuzzRequest {
  method: string;
  path: string;
  /** A JSON value (serialised) or raw text (sent as is). */
  body?: unknown;
  raw?: string;
  contentType?: string;
}

export interface FuzzAnswer {
  status: number;
  text: string;
  json: unknown;
  ms: number;
}

export async function send(base: string, req: FuzzRequest, headers: Record<string, string> = {}) {
  const text = req.raw ?? (req.body === undefined ? undefined : JSON.stringify(req.body));
  const started = performance.now();
  const response = await fetch(`${base}${req.path}`, {
    method: req.method,
    headers: {
      ...(text === undefined ? {} : { "content-type": req.contentType ?? "application/json" }),
      ...headers,
    },
    body: text,
    // twice the bound: a hang shows up as a failed bound, not as a stuck test run
    signal: AbortSignal.timeout(REQUEST_BOUND_MS * 2),
  });
  const body = await response.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text: body, json, ms } satisfies FuzzAnswer;
}

function describe(req: FuzzRequest, ans: FuzzAnswer): string {
  const body = req.raw ?? (req.body === undefined ? "" : JSON.stringify(req.body));
  return `seed ${FUZZ_SEED}: ${req.method} ${req.path} ${body.slice(0, 400)} → ${ans.status} in ${Math.round(ans.ms)} ms: ${ans.text.slice(0, 400)}`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Elasticsearch's 404s that are answers, not errors: a document that is not there
 * (`"found": false`, `"result": "not_found"`) and a missing pipeline's `{}`.
 */
function isEsNotFoundAnswer(req: FuzzRequest, ans: FuzzAnswer): boolean {
  if (ans.status !== 404 || !isObj(ans.json)) return false;
  const body = ans.json;
  if (body.found === false || body.result === "not_found") return true;
  return (
    req.method === "GET" && /^\/_(ingest|search)\/pipeline\//.test(req.path) && Object.keys(body).length === 0
  );
}

/** The Elasticsearch error shape: `{"error":{"type","reason"},"status"}` with status = HTTP status. */
export function assertSearchAnswer(req: FuzzRequest, ans: FuzzAnswer): void {
  const where = describe(req, ans);
  assert.ok(ans.status < 500, `5xx: ${where}`);
  assert.ok(ans.ms <= REQUEST_BOUND_MS, `slower than ${REQUEST_BOUND_MS} ms: ${where}`);
  if (ans.status < 400 || req.method === "HEAD" || isEsNotFoundAnswer(req, ans)) return;
  const body = ans.json;
  assert.ok(isObj(body) && isObj(body.error), `4xx without an error object: ${where}`);
  const error = body.error as Obj;
  assert.equal(typeof error.type, "string", `error.type: ${where}`);
  assert.ok(typeof error.reason === "string" && error.reason.length > 0, `error.reason: ${where}`);
  assert.equal(body.status, ans.status, `status field: ${where}`);
}

/** The platform's error shape: `{"error":{"type","code","message","param"},"request_id"}`. */
export function assertPlatformAnswer(req: FuzzRequest, ans: FuzzAnswer): void {
  const where = describe(req, ans);
  assert.ok(ans.status < 500, `5xx: ${where}`);
  assert.ok(ans.ms <= REQUEST_BOUND_MS, `slower than ${REQUEST_BOUND_MS} ms: ${where}`);
  if (ans.status < 400 || req.method === "HEAD") return;
  const body = ans.json;
  assert.ok(isObj(body) && isObj(body.error), `4xx without an error object: ${where}`);
  const error = body.error as Obj;
  assert.equal(typeof error.type, "string", `error.type: ${where}`);
  assert.equal(typeof error.code, "string", `error.code: ${where}`);
  assert.ok(typeof error.message === "string" && error.message.length > 0, `error.message: ${where}`);
  assert.ok("param" in error, `error.param: ${where}`);
}

/** Runs `numRuns` generated requests through `check`; returns how many ran. */
export async function fuzz(
  arb: fc.Arbitrary<FuzzRequest>,
  numRuns: number,
  check: (req: FuzzRequest) => Promise<void>,
): Promise<number> {
  let ran = 0;
  await fc.assert(
    fc.asyncProperty(arb, async (req) => {
      ran++;
      await check(req);
    }),
    { seed: FUZZ_SEED, numRuns, endOnFailure: true },
  );
  return ran;
}

/** Both servers still answer their health checks. */
export async function assertHealthy(platformUrl: string, searchUrl: string): Promise<void> {
  const platform = await fetch(`${platformUrl}/health`, { signal: AbortSignal.timeout(5000) });
  assert.equal(platform.status, 200, "the platform API stopped answering /health");
  const search = await fetch(`${searchUrl}/_cluster/health`, { signal: AbortSignal.timeout(5000) });
  assert.equal(search.status, 200, "the search API stopped answering /_cluster/health");
}

// ---- shared arbitraries ----

/** Values of the wrong type or shape for any field. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, -1, 0, 1.5, -0.5, 1e308, "", "x", "%%", "\u0000", "a".repeat(300), true, [], {}),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 6 }), fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), {
    maxKeys: 3,
  }),
);

/** A name as clients might send it: mostly sensible, sometimes hostile. */
export const hostileName: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
  fc.constantFrom("..", "../x", "%2e%2e", "a/b", "A", "_x", "-x", "x y", "\u0000", "é", "x".repeat(300)),
  fc.string({ maxLength: 10 }),
);

/** A path segment, percent-encoded so that the request reaches the route. */
export const segment = (arb: fc.Arbitrary<string>) => arb.map((s) => encodeURIComponent(s) || "x");

/** Usually the valid value, sometimes junk: fields of a request that is mostly well formed. */
export function mostly<T>(valid: fc.Arbitrary<T>, weight = 4): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight }, { arbitrary: junk, weight: 1 });
}

/** A JSON object from `fields`, each key present or not, plus sometimes an unknown key. */
export function record(fields: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Obj> {
  return fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), junk), { freq: 8 }),
    )
    .map(([obj, extra]) => (extra ? { ...obj, [extra[0]]: extra[1] } : obj));
}
