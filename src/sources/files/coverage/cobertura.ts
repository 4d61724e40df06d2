import { XMLParser, XMLValidator } from "fast-xml-parser";
import { lineCoverage, type CoverageResult } from "./types.js";

// Cobertura XML (coverage-04.dtd; written by coverage.py, JaCoCo converters, istanbul's
// `cobertura` reporter, gcovr): the root <coverage> carries lines-valid and lines-covered. Older
// writers omit them, so the <line hits> elements are counted instead (once per file and line).

const ARRAYS = new Set(["coverage.packages.package", "coverage.packages.package.classes.class", "coverage.packages.package.classes.class.lines.line"]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseAttributeValue: false,
  isArray: (_name, jpath) => ARRAYS.has(String(jpath)),
});

type Node = Record<string, unknown>;

export function parseCobertura(text: string, fileName: string): CoverageResult {
  const valid = XMLValidator.validate(text);
  if (valid !== true) return { ok: false, problems: [`${fileName}:${valid.err.line}: not well-formed XML (${valid.err.msg})`] };
  const root = (parser.parse(text) as Node)["coverage"];
  if (typeof root !== "object" || root === null) {
    return { ok: false, problems: [`${fileName}: expected a Cobertura report (root element <coverage>)`] };
  }
  const coverage = root as Node;
  const problems: string[] = [];
  const attribute = (name: string): number | undefined => {
    const raw = coverage[name];
    if (raw === undefined) return undefined;
    if (typeof raw !== "string" || !/^\d+$/.test(raw.trim())) {
      problems.push(`${fileName}: coverage@${name}: expected a whole number, got ${JSON.stringify(raw)}`);
      return undefined;
    }
    return Number(raw);
  };
  const covered = attribute("lines-covered");
  const total = attribute("lines-valid");
  const timestamp = attribute("timestamp");
  if (problems.length > 0) return { ok: false, problems };
  // Java's Cobertura and coverage.py write milliseconds; istanbul writes seconds.
  const generatedAtMs = timestamp === undefined || timestamp === 0 ? undefined : timestamp < 1e11 ? timestamp * 1000 : timestamp;
  if (covered !== undefined && total !== undefined) return lineCoverage("cobertura", covered, total, fileName, generatedAtMs);
  return countLines(coverage, fileName, generatedAtMs);
}

function countLines(coverage: Node, fileName: string, generatedAtMs: number | undefined): CoverageResult {
  const hits = new Map<string, boolean>();
  const problems: string[] = [];
  for (const pkg of list(child(coverage, "packages"), "package")) {
    for (const cls of list(child(pkg, "classes"), "class")) {
      const file = String(cls["filename"] ?? cls["name"] ?? "");
      for (const line of list(child(cls, "lines"), "line")) {
        const number = String(line["number"] ?? "");
        const hitCount = String(line["hits"] ?? "");
        if (!/^\d+$/.test(number) || !/^\d+$/.test(hitCount)) {
          problems.push(`${fileName}: ${file}: <line number="${number}" hits="${hitCount}">: expected whole numbers`);
          continue;
        }
        const key = `${file}\n${number}`;
        hits.set(key, (hits.get(key) ?? false) || Number(hitCount) > 0);
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems: problems.slice(0, 50) };
  const covered = [...hits.values()].filter(Boolean).length;
  return lineCoverage("cobertura", covered, hits.size, fileName, generatedAtMs);
}

function child(node: Node, name: string): Node | undefined {
  const value = node[name];
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Node) : undefined;
}

function list(node: Node | undefined, name: string): Node[] {
  const value = node?.[name];
  return Array.isArray(value) ? (value.filter((v) => typeof v === "object" && v !== null) as Node[]) : [];
}
