import { renderQuestionResult } from "../../present/answer-text.js";
import { rowsCsv } from "../../present/csv.js";
import { questionRows } from "../../query/answer-rows.js";
import { answerJson, askText, parseQuestionText } from "../../query/ask-text.js";
import { zoneOf } from "../../query/parse.js";
import { splitPublicFlag } from "../../query/public-flag.js";
import type { QuestionResult } from "../../query/types.js";
import { COMMON_HELP, UsageError, type CliCommand } from "../context.js";

export const askCommand: CliCommand = {
  name: "ask",
  help: `Usage: vitals ask "<question>" [--json | --csv] [options]

Answers a question in the /kpi language (the same as in Slack):
  <metric> [window] [for <team|service>] [vs <window>]
  summary | dora [window] [for <team|service>]    the four keys at once
  explain <metric>                                 definition in force, formula, data coverage
  help

Examples:
  vitals ask "cfr last 30d for payments"
  vitals ask "lead time this quarter for checkout vs last quarter"
  vitals ask --json "mttr q1 2026"
  vitals ask "explain uptime"

--json prints the answer as JSON (the Answer JSON of the README: a KpiAnswer for a metric, with
"compared" when asked "vs"; an array of KpiAnswers for summary; the explanation for explain).
--csv prints the rows behind the headline as RFC 4180 CSV: a header and one row per item it counts
(sample_size rows: deployments, changes, incidents or samples; docs/read-api.md lists the columns).
A question that does not parse exits with code 2 and says what was expected.

${COMMON_HELP}`,
  options: { json: { type: "boolean" }, csv: { type: "boolean" } },
  allowPositionals: true,
  async run(ctx) {
    // A trailing `public` (Slack: post in the channel) is accepted and means nothing in a terminal.
    const text = splitPublicFlag(ctx.positionals.join(" ")).text;
    if (!text) throw new UsageError('expected a question, e.g. vitals ask "cfr last 30d for payments" (try: vitals ask help)');
    // The effective config: thresholds set from Slack (`/kpi threshold set`) apply here too, as in the app.
    const deps = await ctx.deps({ mustExist: true });
    const { store, config } = deps;
    try {
      const qctx = { store, config, nowMs: ctx.now() };
      if (ctx.values.csv === true) {
        if (ctx.values.json === true) throw new UsageError("--json and --csv: choose one");
        const parsed = await parseQuestionText(qctx, text);
        if (!parsed.ok) {
          ctx.io.stderr(`vitals ask: ${parsed.error}\n`);
          return 2;
        }
        const rows = await questionRows(qctx, parsed.value);
        if (!rows.ok) {
          ctx.io.stderr(`vitals ask: ${rows.error}\n`);
          return 2;
        }
        ctx.io.stdout(rowsCsv(rows.table));
        return 0;
      }
      const asked = await askText(qctx, text);
      if (!asked.ok) {
        ctx.io.stderr(`vitals ask: ${asked.error}\n`);
        return 2;
      }
      const { result } = asked;
      if (ctx.values.json === true) {
        ctx.io.stdout(`${JSON.stringify(jsonOf(result), null, 2)}\n`);
      } else {
        const q = asked.question;
        const scope = q.kind === "metric" ? q.request.scope : q.kind === "summary" ? q.scope : { kind: "org" as const, id: null };
        ctx.io.stdout(`${renderQuestionResult(result, { zone: zoneOf(scope, config) })}\n`);
      }
      return 0;
    } finally {
      await store.close();
    }
  },
};

/** The JSON shape `--json` prints (README: Answer JSON); the read API sends the same. */
export function jsonOf(result: QuestionResult): unknown {
  return answerJson(result);
}
