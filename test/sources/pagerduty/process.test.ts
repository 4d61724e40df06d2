import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assignee, logEntry, pdIncident } from "../../fakes/pagerduty/factories.js";
import { useFakePagerduty } from "../../fakes/pagerduty/fixture.js";
import { vitals } from "../../cli/run.js";
import { CONFIG, DAY, HOUR, NOW, TOKEN, iso } from "./helpers.js";

const pd = useFakePagerduty(TOKEN);

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vitals-pd-process-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
});

describe("the production PagerDuty source in its own process", () => {
  it("trusts the test CA through NODE_EXTRA_CA_CERTS, fills the store, and MTTR is answered from it without open incidents", async () => {
    // Two resolved incidents (1 h and 3 h to recover) and one still open for 2 days.
    for (const [id, hours] of [["P1", 1], ["P2", 3]] as const) {
      const created = NOW - (5 + hours) * DAY;
      pd.fake.incidents.push(pdIncident({ id, created_at: iso(created), assignments: assignee("Ada Lovelace", "ada@example.com") }));
      pd.fake.logEntries.set(id, [logEntry("trigger_log_entry", iso(created)), logEntry("resolve_log_entry", iso(created + hours * HOUR))]);
    }
    pd.fake.incidents.push(pdIncident({ id: "POPEN", created_at: iso(NOW - 2 * DAY), status: "triggered" }));
    pd.fake.logEntries.set("POPEN", [logEntry("trigger_log_entry", iso(NOW - 2 * DAY))]);
    const dbPath = join(dir, "vitals.db");
    const configPath = join(dir, "vitals.yml");
    writeFileSync(configPath, CONFIG);
    const script = join(import.meta.dirname, "sync-process.ts");

    const { stdout } = await run(process.execPath, ["--import", "tsx", script, dbPath, configPath, iso(NOW)], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: pd.certificate.certPath, PAGERDUTY_TOKEN: TOKEN, PAGERDUTY_API_HOST: pd.fake.host },
    });
    expect(JSON.parse(stdout)).toMatchObject({ source: "pagerduty", fetched: 3, inserted: 3 });

    const answer = await vitals(["ask", "mttr", "last 30 days", "--json", "--db", dbPath, "--config", configPath, "--now", iso(NOW)]);
    expect(answer.code).toBe(0);
    const kpi = JSON.parse(answer.stdout) as { value: number; sample_size: number; stats: Record<string, number | null> };
    expect(kpi.sample_size).toBe(2);
    expect(kpi.value).toBeCloseTo(2, 5); // mean of 1 h and 3 h: the open incident is not a 0 nor a sample
    expect(kpi.stats.open_count).toBe(1);
  });

  it("fails without the CA: the fake's certificate is not trusted by default", async () => {
    const script = join(import.meta.dirname, "sync-process.ts");
    const configPath = join(dir, "vitals.yml");
    writeFileSync(configPath, CONFIG);
    await expect(
      run(process.execPath, ["--import", "tsx", script, join(dir, "other.db"), configPath, iso(NOW)], {
        env: { PATH: process.env.PATH, PAGERDUTY_TOKEN: TOKEN, PAGERDUTY_API_HOST: pd.fake.host },
      }),
    ).rejects.toMatchObject({ stderr: expect.stringMatching(/self[- ]signed certificate/) });
  });
});
