import { describe, expect, it } from "vitest";
import { electedLeadership, replicaLeadership, SOLE_PROCESS } from "../../src/app/leadership.js";
import { parseEnv } from "../../src/config/env.js";
import { createLogger, silentLogger } from "../../src/log.js";
import type { LeaderTimings } from "../../src/store/postgres/leader.js";
import { until } from "../support/until.js";

// Which leadership `vitals start` contends with (issue 19): DATABASE_URL selects PostgreSQL and its
// election; otherwise the SQLite file has one process, which always leads.

const TIMINGS: LeaderTimings = { retryMs: 50, heartbeatMs: 100, heartbeatTimeoutMs: 200, serverKeepalive: { idleS: 1, intervalS: 1, count: 1 } };

describe("the replica's leadership", () => {
  it("is SQLite's one process, always leading, without DATABASE_URL", async () => {
    const leadership = replicaLeadership(parseEnv({ DATABASE_PATH: ":memory:" }), silentLogger());
    expect(leadership).toBe(SOLE_PROCESS);
    const contention = leadership.contend(() => {
      throw new Error("SQLite's leadership never changes");
    });
    expect(contention.isLeader()).toBe(true);
    await contention.release();
  });

  it("is an election on DATABASE_URL, which connects only once the app contends", () => {
    const leadership = replicaLeadership(parseEnv({ DATABASE_URL: "postgres://vitals:pw@127.0.0.1:1/vitals" }), silentLogger());
    expect(leadership.store).toBe("postgres");
    expect(leadership).not.toBe(SOLE_PROCESS);
  });

  it("follows while the server cannot be reached, logging why once with the password redacted", async () => {
    const logs: string[] = [];
    const logger = createLogger("info", { write: (line: string) => logs.push(line) } as never);
    let changes = 0;
    const contention = electedLeadership("postgres://vitals:s3cret-pw@127.0.0.1:1/vitals", logger, { timings: TIMINGS }).contend(() => changes++);
    await until("the first failed attempt", () => changes > 0);
    // Several retries later, the reason is still reported once.
    await new Promise((resolve) => setTimeout(resolve, 5 * TIMINGS.retryMs));
    await contention.release();
    expect(contention.isLeader()).toBe(false);
    const entries = logs.map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string; database: string });
    expect(entries.map((e) => [e.msg, e.reason])).toEqual([
      ["contending to run the scheduler", undefined],
      ["this replica does not lead: it runs no scheduled jobs", "unreachable"],
    ]);
    expect(entries[1]?.level).toBe(40);
    expect(entries.every((e) => e.database === "postgres://vitals:***@127.0.0.1:1/vitals")).toBe(true);
    expect(logs.join("\n")).not.toContain("s3cret-pw");
    expect(changes).toBe(1);
  });
});
