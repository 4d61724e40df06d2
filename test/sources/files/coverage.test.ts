import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectCoverageFormat, parseCoverageReport } from "../../../src/sources/files/coverage/index.js";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/coverage/${name}`, import.meta.url), "utf8");

describe("coverage reports → lines covered ÷ lines", () => {
  it("reads an LCOV tracefile from its DA lines", () => {
    const result = parseCoverageReport(fixture("lcov.info"), "lcov.info");
    expect(result).toEqual({ ok: true, coverage: { format: "lcov", linesCovered: 9, linesValid: 12, pct: 75, generatedAtMs: undefined } });
  });

  it("unions DA lines of a source file that a merged tracefile lists twice", () => {
    const text = "SF:a.ts\nDA:1,1\nDA:2,0\nend_of_record\nSF:a.ts\nDA:1,0\nDA:2,3\nDA:3,0\nend_of_record\n";
    const result = parseCoverageReport(text, "merged.info");
    expect(result.ok && [result.coverage.linesCovered, result.coverage.linesValid]).toEqual([2, 3]);
  });

  it("falls back to LF/LH when a record has no DA lines", () => {
    const result = parseCoverageReport("TN:\nSF:b.ts\nLF:40\nLH:30\nend_of_record\n", "b.info");
    expect(result.ok && result.coverage.pct).toBe(75);
  });

  it("names the line and tag of a broken LCOV entry", () => {
    const result = parseCoverageReport("SF:a.ts\nDA:1,1\nDA:two,1\nLH:x\nend_of_record\n", "ci/lcov.info");
    expect(result).toEqual({
      ok: false,
      problems: ['ci/lcov.info:3: DA: expected "line,hits" with whole numbers, got "two,1"', 'ci/lcov.info:4: LH: expected a whole number, got "x"'],
    });
  });

  it("refuses an LCOV file whose last record is not closed", () => {
    const result = parseCoverageReport("SF:a.ts\nDA:1,1\n", "cut.info");
    expect(result.ok).toBe(false);
    expect(!result.ok && result.problems[0]).toMatch(/^cut\.info:\d+: the last record has no end_of_record/);
  });

  it("reads Cobertura's lines-covered/lines-valid and its millisecond timestamp (coverage.py)", () => {
    const result = parseCoverageReport(fixture("cobertura.xml"), "coverage.xml");
    expect(result).toEqual({
      ok: true,
      coverage: { format: "cobertura", linesCovered: 213, linesValid: 250, pct: 85.2, generatedAtMs: Date.parse("2024-05-04T11:00:00.123Z") },
    });
  });

  it("counts <line> elements when Cobertura omits the totals (istanbul, seconds timestamp)", () => {
    const result = parseCoverageReport(fixture("cobertura-no-totals.xml"), "cobertura.xml");
    expect(result).toEqual({
      ok: true,
      coverage: { format: "cobertura", linesCovered: 3, linesValid: 5, pct: 60, generatedAtMs: Date.parse("2024-05-04T11:00:00Z") },
    });
  });

  it("names the line of malformed XML and a bad attribute", () => {
    const broken = parseCoverageReport('<?xml version="1.0"?>\n<coverage lines-valid="3">\n<packages>\n</coverage>\n', "bad.xml");
    expect(!broken.ok && broken.problems[0]).toMatch(/^bad\.xml:\d+: not well-formed XML/);
    const attribute = parseCoverageReport('<coverage lines-valid="ten" lines-covered="3"></coverage>', "bad.xml");
    expect(attribute).toEqual({ ok: false, problems: ['bad.xml: coverage@lines-valid: expected a whole number, got "ten"'] });
  });

  it("reads the total lines of an Istanbul coverage-summary.json, recomputing pct", () => {
    const result = parseCoverageReport(fixture("coverage-summary.json"), "coverage-summary.json");
    expect(result).toEqual({ ok: true, coverage: { format: "istanbul", linesCovered: 338, linesValid: 412, pct: 82.04, generatedAtMs: undefined } });
  });

  it("explains what an Istanbul summary is missing", () => {
    expect(parseCoverageReport('{"total":{"lines":{"total":10,"covered":"9"}}}', "s.json")).toEqual({
      ok: false,
      problems: ['s.json: total.lines.covered: expected a whole number, got "9"'],
    });
    expect(parseCoverageReport("{}", "s.json")).toEqual({ ok: false, problems: [expect.stringMatching(/^s\.json: total\.lines: missing/)] });
  });

  it("refuses a report with nothing coverable and one covering more than it has", () => {
    expect(parseCoverageReport('{"total":{"lines":{"total":0,"covered":0,"pct":"Unknown"}}}', "s.json").ok).toBe(false);
    expect(parseCoverageReport("SF:a\nLF:2\nLH:3\nend_of_record\n", "a.info")).toEqual({ ok: false, problems: ["a.info: 3 lines covered out of 2: covered cannot exceed the total"] });
  });

  it("detects the format from the content", () => {
    expect(detectCoverageFormat(fixture("lcov.info"))).toBe("lcov");
    expect(detectCoverageFormat(fixture("cobertura.xml"))).toBe("cobertura");
    expect(detectCoverageFormat(fixture("coverage-summary.json"))).toBe("istanbul");
    expect(parseCoverageReport("hello", "x.txt")).toEqual({ ok: false, problems: [expect.stringMatching(/^x\.txt: unknown coverage format/)] });
  });
});
