import { describe, expect, it } from "vitest";
import { deploymentOutcome, firstReviewAtMs, isDeployWorkflow, isHotfixPr, isRevertPr, nextLink, prNumberFromMessage } from "../../../src/sources/github/normalise.js";

const t = (hh: number) => `2026-03-01T${String(hh).padStart(2, "0")}:00:00Z`;

describe("deploymentOutcome", () => {
  it("is the latest success or failure, timed at that status", () => {
    expect(deploymentOutcome([{ state: "in_progress", created_at: t(1) }, { state: "success", created_at: t(2) }])).toEqual({ status: "success", atMs: Date.parse(t(2)) });
    expect(deploymentOutcome([{ state: "error", created_at: t(1) }])).toEqual({ status: "failure", atMs: Date.parse(t(1)) });
    expect(deploymentOutcome([{ state: "failure", created_at: t(1) }, { state: "success", created_at: t(3) }])).toEqual({ status: "success", atMs: Date.parse(t(3)) });
  });
  it("keeps a success when the deployment later goes inactive or active (statuses arrive newest first)", () => {
    expect(deploymentOutcome([{ state: "inactive", created_at: t(5) }, { state: "active", created_at: t(3) }, { state: "success", created_at: t(2) }])).toEqual({ status: "success", atMs: Date.parse(t(2)) });
  });
  it("is pending while queued or in progress, and for inactive without a success", () => {
    expect(deploymentOutcome([{ state: "queued", created_at: t(1) }, { state: "in_progress", created_at: t(2) }])).toEqual({ status: "pending" });
    expect(deploymentOutcome([{ state: "inactive", created_at: t(1) }])).toEqual({ status: "pending" });
    expect(deploymentOutcome([])).toEqual({ status: "pending" });
  });
});

describe("prNumberFromMessage", () => {
  it("reads squash and merge commit messages as GitHub writes them", () => {
    expect(prNumberFromMessage("Add cart (#812)\n\n* wip")).toBe(812);
    expect(prNumberFromMessage("Merge pull request #77 from acme/feature/x\n\nAdd x")).toBe(77);
  });
  it("finds none in a plain commit or a number elsewhere in the message", () => {
    expect(prNumberFromMessage("Fix typo")).toBeUndefined();
    expect(prNumberFromMessage("Fix typo\n\nSee (#12)")).toBeUndefined();
    expect(prNumberFromMessage("Refs #12 in the middle")).toBeUndefined();
  });
});

describe("firstReviewAtMs", () => {
  it("is the earliest submitted review by someone other than the author", () => {
    const reviews = [
      { user: { login: "alice" }, state: "COMMENTED", submitted_at: t(1) },
      { user: { login: "bob" }, state: "APPROVED", submitted_at: t(4) },
      { user: { login: "carol" }, state: "CHANGES_REQUESTED", submitted_at: t(3) },
      { user: { login: "dan" }, state: "PENDING", submitted_at: null },
      { user: null, state: "COMMENTED", submitted_at: t(0) },
    ];
    expect(firstReviewAtMs("alice", reviews)).toBe(Date.parse(t(3)));
    expect(firstReviewAtMs("alice", [reviews[0]!])).toBeUndefined();
  });
});

describe("hotfix and revert rules", () => {
  it("marks hotfix/incident labels (any case) and hotfix/ branches as hotfixes", () => {
    expect(isHotfixPr({ labels: ["HotFix"] })).toBe(true);
    expect(isHotfixPr({ labels: ["incident"] })).toBe(true);
    expect(isHotfixPr({ labels: [], headBranch: "hotfix/login" })).toBe(true);
    expect(isHotfixPr({ labels: ["bug"], headBranch: "fix/hotfix-docs" })).toBe(false);
  });
  it("recognises GitHub's revert PRs by title or branch", () => {
    expect(isRevertPr({ title: 'Revert "Add cart"' })).toBe(true);
    expect(isRevertPr({ title: "Undo cart", headBranch: "revert-812-feature/cart" })).toBe(true);
    expect(isRevertPr({ title: "Reverted spacing", headBranch: "style" })).toBe(false);
  });
});

describe("isDeployWorkflow and nextLink", () => {
  it("matches a workflow by name or by file", () => {
    expect(isDeployWorkflow({ name: "Deploy", path: ".github/workflows/deploy.yml" }, "deploy.yml")).toBe(true);
    expect(isDeployWorkflow({ name: "Deploy", path: ".github/workflows/deploy.yml@refs/heads/main" }, "deploy.yml")).toBe(true);
    expect(isDeployWorkflow({ name: "Deploy", path: ".github/workflows/ci.yml" }, "Deploy")).toBe(true);
    expect(isDeployWorkflow({ name: "CI", path: ".github/workflows/ci.yml" }, "deploy.yml")).toBe(false);
  });
  it("reads the next page from a Link header", () => {
    const link = '<https://api.github.com/repositories/1/deployments?page=2>; rel="next", <https://api.github.com/repositories/1/deployments?page=5>; rel="last"';
    expect(nextLink(link)).toBe("https://api.github.com/repositories/1/deployments?page=2");
    expect(nextLink('<https://x/?page=1>; rel="prev"')).toBeUndefined();
    expect(nextLink(undefined)).toBeUndefined();
  });
});
