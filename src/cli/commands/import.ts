import { parseNdjson } from "../../sources/files/ndjson.js";
import { COMMON_HELP, readInput, UsageError, type CliCommand } from "../context.js";

export const importCommand: CliCommand = {
  name: "import",
  help: `Usage: vitals import FILE... [options]

Reads newline-delimited JSON records (one per line; "-" reads standard input) and writes each file
in one transaction. A file with any bad line is reported line by line and nothing from it is written.
Importing the same file twice changes nothing. The record format is in the README ("Import format").

${COMMON_HELP}`,
  options: {},
  allowPositionals: true,
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new UsageError("import: give at least one file (or - for standard input)");
    const store = await ctx.openStore();
    let failed = 0;
    for (const file of ctx.positionals) {
      const started = performance.now();
      const text = await readInput(ctx.io, file);
      if (text === null) {
        failed++;
        continue;
      }
      const parsed = parseNdjson(text, file === "-" ? "stdin" : file, "import");
      if (!parsed.ok) {
        failed++;
        ctx.io.stderr(parsed.problems.map((p) => `${p}\n`).join(""));
        ctx.io.stderr(`${file}: ${parsed.badCount} bad record${parsed.badCount === 1 ? "" : "s"}; nothing from this file was written\n`);
        continue;
      }
      const result = await store.write(parsed.records);
      const written = (k: keyof typeof result) => {
        const s = result[k] as { inserted: number; updated: number; unchanged: number };
        return `${s.inserted} new, ${s.updated} updated, ${s.unchanged} unchanged`;
      };
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      ctx.io.stdout(
        `${file}: ${parsed.records.length} records in ${seconds}s — deployments ${written("deployments")}; ` +
          `incidents ${written("incidents")}; metrics ${written("samples")}; annotations ${written("annotations")}\n`,
      );
    }
    return failed > 0 ? 2 : 0;
  },
};
