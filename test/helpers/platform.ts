import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import type { LodestoneConfig } from "../../src/config/schema.ts";
import { type RunningPlatform, startPlatform } from "../../src/server/platform.ts";

const made: string[] = [];
// a suite makes hundreds of data folders (hundreds of MB each with models): they go when the
// test process ends, instead of filling the machine's /tmp run after run
process.once("exit", () => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix = "lodestone-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A config for tests: a temporary data dir, free ports, quiet logs; `overrides` by config key. */
export function testConfig(dataDir: string, overrides: Record<string, unknown> = {}): LodestoneConfig {
  return loadConfig({
    env: {},
    cwd: dataDir,
    // fake upstream servers of tests listen on loopback: the SSRF policy must let them be called
    flags: {
      dataDir,
      port: 0,
      searchPort: 0,
      logLevel: "silent",
      "outbound.allowedHosts": ["127.0.0.1", "localhost", "::1"],
      ...overrides,
    },
  }).config;
}

/** Starts the platform in this process on a free port. */
export async function startTestPlatform(
  overrides: Record<string, unknown> = {},
  dataDir = tempDir(),
): Promise<RunningPlatform & { dataDir: string }> {
  const running = await startPlatform(testConfig(dataDir, overrides));
  return Object.assign(running, { dataDir });
}

/** One HTTP request; `body` is sent as given, as JSON. */
async function send(
  baseUrl: string,
  method: string,
  route: string,
  body: string | undefined,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${baseUrl}${route}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body,
    // a server that stops answering fails the test with a message instead of hanging the run
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

export async function api<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await send(
    baseUrl,
    method,
    route,
    body === undefined ? undefined : JSON.stringify(body),
    {},
    60_000,
  );
  return { status: res.status, body: (res.text ? JSON.parse(res.text) : {}) as T };
}

/**
 * Any request, for tests that probe refusals: headers of their own, a body sent as given when it
 * is a string (else as JSON), and an answer that need not be JSON (`body` is then {}).
 */
export async function probe(
  baseUrl: string,
  method: string,
  route: string,
  opts: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; text: string; body: Record<string, unknown> }> {
  const { body, headers = {} } = opts;
  const payload = body === undefined || typeof body === "string" ? body : JSON.stringify(body);
  const res = await send(baseUrl, method, route, payload, headers, 30_000);
  let json: Record<string, unknown> = {};
  try {
    json = res.text ? JSON.parse(res.text) : {};
  } catch {}
  return { ...res, body: json };
}
