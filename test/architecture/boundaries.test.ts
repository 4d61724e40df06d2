import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The layer order of docs/architecture.md ("Layers") is enforced by `npm run lint`
// (eslint-plugin-boundaries in eslint.config.js). These run the project's own ESLint configuration on
// imports written into real files' paths, so a wrong-way import provably fails the lint step.
const eslint = new ESLint({ cwd: process.cwd() });

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "boundaries/dependencies" && m.severity === 2).map((m) => m.message);
}

describe("layer boundaries in the lint", () => {
  it.each([
    ["src/domain importing src/store", "src/domain/scope.ts", 'import { openStore } from "../store/index.js";\nexport const o = openStore;\n', "layer shared may not value-import layer store"],
    ["src/metrics importing src/slack", "src/metrics/decompose.ts", 'import type { SlackConnection } from "../slack/connect.js";\nexport type C = SlackConnection;\n', "layer metrics may not type-import layer slack"],
    ["src/store importing src/metrics", "src/store/alerts.ts", 'import { percentile } from "../metrics/percentile.js";\nexport const p = percentile;\n', "layer store may not value-import layer metrics"],
    ["src/metrics value-importing src/store", "src/metrics/decompose.ts", 'import { openStore } from "../store/index.js";\nexport const o = openStore;\n', "layer metrics may not value-import layer store"],
    ["src/query importing src/slack", "src/query/run.ts", 'import { toReply } from "../slack/reply.js";\nexport const r = toReply;\n', "layer query may not value-import layer slack"],
    ["src/sources importing src/metrics", "src/sources/registry.ts", 'import { percentile } from "../metrics/percentile.js";\nexport const p = percentile;\n', "layer sources may not value-import layer metrics"],
    ["src/jobs importing src/slack", "src/jobs/digest.ts", 'import type { SlackConnection } from "../slack/connect.js";\nexport type C = SlackConnection;\n', "layer jobs may not type-import layer slack"],
    ["src/metrics lazily importing src/slack", "src/metrics/decompose.ts", 'export const later = () => import("../slack/reply.js");\n', "layer metrics may not value-import layer slack"],
    ["src/store re-exporting src/metrics", "src/store/alerts.ts", 'export { percentile } from "../metrics/percentile.js";\n', "layer store may not value-import layer metrics"],
    ["src/sources importing the value formatter", "src/sources/registry.ts", 'import { formatValue } from "../present/format-value.js";\nexport const f = formatValue;\n', "layer sources may not value-import layer formatter"],
    ["src/slack importing src/jobs (a peer, not a layer below)", "src/slack/app.ts", 'import { startScheduler } from "../jobs/scheduler.js";\nexport const s = startScheduler;\n', "layer slack may not value-import layer jobs"],
    ["src/config importing src/store", "src/config/store-options.ts", 'import type { Store } from "../store/index.js";\nexport type S = Store;\n', "layer config may not type-import layer store"],
    ["the logger importing src/store", "src/log.ts", 'import { openStore } from "./store/index.js";\nexport const o = openStore;\n', "layer log may not value-import layer store"],
    ["src/present value-importing src/query", "src/present/csv.ts", 'import { parseKpiQuestion } from "../query/parse.js";\nexport const p = parseKpiQuestion;\n', "layer present may not value-import layer query"],
  ])("fails on %s", async (_name, filePath, code, message) => {
    const errors = await boundaryErrors(filePath, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(message);
  });

  it.each([
    ["src/metrics type-importing src/store", "src/metrics/decompose.ts", 'import type { Store } from "../store/index.js";\nexport type S = Store;\n'],
    ["src/query importing src/metrics and src/store", "src/query/run.ts", 'import { percentile } from "../metrics/percentile.js";\nimport { openStore } from "../store/index.js";\nexport const x = [percentile, openStore];\n'],
    ["src/present type-importing src/query", "src/present/csv.ts", 'import type { KpiParseResult } from "../query/parse.js";\nexport type P = KpiParseResult;\n'],
    ["src/cli importing src/slack", "src/cli/context.ts", 'import { toReply } from "../slack/reply.js";\nexport const r = toReply;\n'],
    ["src/metrics importing the value formatter", "src/metrics/decompose.ts", 'import { formatValue } from "../present/format-value.js";\nexport const f = formatValue;\n'],
    ["src/query importing the value formatter", "src/query/run.ts", 'import { formatValue } from "../present/format-value.js";\nexport const f = formatValue;\n'],
    ["src/slack importing the link confirmations' actions", "src/slack/app.ts", 'import { answerConfirmation } from "../confirmations/actions.js";\nexport const a = answerConfirmation;\n'],
    ["src/slack importing the sync sources' types", "src/slack/commands/sync.ts", 'import type { SyncSource } from "../../sources/types.js";\nexport type S = SyncSource;\n'],
    ["src/sources type-importing AppDeps", "src/sources/registry.ts", 'import type { AppDeps } from "../app-deps.js";\nexport type D = AppDeps;\n'],
  ])("passes %s", async (_name, filePath, code) => {
    expect(await boundaryErrors(filePath, code)).toEqual([]);
  });

  it("keeps I/O packages out of the pure rooms", async () => {
    const [result] = await eslint.lintText('import Database from "better-sqlite3";\nexport const d = Database;\n', { filePath: "src/metrics/decompose.ts" });
    expect(result?.messages.map((m) => m.ruleId)).toContain("no-restricted-imports");
  });
});
