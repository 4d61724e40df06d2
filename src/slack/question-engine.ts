import { answerQuestion } from "../query/ask.js";
import type { QuestionEngine } from "./runtime.js";

/** The real engine: questions routed by src/query/ask.ts, metrics computed by src/query/run.ts. */
export const questionEngine: QuestionEngine = { answerQuestion };
