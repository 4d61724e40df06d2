import { answerKpi } from "../query/run.js";
import { evaluateThresholds } from "../query/thresholds.js";
import type { KpiEngine } from "./engine.js";

/** The real KPI engine (METRICS engineer's src/query/run.ts and thresholds.ts). */
export const defaultEngine: KpiEngine = { answerKpi, evaluateThresholds };
