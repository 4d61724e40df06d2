import { describe, expect, it } from "vitest";
import { blockKitProblems } from "../../src/present/blocks/limits.js";
import { buttonValue, confirmationBlocks, otherDeploymentModal, parseButtonValue } from "../../src/present/confirmation-blocks.js";

// The link confirmation message and its picker, by value and within Slack's Block Kit limits.

const view = {
  incidentId: 42, incidentTitle: "5xx <spike> & retries".repeat(40), incidentUrl: "https://acme.pagerduty.com/incidents/Q1", service: "checkout",
  deploymentId: 7, deploymentLabel: "d-1042 (9f1c2e7)", deploymentUrl: null, deploymentFinishedAtMs: Date.parse("2026-11-03T13:02:00Z"),
  pullRequests: [{ number: 812, title: "Retry card tokens", url: "https://github.com/acme/checkout/pull/812" }, { number: 815, title: null, url: null }],
  zone: "Europe/Berlin",
};

describe("link confirmation message", () => {
  it("asks about the deployment and its PRs, in the team's zone, with the three buttons", () => {
    const { text, blocks } = confirmationBlocks({ ...view, incidentTitle: "5xx spike" }, "ask");
    expect(text).toBe("Was 5xx spike caused by deployment d-1042 (9f1c2e7) of checkout?");
    const question = (blocks[0] as unknown as { text: { text: string } }).text.text;
    expect(question).toContain("finished Tue 3 Nov 14:02");
    expect(question).toContain("<https://github.com/acme/checkout/pull/812|#812 Retry card tokens>, #815");
    const actions = blocks.find((b) => b.type === "actions") as unknown as { elements: { action_id: string; value: string }[] };
    expect(actions.elements.map((e) => e.action_id)).toEqual(["link_confirm:yes", "link_confirm:other", "link_confirm:unrelated"]);
    expect(actions.elements.map((e) => parseButtonValue(e.value))).toEqual(Array(3).fill({ incidentId: 42, deploymentId: 7 }));
    expect(confirmationBlocks(view, "reminder").text.startsWith("Reminder: Was ")).toBe(true);
  });

  it("stays within Block Kit limits with a long title and a full picker", () => {
    expect(blockKitProblems(confirmationBlocks(view, "ask").blocks)).toEqual([]);
    const choices = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, label: `deployment-${i}-${"x".repeat(80)}`, finishedAtMs: Date.parse("2026-11-01T00:00:00Z") + i * 3_600_000 }));
    const modal = otherDeploymentModal(view.incidentTitle, choices, "UTC", buttonValue({ incidentId: 42, deploymentId: 7 })) as unknown as { blocks: { element?: { options: { text: { text: string } }[] } }[] };
    const options = modal.blocks[1]!.element!.options;
    expect(options).toHaveLength(100);
    expect(Math.max(...options.map((o) => o.text.text.length))).toBeLessThanOrEqual(75);
  });

  it("ignores button values that are not its own", () => {
    expect(parseButtonValue("12")).toBeUndefined();
    expect(parseButtonValue('{"i":0,"d":3}')).toBeUndefined();
    expect(parseButtonValue(undefined)).toBeUndefined();
  });
});
