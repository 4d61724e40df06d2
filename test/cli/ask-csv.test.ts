import { rmSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import { demoDatabase, vitals } from "./run.js";

// `vitals ask --csv`: the rows behind a headline, one per item it counts, over the demo data.

const NOW = "2026-05-04T09:00:00Z";
let dir: string;
let args: string[];

beforeAll(() => {
  ({ dir, args } = demoDatabase("vitals-csv-", NOW));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function answerAndRows(question: string) {
  const json = await vitals(["ask", ...args, "--json", question]);
  const csv = await vitals(["ask", ...args, "--csv", question]);
  expect(csv.stderr).toBe("");
  expect(csv.code).toBe(0);
  const records = parse(csv.stdout, { columns: true }) as Record<string, string>[];
  return { answer: JSON.parse(json.stdout), csv: csv.stdout, records };
}

describe("vitals ask --csv", () => {
  it("lists a team's change failure rate deployments: sample_size rows, stats.failed of them caused_failure=true", async () => {
    const { answer, csv, records } = await answerAndRows("cfr last 30 days for payments");
    expect(answer.sample_size).toBeGreaterThan(10);
    expect(answer.stats.failed).toBeGreaterThan(0);
    expect(csv.split("\r\n")[0]).toBe("deployment_id,source,service,finished_at,sha,caused_failure,rule,incidents,rework,rollback_of,hotfix,url");
    expect(records).toHaveLength(answer.sample_size);
    const failed = records.filter((r) => r.caused_failure === "true");
    expect(failed).toHaveLength(answer.stats.failed);
    expect(records.filter((r) => r.caused_failure === "false")).toHaveLength(answer.sample_size - answer.stats.failed);
    // Every failed deployment says which rule marked it; no other does.
    for (const r of failed) expect(r.rule).toMatch(/^(explicit|rollback|heuristic|manual|rolled_back)(;(explicit|rollback|heuristic|manual|rolled_back))*$/);
    for (const r of records.filter((x) => x.caused_failure === "false")) expect(r.rule).toBe("");
    for (const r of records) expect(Date.parse(r.finished_at!)).toBeGreaterThanOrEqual(Date.parse(answer.window.from));
  });

  for (const metric of METRIC_IDS) {
    for (const scope of ["", " for payments", " for checkout"]) {
      it(`has sample_size rows for ${metric}${scope || " (organisation)"}`, async () => {
        const { answer, records } = await answerAndRows(`${metric} last 30 days${scope}`);
        expect(records).toHaveLength(answer.sample_size);
      });
    }
  }

  it("counts rework rows as stats.rework and gives lead time its stage spans", async () => {
    const rework = await answerAndRows("rework last 30 days");
    expect(rework.records.filter((r) => r.rework === "true")).toHaveLength(rework.answer.stats.rework);
    const lead = await answerAndRows("lead time last 30 days for payments");
    const withPr = lead.records.find((r) => r.pr_number !== "");
    expect(withPr).toBeDefined();
    const sum = ["coding_hours", "pickup_hours", "review_hours", "deploy_hours"].reduce((s, c) => s + Number(withPr![c]), 0);
    if (withPr!.pr_first_review_at !== "") expect(sum).toBeCloseTo(Number(withPr!.lead_time_hours), 6);
  });

  it("refuses a summary and an unparsable question with exit code 2", async () => {
    const summary = await vitals(["ask", ...args, "--csv", "dora"]);
    expect(summary.code).toBe(2);
    expect(summary.stderr).toMatch(/one metric at a time/);
    const bad = await vitals(["ask", ...args, "--csv", "cfr for nowhere"]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    const both = await vitals(["ask", ...args, "--csv", "--json", "cfr"]);
    expect(both.code).toBe(2);
  });
});
