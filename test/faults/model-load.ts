/**
 * Model registrations that a kill interrupts: the registry copies the folder from object storage
 * into `<data>/models/<id>/` and then records it. After the restart every acknowledged model is
 * listed, every listed model's folder is complete (each file byte-identical to the upload), and
 * no half-copied folder is left behind without a record.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { api } from "../helpers/platform.ts";
import { saveSmallEmbedder, uploadFolderTo } from "../helpers/small-models.ts";
import type { FaultScenario } from "./cycles.ts";

const NAME = "fault-reg";

const sha = (file: string) => createHash("sha256").update(fs.readFileSync(file)).digest("hex");

function hashes(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, sha(path.join(dir, f))]),
  );
}

export function modelLoad(dataDir: string): FaultScenario {
  const acked = new Set<string>();
  let expected: Record<string, string> = {};
  const modelsDir = path.join(dataDir, "models");

  return {
    name: "model registration",
    async setup(server) {
      const dir = saveSmallEmbedder(64);
      expected = hashes(dir);
      await uploadFolderTo(server, dir, "models", "reg/");
    },
    async load(server, stop) {
      while (!stop.aborted) {
        try {
          const res = await api<{ model_id: string }>(server.url, "POST", "/v1/models", {
            model_name: NAME,
            oss_path: "oss://models/reg/",
          });
          assert.equal(res.status, 201, JSON.stringify(res.body));
          acked.add(res.body.model_id);
        } catch (err) {
          if (err instanceof TypeError) return true; // the kill landed inside a registration
          throw err;
        }
      }
      return false;
    },
    async verify(server) {
      const listed = await api<{
        data: Array<{ id: string; model_name?: string; kind: string; builtin?: boolean }>;
      }>(server.url, "GET", "/v1/models");
      const registered = listed.body.data.filter((m) => m.kind !== "rag" && !m.builtin);
      const ids = new Set(registered.map((m) => m.id));
      for (const id of acked) assert.ok(ids.has(id), `acknowledged model ${id} is not listed`);
      for (const m of registered) {
        if (m.model_name !== NAME) continue;
        assert.deepEqual(
          hashes(path.join(modelsDir, m.id)),
          expected,
          `model ${m.id}'s files are incomplete`,
        );
      }
      const folders = fs.existsSync(modelsDir) ? fs.readdirSync(modelsDir) : [];
      const stray = folders.filter((f) => f.startsWith("m-") && !ids.has(f));
      assert.deepEqual(stray, [], "half-copied model folders left without a registry record");
      return acked.size;
    },
  };
}
