import { renderQuestionResult } from "../../present/answer-text.js";
import { answerQuestion } from "../../query/ask.js";
import { parseKpiQuestion, zoneOf } from "../../query/parse.js";
import type { QuestionResult } from "../../query/types.js";
import { COMMON_HELP, UsageError, type CliCommand } from "../context.js";
import { effectiveConfig } from "../../slack/settings.js";
import { routeKpiText } from "../../slack/commands/route.js";

export const askCommand: CliCommand = {
  name: "ask",
  help: `Usage: vitals ask "<question>" [--json] [options]

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
A question that does not parse exits with code 2 and says what was expected.

${COMMON_HELP}`,
  options: { json: { type: "boolean" } },
  allowPositionals: true,
  async run(ctx) {
    // A trailing `public` (Slack: post in the channel) is accepted and means nothing in a terminal.
    const text = routeKpiText(ctx.positionals.join(" "), []).text;
    if (!text) throw new UsageError('expected a question, e.g. vitals ask "cfr last 30d for payments" (try: vitals ask help)');
    const store = ctx.openStore({ mustExist: true });
    // Thresholds set from Slack (`/kpi threshold set`) apply here too, as in the app.
    const config = effectiveConfig(ctx.config(), { thresholds: store.slack.thresholds(), subscriptions: store.slack.subscriptions() });
    try {
      const nowMs = ctx.now();
      const services = store.catalog.services().map((s) => s.id);
      const parsed = parseKpiQuestion(text, { nowMs, config, services });
      if (!parsed.ok) {
        ctx.io.stderr(`vitals ask: ${parsed.error}\n`);
        return 2;
      }
      const result = answerQuestion({ store, config, nowMs }, parsed.value);
      if (ctx.values.json === true) {
        ctx.io.stdout(`${JSON.stringify(jsonOf(result), null, 2)}\n`);
      } else {
        const q = parsed.value;
        const scope = q.kind === "metric" ? q.request.scope : q.kind === "summary" ? q.scope : { kind: "org" as const, id: null };
        ctx.io.stdout(`${renderQuestionResult(result, { zone: zoneOf(scope, config) })}\n`);
      }
      return 0;
    } finally {
      store.close();
    }
  },
};

/** The JSON shape `--json` prints (README: Answer JSON). */
export function jsonOf(result: QuestionResult): unknown {
  switch (result.kind) {
    case "answer":
      return result.compared ? { ...result.answer, compared: result.compared } : result.answer;
    case "summary":
      return result.answers;
    case "explain":
      return result.explanation;
    case "help":
      return { help: result.text };
  }
}
