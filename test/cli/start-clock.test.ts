import { describe, expect, it } from "vitest";
import { vitals } from "./run.js";

// `vitals start`'s simulated clock flags: documented in --help, refused with every problem named
// before anything is opened (the Slack settings are checked first, as without the flags).

const SLACK = { SLACK_BOT_TOKEN: "xoxb-1-2-clock", SLACK_SIGNING_SECRET: "clock-secret", DATABASE_PATH: ":memory:" };

describe("vitals start --clock-*", () => {
  it("documents the simulated clock as a rehearsal option in --help", async () => {
    const { code, stdout } = await vitals(["start", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Simulated clock, for rehearsals and tests only (off by default: real time)");
    expect(stdout).toContain("--clock-started-at ISO");
  });

  it("refuses bad values with exit 2, naming each", async () => {
    const { code, stderr } = await vitals(["start", "--clock-from", "tomorrow", "--clock-step", "1w", "--tick-ms", "200"], { env: SLACK });
    expect(code).toBe(2);
    expect(stderr).toBe(
      "vitals start: the simulated clock's options are not valid:\n" +
        '  --clock-from: expected an ISO timestamp with an offset, e.g. 2026-05-03T12:00:00Z (got "tomorrow")\n' +
        '  --clock-step: expected a whole number with s, m, h or d, e.g. 1h (got "1w")\n',
    );
  });

  it("refuses --now together with the simulated clock", async () => {
    const { code, stderr } = await vitals(["start", "--now", "2026-05-04T09:00:00Z", "--clock-from", "2026-05-03T12:00:00Z", "--clock-step", "1h", "--tick-ms", "200"], { env: SLACK });
    expect(code).toBe(2);
    expect(stderr).toContain("--now and --clock-from exclude each other");
  });
});
