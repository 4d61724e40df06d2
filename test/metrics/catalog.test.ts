import { describe, expect, it } from "vitest";
import { parseFileConfig } from "../../src/config/file.js";
import { METRIC_IDS } from "../../src/domain/metric-ids.js";
import { METRICS } from "../../src/metrics/catalog.js";
import type { ExplainInput } from "../../src/metrics/spec.js";
import { metricByName } from "../../src/query/aliases.js";

// The catalog is the list of what a metric is (issue 12): every id has a complete module, and no two
// metrics answer to the same word.

const config = parseFileConfig("timezone: UTC\n", "vitals.yml");
const input: ExplainInput = { config, filters: { changeFailure: "every incident", recovery: "every incident" }, nowMs: Date.parse("2026-03-20T12:00:00Z") };
const UNITS = ["per_day", "hours", "percent", "ms", "usd_per_user_month"];
const nonEmpty = (text: string): void => expect(text.trim().length).toBeGreaterThan(3);

describe("the metric catalog", () => {
  it("has exactly one module per metric id, keyed by its own id", () => {
    expect(Object.keys(METRICS).sort()).toEqual([...METRIC_IDS].sort());
    for (const id of METRIC_IDS) expect(METRICS[id].id).toBe(id);
  });

  it.each(METRIC_IDS)("%s: label, unit, direction, noun and how-to-connect hint", (id) => {
    const spec = METRICS[id];
    nonEmpty(spec.label);
    expect(UNITS).toContain(spec.unit);
    expect(["higher_is_worse", "lower_is_worse"]).toContain(spec.direction);
    expect(spec.sampleNoun.trim()).not.toBe("");
    nonEmpty(spec.howToConnect);
  });

  it.each(METRIC_IDS)("%s: explain text, methods and a one-line definition", (id) => {
    const spec = METRICS[id];
    const definition = spec.explain(input);
    nonEmpty(definition.definition);
    nonEmpty(definition.formula);
    expect(definition.tiers.trim()).not.toBe("");
    expect(definition.basis.length).toBeGreaterThan(0);
    for (const part of [spec.methods.attribution, spec.methods.test, spec.methods.interval]) expect(part.trim()).not.toBe("");
    const line = spec.definitionLine({ value: 1, sample_size: 7, stats: { services: 2, failed: 1, rework: 1 } }, "last 30 days");
    expect(line).toContain("last 30 days");
  });

  it("gives every alias to one metric only, and every alias names its metric", () => {
    const owner = new Map<string, string>();
    for (const id of METRIC_IDS) {
      expect(METRICS[id].aliases.length).toBeGreaterThan(0);
      for (const alias of METRICS[id].aliases) {
        expect(owner.get(alias), `"${alias}" is an alias of ${owner.get(alias)} and ${id}`).toBeUndefined();
        owner.set(alias, id);
        expect(metricByName(alias)).toBe(id);
      }
    }
  });

  it("keeps labels unique, so answers and digests never name two metrics alike", () => {
    const labels = METRIC_IDS.map((id) => METRICS[id].label);
    expect(new Set(labels).size).toBe(labels.length);
  });
});
