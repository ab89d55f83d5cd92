/**
 * Kill cycles over one data directory: start the server → run every scenario's load in the
 * background → `kill -9` after a seeded delay → restart → each scenario verifies that what the
 * server acknowledged is there exactly once → next cycle on the restarted server. One seed drives
 * every delay and every random choice, so a failing run is replayed with LODESTONE_FAULT_SEED.
 */
import fs from "node:fs";
import { seededRandom } from "../helpers/random.ts";
import { killServer, type ServerProcess, spawnServer } from "../helpers/server-process.ts";

export type Random = () => number;

/** One kind of work that a kill may interrupt (bulk indexing, a training job, …). */
export interface FaultScenario {
  name: string;
  /** Once, on the first server. */
  setup?(server: ServerProcess): Promise<void>;
  /** After every start, before the load (e.g. wait for an endpoint to be Running again). */
  ready?(server: ServerProcess): Promise<void>;
  /**
   * Writes until `stop` aborts or the server dies, recording what was acknowledged; returns
   * whether anything was in flight when it ended (a kill that landed inside this scenario's work).
   */
  load(server: ServerProcess, stop: AbortSignal, random: Random, cycle: number): Promise<boolean>;
  /** After the restart: checks every acknowledged write; returns how many it verified. */
  verify(server: ServerProcess, cycle: number): Promise<number>;
}

export interface CycleReport {
  seed: number;
  cycles: number;
  /** Per scenario: kills that landed while its work was in flight, and acknowledged writes verified (last cycle). */
  scenarios: Record<string, { killPoints: number; verified: number }>;
  seconds: number;
}

/** The seed of a fault run: LODESTONE_FAULT_SEED when set (to replay a failure), else `fallback`. */
export function faultSeed(fallback: number): number {
  const raw = process.env.LODESTONE_FAULT_SEED;
  if (raw === undefined || raw === "") return fallback;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`LODESTONE_FAULT_SEED must be an integer, got ${raw}`);
  return seed;
}

/** How many kill points a scenario gets: LODESTONE_FAULT_CYCLES when set, else `fallback`. */
export function faultCycles(fallback: number): number {
  const n = Number(process.env.LODESTONE_FAULT_CYCLES ?? fallback);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export async function runKillCycles(opts: {
  name: string;
  dataDir: string;
  seed: number;
  cycles: number;
  scenarios: FaultScenario[];
  /** The kill lands this many ms after the loads started, drawn uniformly. */
  delayMs: [number, number];
  log?: (line: string) => void;
}): Promise<CycleReport> {
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const random = seededRandom(opts.seed);
  const started = Date.now();
  log(
    `${opts.name}: seed ${opts.seed} (replay with LODESTONE_FAULT_SEED=${opts.seed}), ${opts.cycles} cycles`,
  );
  const report: CycleReport = { seed: opts.seed, cycles: opts.cycles, scenarios: {}, seconds: 0 };
  for (const s of opts.scenarios) report.scenarios[s.name] = { killPoints: 0, verified: 0 };
  const start = () => spawnServer(opts.dataDir, undefined, undefined, 90_000);
  let server = await start();
  try {
    for (const s of opts.scenarios) await s.setup?.(server);
    for (let cycle = 0; cycle < opts.cycles; cycle++) {
      for (const s of opts.scenarios) await s.ready?.(server);
      const stop = new AbortController();
      const live = server;
      const loads = opts.scenarios.map((s) => s.load(live, stop.signal, random, cycle));
      const [min, max] = opts.delayMs;
      await new Promise((r) => setTimeout(r, min + Math.floor(random() * (max - min))));
      await killServer(server, "SIGKILL");
      stop.abort();
      const inFlight = await Promise.all(loads);
      server = await start();
      for (const [i, s] of opts.scenarios.entries()) {
        const entry = report.scenarios[s.name] as { killPoints: number; verified: number };
        if (inFlight[i]) entry.killPoints++;
        try {
          entry.verified = await s.verify(server, cycle);
        } catch (err) {
          (err as Error).message = `${s.name}, cycle ${cycle} (seed ${opts.seed}): ${(err as Error).message}`;
          throw err;
        }
      }
    }
  } finally {
    await killServer(server);
  }
  // kept for a look when a check failed (the error names the seed); removed when all passed
  fs.rmSync(opts.dataDir, { recursive: true, force: true });
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  for (const [name, r] of Object.entries(report.scenarios))
    log(
      `${opts.name}/${name}: ${r.killPoints} kill points inside its work, ${r.verified} acknowledged writes verified`,
    );
  log(`${opts.name}: ${opts.cycles} kill -9 cycles in ${report.seconds} s (seed ${opts.seed})`);
  return report;
}
