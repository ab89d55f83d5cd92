/**
 * Size-limited and read-only data directories for fault tests: a tmpfs mounted on a temporary
 * folder (root only; tests skip with a message where mounting is not allowed).
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { tempDir } from "../helpers/platform.ts";

export interface Mount {
  dir: string;
  remount(mode: "ro" | "rw"): void;
  unmount(): void;
}

/** Mounts a tmpfs of `sizeMb` on a new temporary folder; undefined (with the reason) when not allowed. */
export function mountTmpfs(sizeMb: number): Mount | { skip: string } {
  const dir = tempDir("lodestone-faults-mnt-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=0755`, "tmpfs", dir], {
      stdio: "pipe",
    });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    return {
      skip: `cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN): ${(err as Error).message.split("\n")[0]}`,
    };
  }
  return {
    dir,
    remount(mode) {
      execFileSync("mount", ["-o", `remount,${mode}`, dir], { stdio: "pipe" });
    },
    unmount() {
      execFileSync("umount", ["-l", dir], { stdio: "pipe" });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fills the file system holding `dir` with one file, until no byte is left; returns the file. */
export function fillDisk(dir: string): string {
  const file = path.join(dir, "filler.bin");
  const fd = fs.openSync(file, "w");
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  }
  // the last partial megabyte
  const small = Buffer.alloc(4096);
  try {
    for (;;) fs.writeSync(fd, small);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
  } finally {
    fs.closeSync(fd);
  }
  return file;
}
