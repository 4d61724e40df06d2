// The GraphQL queries of a bulk sync, sized by GitHub's cost formula: every connection costs one
// request per parent node it is fetched for, and a query costs requests / 100 (rounded, at least 1).
// One query carries pages of several streams at once, packed up to MAX_REQUESTS, so that it costs
// 1 point:
//   deployments (100, their latest status: no nested connection)      1 request
//   history (100 commits, their parents)                           1 + 100 requests
//   n pull requests (their timeline: commits, reviews and labelling)  1 + n requests
//   k deployments' full status lists, by node id                         k requests
// A PR's labels are replayed from its timeline's labelled/unlabelled events rather than read from
// its `labels` connection: one nested connection per PR instead of two.
// Every query also reads rateLimit so the sync can pace itself on what GitHub says is left.

/** The most requests that still round to 1 point (149 / 100 = 1.49). */
export const MAX_REQUESTS = 149;
const HISTORY_PAGE_REQUESTS = 101;
export const PR_PAGE_MAX = 100;
export const STATUSES_MAX = 100;

const RATE_LIMIT = "rateLimit { cost remaining resetAt }";

const HISTORY_FIELDS = "pageInfo { hasNextPage endCursor }\n        nodes { oid message authoredDate committedDate parents(first: 10) { nodes { oid } } }";

const PULL_FIELDS = `pageInfo { hasNextPage endCursor }
      nodes {
        number title url createdAt updatedAt mergedAt headRefName additions deletions
        author { __typename login }
        mergeCommit { oid }
        timelineItems(first: 100, itemTypes: [PULL_REQUEST_COMMIT, PULL_REQUEST_REVIEW, LABELED_EVENT, UNLABELED_EVENT]) {
          pageInfo { hasNextPage }
          nodes {
            __typename
            ... on PullRequestCommit { commit { oid authoredDate committedDate } }
            ... on PullRequestReview { author { __typename login } state submittedAt }
            ... on LabeledEvent { label { name } }
            ... on UnlabeledEvent { label { name } }
          }
        }
      }`;

/** What one bulk query carries; a part left out is not in the query text (nor its variables). */
export interface BulkParts {
  readonly deployments?: { readonly after: string | null };
  /** The default branch's history: from its head (first page, head unknown yet) or from `head`. */
  readonly history?: { readonly head: string | null; readonly after: string | null };
  readonly pulls?: { readonly first: number; readonly after: string | null };
  readonly statuses?: { readonly ids: readonly string[] };
}

/** Requests a query of these parts needs, by the formula above. */
export function bulkRequests(parts: BulkParts): number {
  return (
    (parts.deployments ? 1 : 0) +
    (parts.history ? HISTORY_PAGE_REQUESTS : 0) +
    (parts.pulls ? 1 + parts.pulls.first : 0) +
    (parts.statuses ? parts.statuses.ids.length : 0)
  );
}

/** Deployments newest first, the default branch's history, merged PRs most recently updated first, status lists. */
export function bulkQuery(owner: string, name: string, parts: BulkParts): { query: string; variables: Record<string, unknown> } {
  const vars: string[] = ["$owner: String!", "$name: String!"];
  const variables: Record<string, unknown> = { owner, name };
  const fields: string[] = ["defaultBranchRef { target { oid } }"];
  if (parts.deployments) {
    vars.push("$deploymentsAfter: String");
    variables.deploymentsAfter = parts.deployments.after;
    fields.push(`deployments(first: 100, after: $deploymentsAfter, orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes { id databaseId commitOid environment createdAt latestStatus { state createdAt } }
    }`);
  }
  if (parts.history?.head === null) {
    fields.push(`head: defaultBranchRef { target { ... on Commit { history(first: 100) {
        ${HISTORY_FIELDS}
    } } } }`);
  } else if (parts.history) {
    vars.push("$head: GitObjectID!", "$historyAfter: String");
    Object.assign(variables, { head: parts.history.head, historyAfter: parts.history.after });
    fields.push(`object(oid: $head) { ... on Commit { history(first: 100, after: $historyAfter) {
        ${HISTORY_FIELDS}
    } } }`);
  }
  if (parts.pulls) {
    vars.push("$pulls: Int!", "$pullsAfter: String");
    Object.assign(variables, { pulls: parts.pulls.first, pullsAfter: parts.pulls.after });
    fields.push(`pullRequests(first: $pulls, after: $pullsAfter, states: MERGED, orderBy: {field: UPDATED_AT, direction: DESC}) {
      ${PULL_FIELDS}
    }`);
  }
  let statuses = "";
  if (parts.statuses) {
    vars.push("$ids: [ID!]!");
    variables.ids = parts.statuses.ids;
    statuses = `
  statuses: nodes(ids: $ids) {
    ... on Deployment { databaseId statuses(first: 100) { pageInfo { hasNextPage } nodes { state createdAt } } }
  }`;
  }
  const query = `query VitalsBulk(${vars.join(", ")}) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    ${fields.join("\n    ")}
  }${statuses}
}`;
  return { query, variables };
}

export interface RateLimitInfo {
  readonly cost: number;
  readonly remaining: number;
  readonly resetAt: string;
}

interface PageInfo {
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
}

export interface GqlDeployment {
  readonly id: string;
  readonly databaseId: number | null;
  readonly commitOid: string;
  readonly environment: string | null;
  readonly createdAt: string;
  readonly latestStatus: { readonly state: string; readonly createdAt: string } | null;
}

interface GqlHistoryCommit {
  readonly oid: string;
  readonly message: string;
  readonly authoredDate: string;
  readonly committedDate: string;
  readonly parents: { readonly nodes: readonly { readonly oid: string }[] };
}

export interface GqlHistoryPage {
  readonly pageInfo: PageInfo;
  readonly nodes: readonly GqlHistoryCommit[];
}

export interface GqlStatuses {
  readonly databaseId: number;
  readonly statuses: { readonly pageInfo: { readonly hasNextPage: boolean }; readonly nodes: readonly { readonly state: string; readonly createdAt: string }[] } | null;
}

export interface BulkData {
  readonly rateLimit: RateLimitInfo;
  readonly repository: {
    readonly defaultBranchRef: { readonly target: { readonly oid: string } } | null;
    readonly head?: { readonly target: { readonly history?: GqlHistoryPage } } | null;
    readonly deployments?: { readonly pageInfo: PageInfo; readonly nodes: readonly GqlDeployment[] };
    readonly object?: { readonly history?: GqlHistoryPage } | null;
    readonly pullRequests?: { readonly pageInfo: PageInfo; readonly nodes: readonly GqlPullRequest[] };
  };
  readonly statuses?: readonly (GqlStatuses | null)[];
}

export interface GqlActor {
  readonly __typename: string;
  readonly login: string;
}

export interface GqlPullRequest {
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly mergedAt: string | null;
  readonly headRefName: string;
  readonly additions: number;
  readonly deletions: number;
  readonly author: GqlActor | null;
  readonly mergeCommit: { readonly oid: string } | null;
  readonly timelineItems: {
    readonly pageInfo: { readonly hasNextPage: boolean };
    readonly nodes: readonly (
      | { readonly __typename: "PullRequestCommit"; readonly commit: { readonly oid: string; readonly authoredDate: string; readonly committedDate: string } }
      | { readonly __typename: "PullRequestReview"; readonly author: GqlActor | null; readonly state: string; readonly submittedAt: string | null }
      | { readonly __typename: "LabeledEvent" | "UnlabeledEvent"; readonly label: { readonly name: string } | null }
      | { readonly __typename: string }
    )[];
  };
}

/**
 * The merged PR of each commit whose message names none (rebase merges, direct pushes): what REST's
 * `commits/{sha}/pulls` answers, 100 commits a query (aliases c0…c99, one connection each).
 */
export function associatedPullRequestsQuery(count: number): string {
  const fields = Array.from({ length: count }, (_, i) => `c${i}: object(oid: $c${i}) { ... on Commit { associatedPullRequests(first: 5) { nodes { number mergedAt } } } }`);
  const vars = Array.from({ length: count }, (_, i) => `$c${i}: GitObjectID!`).join(", ");
  return `query VitalsCommitPullRequests($owner: String!, $name: String!, ${vars}) {\n  ${RATE_LIMIT}\n  repository(owner: $owner, name: $name) {\n    ${fields.join("\n    ")}\n  }\n}`;
}

export interface AssociatedPullRequestsData {
  readonly rateLimit: RateLimitInfo;
  readonly repository: Record<string, { readonly associatedPullRequests?: { readonly nodes: readonly { readonly number: number; readonly mergedAt: string | null }[] } } | null>;
}
