import { describe, expect, it } from "vitest";
import { parseNdjson, parseRecordList } from "../../src/sources/files/ndjson.js";

const good = [
  { kind: "deployment", id: "d-1", service: "checkout", status: "success", finished_at: "2026-03-02T10:00:00Z", sha: "ABCDEF1", changes: [{ sha: "abcdef1", committed_at: "2026-03-01T08:00:00+01:00", pr: { number: 12, merged_at: "2026-03-02T09:00:00Z" } }] },
  { kind: "incident", id: "PD-1", service: "checkout", title: "5xx spike", created_at: "2026-03-02T11:00:00Z", resolved_at: "2026-03-02T12:30:00Z", deployment_id: "d-1" },
  { kind: "metric", name: "uptime_pct", service: "checkout", at: "2026-03-02T00:00:00Z", until: "2026-03-03T00:00:00Z", value: 99.95 },
  { kind: "annotation", at: "2026-03-02T09:00:00Z", text: "Froze deploys for the sale", team: "payments" },
];

describe("the NDJSON import format", () => {
  it("turns each line into a normalised record with UTC epoch times", () => {
    const result = parseNdjson(good.map((r) => JSON.stringify(r)).join("\n") + "\n\n", "data.ndjson", "import");
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.records).toHaveLength(4);
    expect(result.records[0]).toMatchObject({
      kind: "deployment",
      externalId: "d-1",
      environment: "production",
      sha: "abcdef1",
      finishedAtMs: Date.parse("2026-03-02T10:00:00Z"),
      changes: [{ sha: "abcdef1", committedAtMs: Date.parse("2026-03-01T07:00:00Z"), pr: { number: 12 } }],
    });
    expect(result.records[1]).toMatchObject({ kind: "incident", deploymentRef: "d-1", resolvedAtMs: Date.parse("2026-03-02T12:30:00Z") });
  });

  it("gives an annotation without an id a stable identity, so re-importing it changes nothing", () => {
    const a = parseNdjson(JSON.stringify(good[3]), "a", "import");
    const b = parseNdjson(JSON.stringify(good[3]), "b", "import");
    expect(a.ok && b.ok && a.records[0]).toEqual(b.ok && b.records[0]);
  });

  it("reports every bad line with its number, field and what was expected", () => {
    const lines = [
      JSON.stringify(good[0]),
      "{not json",
      JSON.stringify({ ...good[1], created_at: "yesterday" }),
      JSON.stringify({ ...good[2], value: 140 }),
      JSON.stringify({ kind: "deploy" }),
      JSON.stringify({ ...good[1], resolved_at: "2026-03-01T00:00:00Z" }),
    ];
    const result = parseNdjson(lines.join("\n"), "bad.ndjson", "import");
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.badCount).toBe(5);
    expect(result.problems[0]).toMatch(/^bad\.ndjson:2: not valid JSON/);
    expect(result.problems).toContain("bad.ndjson:3: created_at: expected an ISO 8601 timestamp with an offset, e.g. 2026-05-04T10:12:00Z");
    expect(result.problems).toContain("bad.ndjson:4: value: expected a percentage from 0 to 100");
    expect(result.problems).toContain('bad.ndjson:5: kind: expected "kind" to be one of deployment, incident, metric, annotation');
    expect(result.problems).toContain("bad.ndjson:6: resolved_at: must not be before created_at");
  });

  it("rejects the same deployment id twice in one file", () => {
    const result = parseRecordList([good[0], good[0]], "body", "api");
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems).toEqual(['body[1]: id: duplicate deployment id "d-1" (first at body[0])']);
  });

  it("caps the list of problems and says how many more there are", () => {
    const result = parseNdjson(Array.from({ length: 60 }, () => "nope").join("\n"), "f", "import");
    expect(!result.ok && result.problems.length).toBe(51);
    expect(!result.ok && result.problems[50]).toBe("… and 10 more problems");
  });
});
