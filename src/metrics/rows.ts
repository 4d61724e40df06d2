// The row types live with the reads that return them (src/store/rows.ts); the metrics import them
// as types only (issue 12: the store imports nothing from src/metrics).
export type * from "../store/rows.js";
