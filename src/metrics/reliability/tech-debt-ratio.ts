import type { MetricSpec } from "../spec.js";
import { computeLevel, LEVEL_METHODS, levelDefinition, levelDefinitionLine, type LevelData } from "./levels.js";
import { levelLines } from "../words.js";

// Technical debt ratio (docs/metrics.md "Quality"): SonarQube's remediation cost ÷ development cost,
// a level like coverage.

export const techDebtRatioSpec: MetricSpec<LevelData> = {
  id: "tech_debt_ratio",
  label: "Technical debt ratio",
  unit: "percent",
  direction: "higher_is_worse",
  aliases: ["debt", "tech debt", "technical debt", "tech debt ratio"],
  sampleNoun: "services",
  howToConnect: "the debt ratio comes from SonarQube: set `SONAR_URL`, `SONAR_TOKEN` and `services[].sonar.project_key`",
  definitionLine: levelDefinitionLine,
  explain: () => levelDefinition(" SonarQube's remediation cost ÷ development cost."),
  methods: LEVEL_METHODS,
  coverage: (reads) => levelLines(reads, "tech_debt_ratio_pct"),
  read: async (reads, { frame, services }) => [await reads.levelSamples("tech_debt_ratio_pct", frame.range, services), frame],
  compute: computeLevel,
};
