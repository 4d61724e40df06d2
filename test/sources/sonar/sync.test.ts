import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AppDeps } from "../../../src/app-deps.js";
import { sonarSource } from "../../../src/sources/sonar/index.js";
import { startFakeSonar, type Analysis, type FakeSonar } from "../../fakes/sonar/server.js";
import { samples, sourcesConfig, sourcesDeps } from "../helpers.js";

const TOKEN = "squ_0123456789abcdef0123456789abcdef01234567";
const CONFIG = `
services:
  - id: checkout
    sonar: { project_key: acme_checkout }
  - id: search
    sonar: { project_key: acme_search }
`;

let sonar: FakeSonar;
let deps: AppDeps;

const analyses: Analysis[] = [
  { date: "2026-04-20T14:03:11+0000", measures: { coverage: "78.4", sqale_debt_ratio: "3.1" } },
  // An analysis without a coverage report has no coverage value.
  { date: "2026-04-27T09:15:42+0200", measures: { sqale_debt_ratio: "3.4" } },
  { date: "2026-05-02T16:40:05+0000", measures: { coverage: "80.1", sqale_debt_ratio: "2.9" } },
];

beforeEach(async () => {
  sonar = await startFakeSonar(TOKEN);
  sonar.project("acme_checkout", analyses);
  sonar.project("acme_search", [{ date: "2026-05-01T08:00:00+0000", measures: { coverage: "91.0", sqale_debt_ratio: "1.2" } }]);
  deps = sourcesDeps({ SONAR_URL: sonar.url, SONAR_TOKEN: TOKEN }, sourcesConfig(CONFIG)); // now: 2026-05-04T09:30Z
});

afterEach(async () => {
  await sonar.close();
  await deps.store.close();
});

const rows = (service: string) => samples(deps).filter((r) => r.service_id === service).map((r) => [r.name, new Date(r.at).toISOString(), r.value]);

describe("SonarQube sync", () => {
  it("is configured by SONAR_URL, SONAR_TOKEN and a service with a project key", () => {
    expect(sonarSource.configured(deps)).toBe(true);
    expect(sonarSource.configured({ ...deps, env: { ...deps.env, SONAR_TOKEN: undefined } })).toBe(false);
  });

  it("stores coverage and debt ratio at each analysis since the backfill horizon", async () => {
    const report = await sonarSource.sync(deps);
    expect(report).toMatchObject({ source: "sonar", fetched: 7, inserted: 7, updated: 0, unchanged: 0 });
    expect(sonar.requests[0]).toEqual({ component: "acme_checkout", metrics: "coverage,sqale_debt_ratio", from: "2026-02-03T09:30:00+0000", p: "1", ps: "1000" });
    expect(rows("checkout")).toEqual([
      ["coverage_pct", "2026-04-20T14:03:11.000Z", 78.4],
      ["coverage_pct", "2026-05-02T16:40:05.000Z", 80.1],
      ["tech_debt_ratio_pct", "2026-04-20T14:03:11.000Z", 3.1],
      ["tech_debt_ratio_pct", "2026-04-27T07:15:42.000Z", 3.4],
      ["tech_debt_ratio_pct", "2026-05-02T16:40:05.000Z", 2.9],
    ]);
    expect(samples(deps).every((r) => r.source === "sonar")).toBe(true);
    expect(await deps.store.syncState.cursor("sonar", "checkout")).toMatchObject({ cursor: "2026-05-02T16:40:05.000Z", last_error: null });
  });

  it("continues from the last analysis: it comes back unchanged, new ones are added", async () => {
    await sonarSource.sync(deps);
    sonar.project("acme_checkout", [...analyses, { date: "2026-05-04T08:00:00+0000", measures: { coverage: "80.6", sqale_debt_ratio: "2.8" } }]);
    const report = await sonarSource.sync(deps);
    expect(sonar.requests.at(-2)).toMatchObject({ component: "acme_checkout", from: "2026-05-02T16:40:05+0000" });
    expect(report).toMatchObject({ fetched: 6, inserted: 2, updated: 0, unchanged: 4 });
  });

  it("keeps the latest analysis of a project not analysed within the backfill", async () => {
    sonar.project("acme_search", [
      { date: "2025-06-01T08:00:00+0000", measures: { coverage: "60.0", sqale_debt_ratio: "6.0" } },
      { date: "2025-09-01T08:00:00+0000", measures: { coverage: "64.0", sqale_debt_ratio: "5.5" } },
    ]);
    await sonarSource.sync(deps);
    expect(rows("search")).toEqual([
      ["coverage_pct", "2025-09-01T08:00:00.000Z", 64],
      ["tech_debt_ratio_pct", "2025-09-01T08:00:00.000Z", 5.5],
    ]);
    expect(sonar.requests.filter((r) => r["component"] === "acme_search").map((r) => [r["from"] ?? "-", r["p"], r["ps"]])).toEqual([
      ["2026-02-03T09:30:00+0000", "1", "1000"],
      ["-", "1", "1"],
      ["-", "2", "1"],
    ]);
    expect(await deps.store.syncState.cursor("sonar", "search")).toMatchObject({ cursor: "2025-09-01T08:00:00.000Z" });
  });

  it("says when a project has no analyses at all", async () => {
    sonar.project("acme_search", []);
    const report = await sonarSource.sync(deps);
    expect(report.notes).toContain("search: SonarQube has no coverage or debt ratio analyses of acme_search");
  });

  it("pages through more than 1000 analyses", async () => {
    const start = Date.parse("2026-03-01T00:00:00Z");
    const many = Array.from({ length: 1203 }, (_, i) => ({
      date: new Date(start + i * 3_600_000).toISOString().replace(".000Z", "+0000"),
      measures: { coverage: (50 + (i % 40)).toFixed(1), sqale_debt_ratio: "4.0" },
    }));
    sonar.project("acme_checkout", many);
    await sonarSource.sync(deps, { backfillDays: 90 });
    expect(sonar.requests.filter((r) => r["component"] === "acme_checkout").map((r) => r["p"])).toEqual(["1", "2"]);
    expect(samples(deps, "coverage_pct").filter((r) => r.service_id === "checkout")).toHaveLength(1203);
  });

  it("reports an unknown project with SonarQube's message and still syncs the others", async () => {
    sonar.project("acme_checkout", []);
    const wrong = sourcesDeps({ SONAR_URL: sonar.url, SONAR_TOKEN: TOKEN }, sourcesConfig(CONFIG.replace("acme_checkout", "acme_chekout")));
    const report = await sonarSource.sync(wrong);
    expect(report.notes).toContain("failed: checkout (acme_chekout): SonarQube answered 404: Component key 'acme_chekout' not found; its stored data is unchanged");
    expect(report.inserted).toBe(2);
    expect(await wrong.store.syncState.cursor("sonar", "checkout")).toMatchObject({ cursor: null, last_error: expect.stringContaining("404") });
  });

  it("says when the token is refused and writes nothing", async () => {
    const refused = sourcesDeps({ SONAR_URL: sonar.url, SONAR_TOKEN: "squ_wrong" }, sourcesConfig(CONFIG));
    const report = await sonarSource.sync(refused);
    expect(report.notes[0]).toBe("failed: checkout (acme_checkout): SonarQube refused the credentials (401): check SONAR_TOKEN; its stored data is unchanged");
    expect(report.notes.join("\n")).not.toContain("squ_wrong");
    expect(samples(refused)).toEqual([]);
  });

  it("refuses a coverage value outside 0-100 rather than storing it", async () => {
    sonar.project("acme_search", [{ date: "2026-05-01T08:00:00+0000", measures: { coverage: "132.0" } }]);
    const report = await sonarSource.sync(deps);
    expect(report.notes).toContain('failed: search (acme_search): acme_search: coverage at 2026-05-01T08:00:00+0000: expected a percentage from 0 to 100, got "132.0"; its stored data is unchanged');
  });
});
