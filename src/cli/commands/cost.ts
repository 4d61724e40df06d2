import { COST_COLUMNS, parseFocusCost, type CostColumn } from "../../sources/files/cost.js";
import { COMMON_HELP, readInput, UsageError, type CliCommand } from "../context.js";

export const costCommand: CliCommand = {
  name: "cost",
  help: `Usage: vitals cost FILE.csv [--cost-column BilledCost|EffectiveCost] [options]

Reads a FOCUS cost export (columns BilledCost, ChargePeriodStart, ChargePeriodEnd, Tags, and
optionally BillingCurrency, which must be USD) and stores the cost per service and charge period as
infra_cost_usd samples. Rows map to services by the tag named in the config file's
cost.service_tag (default "service"); untagged rows, and rows tagged with a service the config does
not list, count at organisation scope (cost.share_untagged shares them out at query time).
A file with any bad row is reported row by row and nothing from it is written. Importing the same
file again changes nothing; a later export of the same periods replaces their values.

Options:
  --cost-column NAME   ${COST_COLUMNS.join(" or ")} (default BilledCost: what the invoice says)

${COMMON_HELP}`,
  options: { "cost-column": { type: "string" } },
  allowPositionals: true,
  async run(ctx) {
    const [file, ...extra] = ctx.positionals;
    if (!file || extra.length > 0) throw new UsageError("cost: give exactly one FOCUS CSV file (or - for standard input)");
    const column = ctx.values["cost-column"] ?? "BilledCost";
    if (!COST_COLUMNS.includes(column as CostColumn)) throw new UsageError(`--cost-column: expected ${COST_COLUMNS.join(" or ")} (got "${String(column)}")`);
    const label = file === "-" ? "stdin" : file;
    const text = await readInput(ctx.io, file);
    if (text === null) return 2;
    const config = ctx.config();
    const parsed = parseFocusCost(text, label, {
      serviceTag: config.cost.service_tag,
      knownServices: config.services.map((s) => s.id),
      costColumn: column as CostColumn,
    });
    if (!parsed.ok) {
      ctx.io.stderr(parsed.problems.map((p) => `${p}\n`).join(""));
      ctx.io.stderr(`${label}: nothing from this file was written\n`);
      return 2;
    }
    const { summary } = parsed;
    const stats = (await (await ctx.openStore()).write(parsed.records)).samples;
    const usd = (v: number) => `$${v.toFixed(2)}`;
    const lines = [
      `${label}: ${summary.rows} rows, ${usd(summary.totalUsd)} ${column} across ${summary.services} service${summary.services === 1 ? "" : "s"} → ` +
        `${parsed.records.length} cost samples (${stats.inserted} new, ${stats.updated} updated, ${stats.unchanged} unchanged)`,
      `untagged: ${usd(summary.untaggedUsd)} at organisation scope` +
        (config.cost.share_untagged ? ", shared across services in proportion to their tagged cost (cost.share_untagged)" : ""),
    ];
    if (summary.unknownTagValues.length > 0) {
      lines.push(`tag "${config.cost.service_tag}" names services the config file does not list (counted as untagged): ${summary.unknownTagValues.join(", ")}`);
    }
    ctx.io.stdout(lines.map((l) => `${l}\n`).join(""));
    return 0;
  },
};
