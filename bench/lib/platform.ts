/**
 * A platform for a benchmark: started in process on free ports over a temporary data folder, with
 * JSON calls to its two APIs and model folders deployed as endpoints the way users deploy them
 * (upload to oss://, POST /v1/models, POST /v1/endpoints).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config/load.ts";
import { type RunningPlatform, startPlatform } from "../../src/server/platform.ts";
import { parseOssUrl } from "../../src/storage/oss-url.ts";
import { uploadDirectory } from "../../src/storage/transfer.ts";

export interface BenchPlatform {
  running: RunningPlatform;
  /** A call to the platform API (`/v1/…`); a non-2xx answer throws with its body. */
  api<T>(method: string, route: string, body?: unknown): Promise<T>;
  /** A call to the search API; a string body is sent as NDJSON. */
  search<T>(method: string, route: string, body?: unknown): Promise<T>;
  /** Uploads a model folder, registers it and deploys it; resolves to the running endpoint's id. */
  deploy(name: string, folder: string, endpointOptions?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

async function call<T>(base: string, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: { "content-type": typeof body === "string" ? "application/x-ndjson" : "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export async function startBenchPlatform(name: string): Promise<BenchPlatform> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `lodestone-bench-${name}-`));
  const config = loadConfig({
    env: {},
    cwd: dataDir,
    flags: { dataDir, port: 0, searchPort: 0, logLevel: "silent" },
  }).config;
  const running = await startPlatform(config);
  const api = <T>(method: string, route: string, body?: unknown) => call<T>(running.url, method, route, body);
  return {
    running,
    api,
    search: (method, route, body) => call(running.searchUrl, method, route, body),
    async deploy(model, folder, endpointOptions = {}) {
      const url = `oss://bench/${model}/`;
      await running.platform.objects.createBucket("bench", { ifNotExists: true });
      await uploadDirectory(running.platform.objects, folder, parseOssUrl(url));
      const registered = await api<{ model_id: string }>("POST", "/v1/models", {
        model_name: model,
        oss_path: url,
      });
      const ep = await api<{ endpoint_id: string }>("POST", "/v1/endpoints", {
        model_id: registered.model_id,
        ...endpointOptions,
      });
      const settled = await running.platform.endpoints.settled(ep.endpoint_id);
      if (settled.status !== "Running") throw new Error(`${model}: ${settled.reason}`);
      return ep.endpoint_id;
    },
    async close() {
      await running.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
