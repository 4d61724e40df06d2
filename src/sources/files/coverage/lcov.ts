import { lineCoverage, type CoverageResult } from "./types.js";

// LCOV tracefiles (geninfo(1) "TRACEFILE FORMAT"): per source file `SF:`, `DA:line,hits[,checksum]`,
// `LF:` lines found, `LH:` lines hit, `end_of_record`. Tools that merge runs can repeat a source
// file, so DA lines are unioned per file; LF/LH only count for a file without DA lines.

interface FileLines {
  readonly hits: Map<number, boolean>;
  found: number;
  hit: number;
}

export function parseLcov(text: string, fileName: string): CoverageResult {
  const files = new Map<string, FileLines>();
  const problems: string[] = [];
  let current: FileLines | undefined;
  let records = 0;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    const where = `${fileName}:${index + 1}`;
    if (line === "end_of_record") {
      if (!current) problems.push(`${where}: end_of_record: no SF: line opened this record`);
      else records++;
      current = undefined;
      return;
    }
    const colon = line.indexOf(":");
    const tag = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1);
    if (tag === "SF") {
      if (current) problems.push(`${where}: SF: the previous record has no end_of_record`);
      if (value === "") problems.push(`${where}: SF: expected a source file path`);
      current = files.get(value) ?? { hits: new Map(), found: 0, hit: 0 };
      files.set(value, current);
      return;
    }
    if (tag !== "DA" && tag !== "LF" && tag !== "LH") return;
    if (!current) {
      problems.push(`${where}: ${tag}: appears outside a record (expected SF: first)`);
      return;
    }
    if (tag === "DA") {
      const [lineNo, hits] = value.split(",");
      if (!isCount(lineNo) || !isCount(hits)) {
        problems.push(`${where}: DA: expected "line,hits" with whole numbers, got "${value}"`);
        return;
      }
      const covered = Number(hits) > 0;
      current.hits.set(Number(lineNo), (current.hits.get(Number(lineNo)) ?? false) || covered);
      return;
    }
    if (!isCount(value)) {
      problems.push(`${where}: ${tag}: expected a whole number, got "${value}"`);
      return;
    }
    if (tag === "LF") current.found += Number(value);
    else current.hit += Number(value);
  });
  if (current) problems.push(`${fileName}:${lines.length}: the last record has no end_of_record`);
  if (problems.length > 0) return { ok: false, problems };
  if (records === 0) return { ok: false, problems: [`${fileName}: no LCOV records (expected SF:… lines ending with end_of_record)`] };
  let covered = 0;
  let valid = 0;
  for (const file of files.values()) {
    if (file.hits.size > 0) {
      valid += file.hits.size;
      for (const hit of file.hits.values()) if (hit) covered++;
    } else {
      valid += file.found;
      covered += file.hit;
    }
  }
  return lineCoverage("lcov", covered, valid, fileName);
}

function isCount(value: string | undefined): value is string {
  return value !== undefined && /^\d+$/.test(value.trim());
}
