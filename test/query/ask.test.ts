import { describe, expect, it } from "vitest";
import { parseFileConfig } from "../../src/config/file.js";
import type { VitalsRecord } from "../../src/domain/records.js";
import { answerQuestion, HELP_TEXT } from "../../src/query/ask.js";
import { parseKpiQuestion } from "../../src/query/parse.js";
import type { QuestionResult } from "../../src/query/types.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";

const NOW = Date.parse("2026-05-04T09:00:00Z");
const DAY = 86_400_000;
const config = parseFileConfig(`teams: [{ id: payments, name: Payments, services: [checkout] }]`, "ask.yml");

async function ask(text: string, records: VitalsRecord[] = []): Promise<QuestionResult> {
  const store = createStore(openDatabase(":memory:"));
  store.catalog.syncFromConfig(config);
  store.write(records);
  const parsed = parseKpiQuestion(text, { nowMs: NOW, config, services: store.catalog.services().map((s) => s.id) });
  if (!parsed.ok) throw new Error(parsed.error);
  return answerQuestion({ store, config, nowMs: NOW }, parsed.value);
}

const deploy = (id: string, finishedAtMs: number): VitalsRecord => ({ kind: "deployment", source: "import", externalId: id, service: "checkout", environment: "production", status: "success", finishedAtMs });

describe("answerQuestion", () => {
  it("answers a metric question for the asked scope and window", async () => {
    const result = await ask("deploys last 10 days for checkout", [deploy("d1", NOW - DAY), deploy("d2", NOW - 2 * DAY), deploy("d0", NOW - 20 * DAY)]);
    if (result.kind !== "answer") throw new Error(result.kind);
    expect(result.answer.metric).toBe("deployment_frequency");
    expect(result.answer.scope).toEqual({ kind: "service", id: "checkout" });
    expect(result.answer.window).toMatchObject({ from: new Date(NOW - 10 * DAY).toISOString(), to: new Date(NOW).toISOString(), label: "last 10 days" });
    expect(result.answer.value).toBeCloseTo(0.2);
    expect(result.compared).toBeUndefined();
  });

  it("answers the comparison window too when asked vs", async () => {
    const result = await ask("deploys last 10 days vs since 2026-04-01", [deploy("d1", NOW - DAY)]);
    if (result.kind !== "answer") throw new Error(result.kind);
    expect(result.compared?.window).toMatchObject({ from: "2026-04-01T00:00:00.000Z", to: new Date(NOW).toISOString(), label: "since 2026-04-01" });
    expect(result.compared?.metric).toBe("deployment_frequency");
  });

  it("answers the four keys for summary, in DORA's order, for the same scope and window", async () => {
    const result = await ask("dora last week for payments");
    if (result.kind !== "summary") throw new Error(result.kind);
    expect(result.answers.map((a) => a.metric)).toEqual(["deployment_frequency", "lead_time", "change_failure_rate", "mttr"]);
    expect(new Set(result.answers.map((a) => `${a.scope.kind}:${a.scope.id}:${a.window.label}`))).toEqual(new Set(["team:payments:last week"]));
  });

  it("explains and helps", async () => {
    const explained = await ask("explain rework");
    expect(explained.kind === "explain" && explained.explanation.metric).toBe("rework_rate");
    expect(await ask("help")).toEqual({ kind: "help", text: HELP_TEXT });
  });
});
