import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { rowsCsv } from "../../src/present/csv.js";
import { questionRows } from "../../src/query/answer-rows.js";
import { askText } from "../../src/query/ask-text.js";
import { queryContext } from "../../src/slack/runtime.js";
import { blocksText, freshAppForEachTest, type TestApp } from "./harness.js";

// "Download rows" under an answer: the CSV behind the headline, uploaded to the fake Slack into
// the clicker's direct message (files.uploadV2: getUploadURLExternal → upload → completeUploadExternal).

let t: TestApp;
freshAppForEachTest((app) => (t = app));

const question = "cfr last 30 days for team payments";

describe("Download rows", () => {
  it("is a button on every metric answer", async () => {
    const { responses } = await t.kpi(question);
    expect(blocksText(responses[0])).toContain('"action_id":"kpi:rows"');
  });

  it("uploads the answer's CSV privately to the person who clicked", async () => {
    t.slack.reset();
    const { status, responses } = await t.click({ actionId: "kpi:rows", value: question, userId: "U0LEADER", channelId: "C0TEAMCHAN" });
    expect(status).toBe(200);

    const ctx = queryContext(t.deps);
    const asked = await askText(ctx, question);
    if (!asked.ok || asked.result.kind !== "answer") throw new Error("expected an answer");
    const rows = await questionRows(ctx, asked.question);
    if (!rows.ok) throw new Error(rows.error);
    const csv = rowsCsv(rows.table);

    // The intro goes to the user (Slack opens the DM), the file into that DM, nowhere else.
    expect(t.slack.callsTo("chat.postMessage").map((c) => c.args.channel)).toEqual(["U0LEADER"]);
    const complete = t.slack.callsTo("files.completeUploadExternal");
    expect(complete).toHaveLength(1);
    expect(complete[0]!.args.channel_id).toBe("D0LEADER");
    expect(complete[0]!.args.files).toEqual([{ id: "F00000001", title: "vitals-change_failure_rate-team-payments-2026-05-04.csv" }]);
    expect(t.slack.callsTo("files.getUploadURLExternal")[0]!.args).toMatchObject({ filename: "vitals-change_failure_rate-team-payments-2026-05-04.csv", length: String(Buffer.byteLength(csv)) });
    expect(t.slack.uploads).toHaveLength(1);
    const uploaded = t.slack.uploads[0]!.bytes.toString("utf8");
    expect(uploaded).toContain(csv);
    const records = parse(csv, { columns: true }) as Record<string, string>[];
    expect(records).toHaveLength(asked.result.answer.sample_size);
    expect(records.filter((r) => r.caused_failure === "true")).toHaveLength(asked.result.answer.stats["failed"]!);

    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatchObject({ response_type: "ephemeral", replace_original: false, text: `I sent you vitals-change_failure_rate-team-payments-2026-05-04.csv (${records.length} rows) in a direct message.` });
  });

  it("says why, privately, when the question has no rows", async () => {
    t.slack.reset();
    const { responses } = await t.click({ actionId: "kpi:rows", value: "dora" });
    expect(t.slack.uploads).toHaveLength(0);
    expect(responses[0]).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("one metric at a time") });
  });
});
