import { rowsCsv, rowsFileName } from "../../present/csv.js";
import { parseErrorBlocks } from "../../present/blocks/errors.js";
import { sampleNoun } from "../../present/format.js";
import { questionRows } from "../../query/answer-rows.js";
import { parseQuestionText } from "../../query/ask-text.js";
import { toReply } from "../reply.js";
import { queryContext, type SlackRuntime } from "../runtime.js";
import type { Args } from "./answer-buttons.js";

// "Download rows": the rows behind the answer's headline — the CSV `vitals ask --csv` prints and
// the read API sends with format=csv — uploaded (files.uploadV2) into the clicker's direct message
// with the app, whoever else can see the answer. Posting to a user id opens that conversation
// (chat:write), so no extra scope is needed to find it.

export function downloadRowsAction(runtime: SlackRuntime) {
  return async (args: Args): Promise<void> => {
    await args.ack();
    const text = args.action.value ?? "";
    const ctx = queryContext(runtime.deps);
    const rows = await runtime.compute(async () => {
      const parsed = await parseQuestionText(ctx, text);
      return parsed.ok ? questionRows(ctx, parsed.value) : parsed;
    });
    if (!rows.ok) {
      const reply = toReply(parseErrorBlocks(text, rows.error));
      await args.respond({ response_type: "ephemeral", replace_original: false, text: reply.text, blocks: reply.blocks ?? [] });
      return;
    }
    const userId = args.body.user.id;
    const n = rows.table.rows.length;
    const filename = rowsFileName(rows.table, rows.request.scope, new Date(rows.request.window.toMs).toISOString());
    const intro = await args.client.chat.postMessage({ channel: userId, text: `The ${n} ${sampleNoun(rows.table.metric)} behind "${text}", one row each (CSV).` });
    await args.client.files.uploadV2({
      channel_id: intro.channel ?? userId,
      file: Buffer.from(rowsCsv(rows.table), "utf8"),
      filename,
      title: filename,
    } as Parameters<typeof args.client.files.uploadV2>[0]);
    await args.respond({ response_type: "ephemeral", replace_original: false, text: `I sent you ${filename} (${n} rows) in a direct message.` });
  };
}
