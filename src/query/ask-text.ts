import { answerQuestion } from "./ask.js";
import { parseKpiQuestion, type KpiParseResult } from "./parse.js";
import type { KpiQuestion, QueryContext, QuestionResult } from "./types.js";

// A question as text → parsed → answered: the one path `vitals ask` and the read API
// (GET /api/v1/kpi) share, so that both give the same answer for the same data and moment.

export type AskedText =
  | { readonly ok: true; readonly question: KpiQuestion; readonly result: QuestionResult }
  | { readonly ok: false; readonly error: string };

/**
 * Services are the catalog's (the config file's plus those records named), as the CLI has always
 * parsed them: read (awaited, issue 19) before the pure parse.
 */
export async function parseQuestionText(ctx: QueryContext, text: string): Promise<KpiParseResult> {
  const services = (await ctx.store.catalog.services()).map((s) => s.id);
  return parseKpiQuestion(text, { nowMs: ctx.nowMs, config: ctx.config, services });
}

export async function askText(ctx: QueryContext, text: string): Promise<AskedText> {
  const parsed = await parseQuestionText(ctx, text);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return { ok: true, question: parsed.value, result: await answerQuestion(ctx, parsed.value) };
}

/** The Answer JSON (README): a KpiAnswer (with "compared" for vs), an array for summary, the explanation for explain. */
export function answerJson(result: QuestionResult): unknown {
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
