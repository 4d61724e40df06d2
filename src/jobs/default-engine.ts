import { answerKpi } from "../query/run.js";
import { evaluateThresholds } from "../query/thresholds.js";
import type { KpiEngine } from "./engine.js";

/** The real KPI engine: src/query/run.ts and src/query/thresholds.ts. */
export const defaultEngine: KpiEngine = { answerKpi, evaluateThresholds };
