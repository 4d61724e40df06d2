// The GraphQL queries of a bulk sync, sized by GitHub's cost formula: every connection costs one
// request per parent node it is fetched for, and a query costs requests / 100 (rounded, at least 1).
// A page below therefore costs 1 point:
//   deployments (100, their latest status: no nested connection) + history (100, parents) = 102 requests;
//   74 pull requests × (timeline of commits and reviews + labels) + 1 = 149 requests;
//   100 deployments' statuses by id = 100 requests.
// Every query also reads rateLimit so the sync can pace itself on what GitHub says is left.

export const PR_PAGE = 74;

const RATE_LIMIT = "rateLimit { cost remaining resetAt }";

/** Deployments newest first and (with a head) the default branch's history from that head. */
export const DEPLOYMENTS_AND_HISTORY = `
query VitalsDeploymentsAndHistory($owner: String!, $name: String!, $deploymentsAfter: String, $withDeployments: Boolean!, $head: GitObjectID, $historyAfter: String, $withHistory: Boolean!) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    defaultBranchRef { target { oid } }
    deployments(first: 100, after: $deploymentsAfter, orderBy: {field: CREATED_AT, direction: DESC}) @include(if: $withDeployments) {
      pageInfo { hasNextPage endCursor }
      nodes { id databaseId commitOid environment createdAt latestStatus { state createdAt } }
    }
    object(oid: $head) @include(if: $withHistory) {
      ... on Commit {
        history(first: 100, after: $historyAfter) {
          pageInfo { hasNextPage endCursor }
          nodes { oid message authoredDate committedDate parents(first: 10) { nodes { oid } } }
        }
      }
    }
  }
}`;

/** The full status list of deployments whose latest status does not settle their outcome. */
export const DEPLOYMENT_STATUSES = `
query VitalsDeploymentStatuses($ids: [ID!]!) {
  ${RATE_LIMIT}
  nodes(ids: $ids) {
    ... on Deployment {
      databaseId
      statuses(first: 100) { pageInfo { hasNextPage } nodes { state createdAt } }
    }
  }
}`;

/** Merged pull requests, most recently updated first, with what lead time and the rework rules need. */
export const PULL_REQUESTS = `
query VitalsPullRequests($owner: String!, $name: String!, $after: String) {
  ${RATE_LIMIT}
  repository(owner: $owner, name: $name) {
    pullRequests(first: ${PR_PAGE}, after: $after, states: MERGED, orderBy: {field: UPDATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        number title url createdAt updatedAt mergedAt headRefName additions deletions
        author { __typename login }
        mergeCommit { oid }
        labels(first: 100) { pageInfo { hasNextPage } nodes { name } }
        timelineItems(first: 100, itemTypes: [PULL_REQUEST_COMMIT, PULL_REQUEST_REVIEW]) {
          pageInfo { hasNextPage }
          nodes {
            __typename
            ... on PullRequestCommit { commit { oid authoredDate committedDate } }
            ... on PullRequestReview { author { __typename login } state submittedAt }
          }
        }
      }
    }
  }
}`;

export interface RateLimitInfo {
  readonly cost: number;
  readonly remaining: number;
  readonly resetAt: string;
}

export interface PageInfo {
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

export interface GqlHistoryCommit {
  readonly oid: string;
  readonly message: string;
  readonly authoredDate: string;
  readonly committedDate: string;
  readonly parents: { readonly nodes: readonly { readonly oid: string }[] };
}

export interface DeploymentsAndHistoryData {
  readonly rateLimit: RateLimitInfo;
  readonly repository: {
    readonly defaultBranchRef: { readonly target: { readonly oid: string } } | null;
    readonly deployments?: { readonly pageInfo: PageInfo; readonly nodes: readonly GqlDeployment[] };
    readonly object?: { readonly history?: { readonly pageInfo: PageInfo; readonly nodes: readonly GqlHistoryCommit[] } } | null;
  };
}

export interface DeploymentStatusesData {
  readonly rateLimit: RateLimitInfo;
  readonly nodes: readonly ({ readonly databaseId: number; readonly statuses: { readonly pageInfo: { readonly hasNextPage: boolean }; readonly nodes: readonly { readonly state: string; readonly createdAt: string }[] } | null } | null)[];
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
  readonly labels: { readonly pageInfo: { readonly hasNextPage: boolean }; readonly nodes: readonly { readonly name: string }[] } | null;
  readonly timelineItems: {
    readonly pageInfo: { readonly hasNextPage: boolean };
    readonly nodes: readonly (
      | { readonly __typename: "PullRequestCommit"; readonly commit: { readonly oid: string; readonly authoredDate: string; readonly committedDate: string } }
      | { readonly __typename: "PullRequestReview"; readonly author: GqlActor | null; readonly state: string; readonly submittedAt: string | null }
      | { readonly __typename: string }
    )[];
  };
}

export interface PullRequestsData {
  readonly rateLimit: RateLimitInfo;
  readonly repository: { readonly pullRequests: { readonly pageInfo: PageInfo; readonly nodes: readonly GqlPullRequest[] } };
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
