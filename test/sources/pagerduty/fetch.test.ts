import { describe, expect, it } from "vitest";
import { createPagerdutyClient, resetDelayMs } from "../../../src/sources/pagerduty/client.js";
import { listIncidents, splitWindows } from "../../../src/sources/pagerduty/fetch.js";
import { findDeploymentRef } from "../../../src/sources/pagerduty/normalise.js";
import { pdIncident } from "../../fakes/pagerduty/factories.js";
import { useFakePagerduty } from "../../fakes/pagerduty/fixture.js";
import { DAY, NOW, TOKEN, iso, testOverrides } from "./helpers.js";

const pd = useFakePagerduty(TOKEN);

const client = () => createPagerdutyClient({ token: TOKEN, host: pd.fake.host, ...testOverrides(pd.certificate).overrides });

describe("PagerDuty's list limits", () => {
  it("are enforced by the fake as 400 errors, as the real API does", async () => {
    const sevenMonths = await client().get("incidents", { since: iso(NOW - 210 * DAY), until: iso(NOW), limit: "100", offset: "0" });
    expect(sevenMonths).toMatchObject({ ok: false, status: 400, error: expect.stringContaining("less than 6 months") });
    const deep = await client().get("incidents", { since: iso(NOW - DAY), until: iso(NOW), limit: "100", offset: "9950" });
    expect(deep).toMatchObject({ ok: false, status: 400, error: expect.stringContaining("Offset must be less than 10000") });
  });

  it("splits a window holding more than 10,000 incidents until each part can be paged to its end", async () => {
    const start = NOW - DAY;
    pd.fake.incidents = Array.from({ length: 10_050 }, (_, i) => pdIncident({ id: `P${i}`, created_at: iso(start + i * 8_000) }));
    pd.fake.requests.length = 0;

    const incidents = await listIncidents(client(), { sinceMs: start, untilMs: NOW, serviceIds: ["PSVC001"] });

    expect(incidents).toHaveLength(10_050);
    expect(new Set(incidents.map((i) => i.id)).size).toBe(10_050);
    expect(pd.fake.requests.every((r) => r.status === 200)).toBe(true);
    expect(pd.fake.requests.every((r) => Number(r.query.get("offset")) + Number(r.query.get("limit")) <= 10_000)).toBe(true);
    const windows = new Set(pd.fake.requests.map((r) => `${r.query.get("since")}..${r.query.get("until")}`));
    expect(windows.size).toBe(3); // the whole day (refused up front by `total`), then its two halves
  });

  it("cuts long ranges into windows under six months", () => {
    const windows = splitWindows(0, 400 * DAY);
    expect(windows).toEqual([[0, 175 * DAY], [175 * DAY, 350 * DAY], [350 * DAY, 400 * DAY]]);
  });

  it("waits for ratelimit-reset seconds, else Retry-After, else a minute", () => {
    expect(resetDelayMs("7", null)).toBe(7000);
    expect(resetDelayMs(null, "3")).toBe(3000);
    expect(resetDelayMs("0.2", null)).toBe(1000);
    expect(resetDelayMs(null, null)).toBe(60_000);
  });
});

describe("explicit deployment references in incident text", () => {
  it.each([
    ["Checkout 5xx after deploy: d-1042", "d-1042"],
    ["root cause: 9f1c2e", "9f1c2e"],
    ["Caused by commit 9f1c2e7aa0 (bad migration)", "9f1c2e7aa0"],
    ["deployment_id=gh-88123", "gh-88123"],
    ["Root Cause: `abc1234`.", "abc1234"],
    ["deploy: d-1 then deploy: d-2", "d-2"],
  ])("finds %j → %s", (text, ref) => {
    expect(findDeploymentRef(text)).toBe(ref);
  });

  it.each(["Deployment failed for checkout", "Database CPU high", "commit message missing", "redeploy of 1042"])("finds nothing in %j", (text) => {
    expect(findDeploymentRef(text)).toBeUndefined();
  });
});
