import { decideAlert } from "../alerts/decide.js";
import { answerQuestion } from "../query/ask.js";
import type { KpiEngine, QuestionEngine } from "../query/engine.js";
import { answerKpi } from "../query/run.js";
import { evaluateThresholds } from "../query/thresholds.js";
import type { PreviewRules } from "../query/threshold-preview.js";

// The real engines, bound here and nowhere else: the jobs, the listeners, the CLI and the test
// harness receive them from the composition root (no `?? defaultEngine` deep inside a module).
// Pure functions over the store passed in each call, so nothing here holds a database.

/** src/query/run.ts and src/query/thresholds.ts: what the jobs (digests, alerts) ask. */
export const kpiEngine: KpiEngine = { answerKpi, evaluateThresholds };

/** src/query/ask.ts: what `/kpi`, the buttons and App Home ask. */
export const questionEngine: QuestionEngine = { answerQuestion };

/** `/kpi threshold preview`: the answers and the alert job's own state machine. */
export const previewRules: PreviewRules = { answerKpi, decideAlert };
