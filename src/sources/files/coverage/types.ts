/** What every coverage report format boils down to: docs/metrics.md's coverage is lines covered ÷ lines. */
interface LineCoverage {
  readonly format: CoverageFormat;
  readonly linesCovered: number;
  readonly linesValid: number;
  /** 100 × covered ÷ valid, two decimals. */
  readonly pct: number;
  /** The report's own generation time, when it records one (Cobertura's `timestamp`). */
  readonly generatedAtMs?: number | undefined;
}

export const COVERAGE_FORMATS = ["lcov", "cobertura", "istanbul"] as const;
export type CoverageFormat = (typeof COVERAGE_FORMATS)[number];

export type CoverageResult = { ok: true; coverage: LineCoverage } | { ok: false; problems: string[] };

export function lineCoverage(format: CoverageFormat, linesCovered: number, linesValid: number, fileName: string, generatedAtMs?: number): CoverageResult {
  if (linesValid <= 0) return { ok: false, problems: [`${fileName}: the report counts no coverable lines, so there is no coverage to record`] };
  if (linesCovered > linesValid) {
    return { ok: false, problems: [`${fileName}: ${linesCovered} lines covered out of ${linesValid}: covered cannot exceed the total`] };
  }
  const pct = Math.round((10_000 * linesCovered) / linesValid) / 100;
  return { ok: true, coverage: { format, linesCovered, linesValid, pct, generatedAtMs } };
}
