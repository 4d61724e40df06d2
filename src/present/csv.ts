import { stringify } from "csv-stringify/sync";
import type { RowTable } from "../query/answer-rows.js";

// RFC 4180 CSV of the rows behind an answer: a header, CRLF line ends, fields quoted when they
// hold a comma, quote or line break. Booleans print as true/false (csv-stringify's default is
// 1/empty); a missing value is an empty field.

export function rowsCsv(table: RowTable): string {
  return stringify(table.rows.map((row) => [...row]), {
    header: true,
    columns: [...table.columns],
    record_delimiter: "windows",
    // A bare LF inside a field is a line break too (RFC 4180 §2.6), though not the record delimiter.
    quoted_match: /[\r\n]/,
    cast: { boolean: (value) => (value ? "true" : "false") },
  });
}

/** A file name that says what the rows are: vitals-change_failure_rate-team-payments-2026-05-04.csv. */
export function rowsFileName(table: RowTable, scope: { kind: string; id: string | null }, toIso: string): string {
  const where = scope.id === null ? "org" : `${scope.kind}-${scope.id.replace(/[^A-Za-z0-9_.-]/g, "_")}`;
  return `vitals-${table.metric}-${where}-${toIso.slice(0, 10)}.csv`;
}
