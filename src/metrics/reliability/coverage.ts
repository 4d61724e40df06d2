import type { MetricSpec } from "../spec.js";
import { computeLevel, LEVEL_METHODS, levelDefinition, levelDefinitionLine, type LevelData } from "./levels.js";
import { levelLines } from "../words.js";

// Code coverage (docs/metrics.md "Quality"): a level, the services' latest values averaged.

export const coverageSpec: MetricSpec<LevelData> = {
  id: "coverage",
  label: "Code coverage",
  unit: "percent",
  direction: "lower_is_worse",
  aliases: ["coverage", "code coverage"],
  sampleNoun: "services",
  howToConnect: "coverage comes from SonarQube (`SONAR_URL`, `SONAR_TOKEN`, `services[].sonar.project_key`) or a coverage file import",
  definitionLine: levelDefinitionLine,
  explain: () => levelDefinition(""),
  methods: LEVEL_METHODS,
  coverage: (reads) => levelLines(reads, "coverage_pct"),
  read: async (reads, { frame, services }) => [await reads.levelSamples("coverage_pct", frame.range, services), frame],
  compute: computeLevel,
};
