import type { VitalsRecord } from "../../domain/records.js";
import { COVERAGE_FORMATS, parseCoverageReport, type CoverageFormat } from "../../sources/files/coverage/index.js";
import { COMMON_HELP, readInput, UsageError, type CliCommand, type CommandContext } from "../context.js";

export const coverageCommand: CliCommand = {
  name: "coverage",
  help: `Usage: vitals coverage FILE --service ID [--at ISO] [--format lcov|cobertura|istanbul] [options]

Reads a coverage report (LCOV .info, Cobertura XML, or Istanbul's coverage-summary.json; the format
is detected from the content) and stores one coverage_pct sample for the service: lines covered ÷
lines, in percent. The sample's time is --at, else the report's own timestamp (Cobertura), else
now. Recording the same report at the same time again changes nothing. "-" reads standard input.

Options:
  --service ID     the service the report belongs to (required)
  --at ISO         when the coverage was measured, e.g. 2026-05-04T10:00:00Z
  --format NAME    skip detection: ${COVERAGE_FORMATS.join(", ")}

${COMMON_HELP}`,
  options: {
    service: { type: "string" },
    at: { type: "string" },
    format: { type: "string" },
  },
  allowPositionals: true,
  async run(ctx) {
    const [file, ...extra] = ctx.positionals;
    if (!file || extra.length > 0) throw new UsageError("coverage: give exactly one report file (or - for standard input)");
    const service = requireService(ctx);
    const atMs = optionalTime(ctx.values.at, "--at");
    const format = optionalFormat(ctx.values.format);
    const label = file === "-" ? "stdin" : file;
    const text = await readInput(ctx.io, file);
    if (text === null) return 2;
    const parsed = parseCoverageReport(text, label, format);
    if (!parsed.ok) {
      ctx.io.stderr(parsed.problems.map((p) => `${p}\n`).join(""));
      ctx.io.stderr(`${label}: nothing was written\n`);
      return 2;
    }
    const { coverage } = parsed;
    const record: VitalsRecord = {
      kind: "metric",
      source: "coverage",
      service,
      name: "coverage_pct",
      atMs: atMs ?? coverage.generatedAtMs ?? ctx.now(),
      value: coverage.pct,
    };
    const result = await (await ctx.openStore()).write([record]);
    const outcome = result.samples.inserted > 0 ? "recorded" : result.samples.updated > 0 ? "updated" : "unchanged";
    ctx.io.stdout(
      `${label}: ${coverage.format}, ${coverage.linesCovered} of ${coverage.linesValid} lines covered = ${coverage.pct}% ` +
        `for ${service} at ${new Date(record.atMs).toISOString()} (${outcome})\n`,
    );
    return 0;
  },
};

function requireService(ctx: CommandContext): string {
  const service = ctx.values.service;
  if (typeof service !== "string" || service === "") throw new UsageError("coverage: --service is required (the service the report belongs to)");
  if (!/^[a-z0-9][a-z0-9_.-]*$/.test(service)) throw new UsageError(`--service: expected a lower-case service id (letters, digits, '-', '_', '.'), got "${service}"`);
  // A typo would otherwise create a service nobody asks about.
  const known = ctx.config().services.map((s) => s.id);
  if (known.length > 0 && !known.includes(service)) throw new UsageError(`--service: unknown service "${service}"; the config file has ${known.join(", ")}`);
  return service;
}

/** An ISO timestamp with an offset, or undefined when the option is absent. */
export function optionalTime(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || !/T.*([zZ]|[+-]\d\d:?\d\d)$/.test(text)) {
    throw new UsageError(`${option}: expected an ISO timestamp with an offset, e.g. 2026-05-04T10:00:00Z (got "${text}")`);
  }
  return ms;
}

function optionalFormat(value: unknown): CoverageFormat | undefined {
  if (value === undefined) return undefined;
  const format = String(value) as CoverageFormat;
  if (!COVERAGE_FORMATS.includes(format)) throw new UsageError(`--format: expected one of ${COVERAGE_FORMATS.join(", ")} (got "${String(value)}")`);
  return format;
}
