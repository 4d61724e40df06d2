import { describe, expect, it } from "vitest";
import type { AlertState } from "../../src/store/alerts.js";
import { openBareTestStore } from "../support/test-store.js";

const T0 = Date.parse("2026-03-02T10:00:00Z");

describe("alert store", () => {
  it("keeps one state per metric and scope, the organisation included, and lets the first acknowledgement win", async () => {
    const store = await openBareTestStore();
    const state: AlertState = {
      metric: "mttr",
      scope: { kind: "org", id: null },
      status: "warn",
      sinceMs: T0,
      value: 5,
      threshold: 4,
      channel: "C1",
      messageTs: "1.1",
      acknowledgedBy: null,
      acknowledgedAtMs: null,
      lastNotifiedAtMs: T0,
    };
    await store.alerts.put(state);
    await store.alerts.put({ ...state, value: 6 });
    expect(await store.alerts.get("mttr", { kind: "org", id: null })).toEqual({ ...state, value: 6 });
    expect((await store.alerts.byMessageTs("1.1"))?.metric).toBe("mttr");
    expect(await store.alerts.acknowledge("mttr", { kind: "org", id: null }, "U1", T0 + 1)).toBe(true);
    expect(await store.alerts.acknowledge("mttr", { kind: "org", id: null }, "U2", T0 + 2)).toBe(false);
    expect(await store.alerts.get("mttr", { kind: "org", id: null })).toMatchObject({ acknowledgedBy: "U1", acknowledgedAtMs: T0 + 1 });
    expect(await store.alerts.breached()).toHaveLength(1);
    await store.alerts.put({ ...state, status: "ok" });
    expect(await store.alerts.breached()).toHaveLength(0);
  });
});
