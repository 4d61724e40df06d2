import { schema as published } from "@octokit/graphql-schema";
import {
  buildSchema,
  execute,
  getNamedType,
  GraphQLError,
  isObjectType,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import type { FakeCommit, FakeDeployment, FakePull, FakeRepo } from "./server.js";

// The fake's GraphQL endpoint: queries are parsed, validated and executed against GitHub's published
// schema (@octokit/graphql-schema), so a query GitHub would reject fails here too. Resolvers read the
// same history the REST fake serves. Each query is charged points by GitHub's documented formula
// (every connection costs one request per parent node it is fetched for; requests / 100, rounded,
// at least 1) and the budget is kept across queries, so `rateLimit { cost remaining resetAt }` is real.

let cachedSchema: GraphQLSchema | undefined;

export function githubSchema(): GraphQLSchema {
  // The published SDL defines one field twice (EnterpriseOwnerInfo.repositoryDeployKeySetting), which
  // strict SDL validation refuses; queries are still validated in full against the built schema.
  cachedSchema ??= buildSchema(published.idl, { assumeValidSDL: true });
  return cachedSchema;
}

export interface GraphqlBudget {
  limit: number;
  remaining: number;
  resetAt: string;
  /** Points charged so far (the bench reads this). */
  used: number;
}

export interface GraphqlAnswer {
  status: number;
  body: unknown;
  cost: number;
}

export function answerGraphql(repos: Map<string, FakeRepo>, budget: GraphqlBudget, body: string): GraphqlAnswer {
  let request: { query?: unknown; variables?: unknown };
  try {
    request = JSON.parse(body) as typeof request;
  } catch {
    return { status: 400, body: { message: "Problems parsing JSON" }, cost: 0 };
  }
  if (typeof request.query !== "string") return { status: 200, body: { errors: [{ message: "A query attribute must be specified and must be a string." }] }, cost: 0 };
  const schema = githubSchema();
  let document: DocumentNode;
  try {
    document = parse(request.query);
  } catch (error) {
    return { status: 200, body: { errors: [{ message: (error as GraphQLError).message }] }, cost: 0 };
  }
  const variables = (request.variables ?? {}) as Record<string, unknown>;
  const invalid = validate(schema, document);
  if (invalid.length > 0) return { status: 200, body: { errors: invalid.map((e) => ({ message: e.message, locations: e.locations })) }, cost: 0 };
  let requests: number;
  try {
    requests = connectionRequests(schema, document, variables);
  } catch (error) {
    return { status: 200, body: { errors: [{ type: "MISSING_PAGINATION_BOUNDARIES", message: (error as Error).message }] }, cost: 0 };
  }
  const cost = Math.max(1, Math.round(requests / 100));
  if (cost > budget.remaining) {
    return { status: 200, body: { errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }] }, cost: 0 };
  }
  budget.remaining -= cost;
  budget.used += cost;
  const errors: { type: string; path: readonly (string | number)[]; message: string }[] = [];
  const root = {
    repository: ({ owner, name }: { owner: string; name: string }) => {
      const repo = repos.get(`${owner}/${name}`.toLowerCase());
      if (!repo) throw notFound(`Could not resolve to a Repository with the name '${owner}/${name}'.`);
      return repository(repo);
    },
    rateLimit: () => ({ cost, limit: budget.limit, remaining: budget.remaining, resetAt: budget.resetAt, used: budget.used, nodeCount: requests }),
    nodes: ({ ids }: { ids: string[] }) => ids.map((id) => nodeById(repos, id)),
  };
  const result = execute({ schema, document, rootValue: root, variableValues: variables });
  if (result instanceof Promise) throw new Error("the fake's resolvers are synchronous");
  for (const e of result.errors ?? []) {
    const type = (e.originalError as { type?: string } | undefined)?.type ?? "INTERNAL";
    errors.push({ type, path: e.path ?? [], message: e.message });
  }
  return { status: 200, body: errors.length > 0 ? { data: result.data ?? null, errors } : { data: result.data }, cost };
}

function notFound(message: string): Error {
  return Object.assign(new Error(message), { type: "NOT_FOUND" });
}

/**
 * Requests a query needs, as GitHub counts them: each connection field costs the product of the
 * `first`/`last` of the connections above it (1 at the top), and of the ids of a `nodes(ids:)` above it. A connection without `first`/`last`
 * or with one outside 1–100 is rejected, as GitHub does.
 */
function connectionRequests(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let total = 0;
  const argValue = (field: FieldNode, name: string): number | undefined => {
    const arg = field.arguments?.find((a) => a.name.value === name);
    if (!arg) return undefined;
    if (arg.value.kind === Kind.INT) return Number(arg.value.value);
    if (arg.value.kind === Kind.VARIABLE) {
      const v = variables[arg.value.name.value];
      return typeof v === "number" ? v : undefined;
    }
    return undefined;
  };
  const idsCount = (field: FieldNode): number | undefined => {
    const arg = field.arguments?.find((a) => a.name.value === "ids");
    if (!arg) return undefined;
    if (arg.value.kind === Kind.LIST) return arg.value.values.length;
    if (arg.value.kind === Kind.VARIABLE) {
      const v = variables[arg.value.name.value];
      return Array.isArray(v) ? v.length : undefined;
    }
    return undefined;
  };
  const walk = (type: GraphQLCompositeType, set: SelectionSetNode, multiplier: number) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.INLINE_FRAGMENT) {
        const t = sel.typeCondition ? (schema.getType(sel.typeCondition.name.value) as GraphQLCompositeType) : type;
        walk(t, sel.selectionSet, multiplier);
        continue;
      }
      if (sel.kind === Kind.FRAGMENT_SPREAD) {
        const f = fragments.get(sel.name.value)!;
        walk(schema.getType(f.typeCondition.name.value) as GraphQLCompositeType, f.selectionSet, multiplier);
        continue;
      }
      if (!isObjectType(type) && !("getFields" in type)) continue;
      const def = (type as { getFields: () => Record<string, { type: Parameters<typeof getNamedType>[0] }> }).getFields()[sel.name.value];
      if (!def || !sel.selectionSet) continue;
      const named = getNamedType(def.type) as GraphQLCompositeType;
      let next = multiplier;
      // A field fetched once per id (`nodes(ids:)`) multiplies what is below it, as a page does.
      const ids = idsCount(sel);
      if (ids !== undefined) next = multiplier * ids;
      if (named.name.endsWith("Connection")) {
        const limit = argValue(sel, "first") ?? argValue(sel, "last");
        if (limit === undefined) throw new Error(`You must provide a \`first\` or \`last\` value to properly paginate the \`${sel.name.value}\` connection.`);
        if (limit < 1 || limit > 100) throw new Error(`Requesting ${limit} records on the \`${sel.name.value}\` connection exceeds the \`first\` limit of 100 records.`);
        total += multiplier;
        next = multiplier * limit;
      }
      walk(named, sel.selectionSet, next);
    }
  };
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) walk(schema.getQueryType()!, d.selectionSet, 1);
  }
  return total;
}

interface Page {
  first?: number;
  after?: string;
  last?: number;
}

const cursorOf = (i: number) => Buffer.from(`cursor:v2:${i}`).toString("base64");
const indexOf = (cursor: string) => Number(Buffer.from(cursor, "base64").toString().split(":")[2]);

function connection<T>(items: readonly T[], page: Page) {
  const start = page.after ? indexOf(page.after) + 1 : 0;
  const size = page.first ?? page.last ?? 100;
  const slice = items.slice(start, start + size);
  const end = start + slice.length - 1;
  return {
    nodes: slice,
    edges: slice.map((node, i) => ({ node, cursor: cursorOf(start + i) })),
    totalCount: items.length,
    pageInfo: {
      hasNextPage: start + slice.length < items.length,
      hasPreviousPage: start > 0,
      startCursor: slice.length > 0 ? cursorOf(start) : null,
      endCursor: slice.length > 0 ? cursorOf(end) : null,
    },
  };
}

/** Parents of the commit at `index`: as given, or the commit before it (a linear history). */
export function parentShas(repo: FakeRepo, index: number): string[] {
  const c = repo.commits[index]!;
  if (c.parents) return c.parents;
  return index > 0 ? [repo.commits[index - 1]!.sha] : [];
}

/** Indexes of every commit reachable from `index` (itself included). */
export function ancestorIndexes(repo: FakeRepo, index: number): Set<number> {
  const bySha = new Map(repo.commits.map((c, i) => [c.sha, i]));
  const seen = new Set<number>();
  const stack = [index];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (seen.has(i)) continue;
    seen.add(i);
    for (const p of parentShas(repo, i)) {
      const j = bySha.get(p);
      if (j !== undefined) stack.push(j);
    }
  }
  return seen;
}

const ms = (iso: string) => Date.parse(iso);

function repository(repo: FakeRepo) {
  const commitAt = (i: number) => commit(repo, i);
  const bySha = (sha: string) => repo.commits.findIndex((c) => c.sha === sha);
  return {
    nameWithOwner: `${repo.owner}/${repo.name}`,
    defaultBranchRef: repo.commits.length === 0 ? null : { name: repo.defaultBranch, prefix: "refs/heads/", target: commitAt(repo.commits.length - 1) },
    deployments: (args: Page & { environments?: string[]; orderBy?: { field: string; direction: string } }) => {
      const list = repo.deployments
        .filter((d) => !args.environments || args.environments.includes(d.environment))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id - b.id);
      if (args.orderBy?.direction === "DESC") list.reverse();
      return connection(list.map((d) => deployment(repo, d)), args);
    },
    pullRequests: (args: Page & { states?: string[]; orderBy?: { field: string; direction: string } }) => {
      const state = (p: FakePull) => (p.mergedAt ? "MERGED" : "OPEN");
      const field = args.orderBy?.field ?? "CREATED_AT";
      const key = (p: FakePull) => (field === "UPDATED_AT" ? updatedAt(p) : p.createdAt);
      const list = repo.pulls.filter((p) => !args.states || args.states.includes(state(p))).sort((a, b) => key(a).localeCompare(key(b)) || a.number - b.number);
      if (args.orderBy?.direction === "DESC") list.reverse();
      return connection(list.map((p) => pullRequest(repo, p)), args);
    },
    pullRequest: ({ number }: { number: number }) => {
      const p = repo.pulls.find((x) => x.number === number);
      if (!p) throw notFound(`Could not resolve to a PullRequest with the number of ${number}.`);
      return pullRequest(repo, p);
    },
    object: ({ oid, expression }: { oid?: string; expression?: string }) => {
      const i = bySha(oid ?? expression ?? "");
      return i < 0 ? null : commitAt(i);
    },
  };
}

const updatedAt = (p: FakePull) => p.updatedAt ?? p.mergedAt ?? p.createdAt;

function commit(repo: FakeRepo, index: number): Record<string, unknown> {
  const c: FakeCommit = repo.commits[index]!;
  return {
    __typename: "Commit",
    id: `C_${repo.owner}_${repo.name}_${c.sha}`,
    oid: c.sha,
    message: c.message,
    messageHeadline: c.message.split("\n")[0],
    authoredDate: c.date,
    committedDate: c.date,
    url: `https://github.com/${repo.owner}/${repo.name}/commit/${c.sha}`,
    parents: (page: Page) => {
      const list = parentShas(repo, index).map((sha) => repo.commits.findIndex((x) => x.sha === sha)).filter((i) => i >= 0);
      return connection(list.map((i) => ({ __typename: "Commit", oid: repo.commits[i]!.sha })), page);
    },
    history: (args: Page & { since?: string; until?: string }) => {
      const reachable = [...ancestorIndexes(repo, index)].sort((a, b) => b - a);
      const since = args.since ? ms(args.since) : -Infinity;
      const until = args.until ? ms(args.until) : Infinity;
      const list = reachable.filter((i) => ms(repo.commits[i]!.date) >= since && ms(repo.commits[i]!.date) <= until);
      return connection(list.map((i) => commit(repo, i)), args);
    },
    associatedPullRequests: (page: Page) => {
      const list = repo.pulls.filter((p) => p.mergeCommitSha === c.sha || p.commits.some((pc) => pc.sha === c.sha));
      return connection(list.map((p) => pullRequest(repo, p)), page);
    },
  };
}

function deployment(repo: FakeRepo, d: FakeDeployment): Record<string, unknown> {
  const statuses = d.statuses.map((s, i) => ({ __typename: "DeploymentStatus", id: `DES_${d.id}_${i}`, state: s.state.toUpperCase(), createdAt: s.createdAt, updatedAt: s.createdAt }));
  return {
    __typename: "Deployment",
    id: `DE_${repo.owner}/${repo.name}_${d.id}`,
    databaseId: d.id,
    commitOid: d.sha,
    environment: d.environment,
    originalEnvironment: d.environment,
    latestEnvironment: d.environment,
    createdAt: d.createdAt,
    updatedAt: d.statuses.at(-1)?.createdAt ?? d.createdAt,
    latestStatus: statuses.at(-1) ?? null,
    state: statuses.at(-1)?.state ?? "PENDING",
    // GitHub lists a deployment's statuses newest first.
    statuses: (page: Page) => connection([...statuses].reverse(), page),
  };
}

function nodeById(repos: Map<string, FakeRepo>, id: string): unknown {
  const m = /^DE_(.+)_(\d+)$/.exec(id);
  if (!m) return null;
  const repo = repos.get(m[1]!.toLowerCase());
  const d = repo?.deployments.find((x) => x.id === Number(m[2]));
  return repo && d ? deployment(repo, d) : null;
}

function pullRequest(repo: FakeRepo, p: FakePull): Record<string, unknown> {
  const actor = (login: string) => (login.endsWith("[bot]") ? { __typename: "Bot", login: login.slice(0, -5) } : { __typename: "User", login });
  return {
    __typename: "PullRequest",
    id: `PR_${repo.owner}_${repo.name}_${p.number}`,
    number: p.number,
    title: p.title,
    url: `https://github.com/${repo.owner}/${repo.name}/pull/${p.number}`,
    createdAt: p.createdAt,
    updatedAt: updatedAt(p),
    mergedAt: p.mergedAt,
    merged: p.mergedAt !== null,
    state: p.mergedAt ? "MERGED" : "OPEN",
    headRefName: p.headRef,
    additions: p.additions,
    deletions: p.deletions,
    author: actor(p.author),
    mergeCommit: p.mergeCommitSha ? { __typename: "Commit", oid: p.mergeCommitSha } : null,
    labels: (page: Page) => connection(p.labels.map((name) => ({ __typename: "Label", name })), page),
    commits: (page: Page) =>
      connection(p.commits.map((c) => ({ __typename: "PullRequestCommit", commit: { __typename: "Commit", oid: c.sha, authoredDate: c.date, committedDate: c.date } })), page),
    // The timeline in time order; only the item types asked for (commits, reviews and the labelling
    // of the PR's labels, in their order, when it was opened, are modelled).
    timelineItems: (args: Page & { itemTypes?: string[] }) => {
      const want = (t: string) => !args.itemTypes || args.itemTypes.includes(t);
      const items = [
        ...(want("PULL_REQUEST_COMMIT") ? p.commits.map((c) => ({ at: c.date, node: { __typename: "PullRequestCommit", commit: { __typename: "Commit", oid: c.sha, authoredDate: c.date, committedDate: c.date } } })) : []),
        ...(want("PULL_REQUEST_REVIEW")
          ? p.reviews.map((r) => ({ at: r.submittedAt, node: { __typename: "PullRequestReview", author: actor(r.user), state: r.state, submittedAt: r.state === "PENDING" ? null : r.submittedAt } }))
          : []),
        ...(want("LABELED_EVENT")
          ? p.labels.map((name) => ({ at: p.createdAt, node: { __typename: "LabeledEvent", createdAt: p.createdAt, label: { __typename: "Label", name } } }))
          : []),
      ].sort((a, b) => a.at.localeCompare(b.at));
      return connection(items.map((i) => i.node), args);
    },
    reviews: (page: Page) =>
      connection(p.reviews.map((r) => ({ __typename: "PullRequestReview", author: actor(r.user), state: r.state, submittedAt: r.state === "PENDING" ? null : r.submittedAt })), page),
  };
}
