import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// CLI start-up: `vitals ask` on a small database against `node -e 0` on the same machine, both the
// median of several runs (process start to exit). Target (issue 14): within 5× of bare Node.

export const STARTUP_TARGET_RATIO = 5;

export interface StartupResult {
  readonly nodeMs: number;
  readonly askMs: number;
  readonly ratio: number;
  readonly runs: number;
}

function medianMs(runs: number, command: string, args: readonly string[], env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = spawnSync(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    if (result.status !== 0) throw new Error(`${[command, ...args].join(" ")} exited ${result.status}: ${result.stderr.toString().slice(0, 300)}`);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Times the CLI at `bin` (bin/vitals.js): builds a small demo database first (not timed). */
export function measureStartup(bin: string, runs = 7): StartupResult {
  const dir = mkdtempSync(join(tmpdir(), "vitals-startup-"));
  try {
    const env = { PATH: process.env.PATH ?? "", LOG_LEVEL: "error" };
    const made = spawnSync(process.execPath, [bin, "demo", "--out", dir, "--days", "30"], { env, stdio: "ignore" });
    if (made.status !== 0) throw new Error(`vitals demo exited ${made.status}`);
    const nodeMs = medianMs(runs, process.execPath, ["-e", "0"], env);
    const askMs = medianMs(runs, process.execPath, [bin, "ask", "--db", join(dir, "demo.db"), "--config", join(dir, "demo.yml"), "deploys last 30d for payments"], env);
    return { nodeMs, askMs, ratio: askMs / nodeMs, runs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatStartup(result: StartupResult): string {
  const verdict = result.ratio <= STARTUP_TARGET_RATIO ? "within" : "MISSED:";
  return `CLI start-up: vitals ask on a 30-day demo database ${result.askMs.toFixed(0)} ms vs node -e 0 ${result.nodeMs.toFixed(0)} ms = ${result.ratio.toFixed(1)}× (${verdict} target ${STARTUP_TARGET_RATIO}×; median of ${result.runs})`;
}
