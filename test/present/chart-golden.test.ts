import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import { afterAll, describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import { kpiEngine } from "../../src/app/engines.js";
import { buildTeamDigest, renderDigestChart } from "../../src/jobs/digest.js";
import { silentLogger } from "../../src/log.js";
import { demoConfig } from "../../src/sources/demo/catalog.js";
import { generateDemoRecords } from "../../src/sources/demo/generate.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";

// The demo's payments digest chart against a committed image: a fixed "now", the demo's fixed seed
// and the bundled fonts make it deterministic. A change that moves pixels on purpose regenerates
// the golden with VITALS_UPDATE_GOLDEN=1 (and the README's copy, docs/digest-chart.png, by hand).

const NOW = Date.parse("2026-12-01T09:00:00Z");
const GOLDEN = fileURLToPath(new URL("../fixtures/chart/digest-payments.png", import.meta.url));
/** Anti-aliasing differences per pixel (pixelmatch's YIQ threshold) and the share of pixels allowed to differ. */
const PIXEL_THRESHOLD = 0.1;
const MAX_DIFF_SHARE = 0.002;

const dir = mkdtempSync(join(tmpdir(), "vitals-golden-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("digest chart golden image", () => {
  it("matches the committed demo chart within a small tolerance", async () => {
    const config = demoConfig();
    const store = createStore(openDatabase(join(dir, "demo.db")));
    try {
      store.catalog.syncFromConfig(config);
      store.write(generateDemoRecords({ nowMs: NOW }));
      const team = config.teams.find((t) => t.id === "payments")!;
      const { model } = await buildTeamDigest({ store, config, env: parseEnv({}), logger: silentLogger(), now: () => NOW }, kpiEngine, team, NOW);
      expect(model.chartAnnotations.length).toBeGreaterThan(0);
      const png = await renderDigestChart(model);
      if (process.env["VITALS_UPDATE_GOLDEN"] === "1" || !existsSync(GOLDEN)) {
        if (process.env["CI"]) throw new Error(`golden image ${GOLDEN} is missing`);
        writeFileSync(GOLDEN, png);
      }
      const actual = PNG.sync.read(Buffer.from(png));
      const expected = PNG.sync.read(readFileSync(GOLDEN));
      expect([actual.width, actual.height]).toEqual([expected.width, expected.height]);
      const diff = pixelmatch(actual.data, expected.data, undefined, actual.width, actual.height, { threshold: PIXEL_THRESHOLD });
      expect(diff / (actual.width * actual.height)).toBeLessThanOrEqual(MAX_DIFF_SHARE);
    } finally {
      store.close();
    }
  }, 60_000);
});
