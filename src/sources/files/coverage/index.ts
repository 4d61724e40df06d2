import { parseCobertura } from "./cobertura.js";
import { parseIstanbulSummary } from "./istanbul.js";
import { parseLcov } from "./lcov.js";
import { COVERAGE_FORMATS, type CoverageFormat, type CoverageResult } from "./types.js";

export { COVERAGE_FORMATS, type CoverageFormat, type CoverageResult } from "./types.js";

/** Which format a report is in, from its first characters: XML, JSON, or LCOV's `TN:`/`SF:` lines. */
export function detectCoverageFormat(text: string): CoverageFormat | undefined {
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start.startsWith("<")) return "cobertura";
  if (start.startsWith("{")) return "istanbul";
  if (/^(TN|SF|VER):/m.test(start)) return "lcov";
  return undefined;
}

/** Parse a coverage report into lines covered ÷ lines; `format` overrides detection. */
export function parseCoverageReport(text: string, fileName: string, format?: CoverageFormat): CoverageResult {
  const chosen = format ?? detectCoverageFormat(text);
  switch (chosen) {
    case "lcov":
      return parseLcov(text, fileName);
    case "cobertura":
      return parseCobertura(text.replace(/^\uFEFF/, ""), fileName);
    case "istanbul":
      return parseIstanbulSummary(text.replace(/^\uFEFF/, ""), fileName);
    default:
      return {
        ok: false,
        problems: [`${fileName}: unknown coverage format: expected ${COVERAGE_FORMATS.join(", ")} (LCOV .info, Cobertura XML, Istanbul coverage-summary.json)`],
      };
  }
}
