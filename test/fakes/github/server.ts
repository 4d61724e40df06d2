import { createHash, createVerify, type KeyObject } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { example, exampleItem } from "./examples.js";
import { ancestorIndexes, answerGraphql, type GraphqlBudget } from "./graphql.js";

// A fake GitHub REST and GraphQL API on 127.0.0.1: the endpoints the connector uses, with GitHub's behaviour
// where it matters (Link pagination, ETag/304, rate-limit headers, the 250-commit compare cap,
// installation tokens for App auth). Bodies are GitHub's published examples with scenario fields
// overridden. Every request is recorded so tests can assert exactly what was asked (probot style).

export interface FakeCommit {
  sha: string;
  message: string;
  date: string;
  /** Parent shas; default: the commit before it in the list (a linear history). */
  parents?: string[];
}
export interface FakeDeployment {
  id: number;
  sha: string;
  environment: string;
  createdAt: string;
  statuses: { state: string; createdAt: string }[];
}
export interface FakeRun {
  id: number;
  name: string;
  path: string;
  headBranch: string;
  headSha: string;
  event: string;
  status: string;
  conclusion: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface FakeRelease {
  id: number;
  tagName: string;
  sha: string;
  draft: boolean;
  prerelease: boolean;
  createdAt: string;
  publishedAt: string | null;
}
export interface FakePull {
  number: number;
  title: string;
  author: string;
  createdAt: string;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  headRef: string;
  labels: string[];
  additions: number;
  deletions: number;
  commits: { sha: string; date: string }[];
  reviews: { user: string; state: string; submittedAt: string }[];
  /** Default: mergedAt, else createdAt. */
  updatedAt?: string;
}
export interface FakeRepo {
  owner: string;
  name: string;
  defaultBranch: string;
  /** Every commit of the default branch's history, oldest first (parents default to the one before). */
  commits: FakeCommit[];
  deployments: FakeDeployment[];
  runs: FakeRun[];
  releases: FakeRelease[];
  pulls: FakePull[];
}

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. /repos/acme/shop/deployments?per_page=100 */
  url: string;
  headers: IncomingMessage["headers"];
  /** POST bodies (the GraphQL query). */
  body?: string;
  /** GraphQL points the request was charged. */
  cost?: number;
}

interface Injected {
  match: (method: string, path: string) => boolean;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  times: number;
}

export interface FakeGithubOptions {
  /** Accepted personal access token. */
  token?: string;
  /** GitHub App: id, the public half of its key, the installation, and the token it is issued. */
  app?: { appId: string; publicKey: KeyObject; installationId: string; installationToken: string };
}

export class FakeGithub {
  readonly repos = new Map<string, FakeRepo>();
  readonly requests: RecordedRequest[] = [];
  private readonly injected: Injected[] = [];
  private server?: Server;
  baseUrl = "";
  /** Milliseconds to hold every answer (a slow GitHub: crash tests kill a sync while it is still at work). */
  delayMs = 0;
  /** The GraphQL budget (5,000 points an hour), kept across queries like GitHub's. */
  readonly graphqlBudget: GraphqlBudget = { limit: 5000, remaining: 5000, used: 0, resetAt: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z") };

  constructor(private readonly options: FakeGithubOptions) {}

  repo(owner: string, name: string, defaultBranch = "main"): FakeRepo {
    const repo: FakeRepo = { owner, name, defaultBranch, commits: [], deployments: [], runs: [], releases: [], pulls: [] };
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  /** Answer the next `times` matching requests with this response instead (rate limits, outages). */
  inject(match: (method: string, path: string) => boolean, status: number, headers: Record<string, string> = {}, body: unknown = {}, times = 1): void {
    this.injected.push({ match, status, headers, body, times });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** "GET /repos/acme/shop/deployments?per_page=100" lines, in order. */
  requestLines(): string[] {
    return this.requests.map((r) => `${r.method} ${r.url}`);
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", this.baseUrl);
      const method = req.method ?? "GET";
      const recorded: RecordedRequest = { method, url: url.pathname + url.search, headers: req.headers };
      if (method === "POST") recorded.body = Buffer.concat(chunks).toString("utf8");
      this.requests.push(recorded);
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        const payload = body === undefined ? "" : JSON.stringify(body);
        const etag = `W/"${createHash("sha1").update(payload).digest("hex")}"`;
        const common = {
          "content-type": "application/json; charset=utf-8",
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "4999",
          "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
          "x-ratelimit-resource": "core",
          "x-github-request-id": `FAKE:${this.requests.length}`,
        };
        // Conditional requests: a matching ETag gets 304 with no body (and costs no rate limit).
        if (status === 200 && method === "GET" && req.headers["if-none-match"] === etag) {
          res.writeHead(304, { ...common, etag });
          res.end();
          return;
        }
        const send = () => {
          res.writeHead(status, { ...common, ...(status === 200 ? { etag } : {}), ...headers });
          res.end(payload);
        };
        if (this.delayMs > 0) setTimeout(send, this.delayMs);
        else send();
      };
      const injected = this.injected.find((i) => i.times > 0 && i.match(method, url.pathname));
      if (injected) {
        injected.times--;
        return reply(injected.status, injected.body, injected.headers);
      }
      if (method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(url.pathname)) return this.issueToken(req, url, reply);
      if (!this.authorised(req.headers.authorization)) {
        return reply(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
      }
      if (method === "POST" && url.pathname === "/graphql") {
        let answer;
        try {
          answer = answerGraphql(this.repos, this.graphqlBudget, recorded.body ?? "");
        } catch (error) {
          return reply(500, { message: String(error) });
        }
        recorded.cost = answer.cost;
        return reply(answer.status, answer.body, {
          "x-ratelimit-resource": "graphql",
          "x-ratelimit-limit": String(this.graphqlBudget.limit),
          "x-ratelimit-remaining": String(this.graphqlBudget.remaining),
          "x-ratelimit-used": String(this.graphqlBudget.used),
        });
      }
      try {
        const out = this.route(method, url);
        if (!out) return reply(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest", status: "404" });
        reply(200, out.body, out.link ? { link: out.link } : {});
      } catch (error) {
        reply(500, { message: String(error) });
      }
    });
  }

  private authorised(header: string | undefined): boolean {
    const token = /^(?:token|bearer) (.+)$/i.exec(header ?? "")?.[1];
    return token !== undefined && (token === this.options.token || token === this.options.app?.installationToken);
  }

  private issueToken(req: IncomingMessage, url: URL, reply: (s: number, b: unknown) => void): void {
    const app = this.options.app;
    const jwt = /^bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    const id = url.pathname.split("/")[3];
    if (!app || !jwt || id !== app.installationId || !verifyJwt(jwt, app.publicKey, app.appId)) {
      return reply(401, { message: "A JSON web token could not be decoded", documentation_url: "https://docs.github.com/rest" });
    }
    const body = example<Record<string, unknown>>("installation-token");
    body.token = app.installationToken;
    body.expires_at = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, "Z");
    reply(201, body);
  }

  private route(method: string, url: URL): { body: unknown; link?: string } | undefined {
    if (method !== "GET") return undefined;
    const m = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/.exec(url.pathname);
    if (!m) return undefined;
    const repo = this.repos.get(`${m[1]}/${m[2]}`.toLowerCase());
    if (!repo) return undefined;
    const rest = m[3] ?? "";
    const q = url.searchParams;
    let r: RegExpExecArray | null;
    if (rest === "") return { body: repository(repo) };
    if (rest === "/deployments") {
      const list = [...repo.deployments].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
      return this.page(url, list.map((d) => deployment(repo, d)));
    }
    if ((r = /^\/deployments\/(\d+)$/.exec(rest))) {
      const d = repo.deployments.find((x) => x.id === Number(r![1]));
      return d && { body: deployment(repo, d) };
    }
    if ((r = /^\/deployments\/(\d+)\/statuses$/.exec(rest))) {
      const d = repo.deployments.find((x) => x.id === Number(r![1]));
      if (!d) return undefined;
      return this.page(url, [...d.statuses].reverse().map((s, i) => deploymentStatus(repo, d, s, d.statuses.length - i)));
    }
    if (rest === "/actions/runs" || (r = /^\/actions\/workflows\/([^/]+)\/runs$/.exec(rest))) {
      const file = r?.[1];
      const runs = repo.runs
        .filter((run) => (file ? run.path.endsWith(`/${file}`) : true) && (!q.get("branch") || run.headBranch === q.get("branch")))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const paged = this.page(url, runs.map((run) => workflowRun(repo, run)));
      return { body: { total_count: runs.length, workflow_runs: paged.body }, link: paged.link };
    }
    if (rest === "/releases") {
      const list = [...repo.releases].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return this.page(url, list.map((rel) => release(repo, rel)));
    }
    if ((r = /^\/compare\/([0-9a-zA-Z._-]+)\.\.\.([0-9a-zA-Z._-]+)$/.exec(rest))) return this.compare(repo, url, r[1]!, r[2]!);
    if (rest === "/commits") {
      const head = indexOfRef(repo, q.get("sha") ?? repo.defaultBranch);
      if (head < 0) return undefined;
      const since = q.get("since") ? Date.parse(q.get("since")!) : -Infinity;
      const until = q.get("until") ? Date.parse(q.get("until")!) : Infinity;
      const reachable = [...ancestorIndexes(repo, head)].sort((a, b) => b - a).map((i) => repo.commits[i]!);
      const list = reachable.filter((c) => Date.parse(c.date) >= since && Date.parse(c.date) <= until);
      return this.page(url, list.map((c) => commit(repo, c)));
    }
    if ((r = /^\/commits\/([^/]+)\/pulls$/.exec(rest))) {
      const sha = r[1]!;
      const pulls = repo.pulls.filter((p) => p.mergeCommitSha === sha || p.commits.some((c) => c.sha === sha));
      return { body: pulls.map((p) => ({ ...pull(repo, p), additions: undefined, deletions: undefined })) };
    }
    if ((r = /^\/commits\/([^/]+)$/.exec(rest))) {
      const index = indexOfRef(repo, r[1]!);
      return index < 0 ? undefined : { body: commit(repo, repo.commits[index]!) };
    }
    if ((r = /^\/pulls\/(\d+)(\/reviews|\/commits)?$/.exec(rest))) {
      const p = repo.pulls.find((x) => x.number === Number(r![1]));
      if (!p) return undefined;
      if (r[2] === "/reviews") return this.page(url, p.reviews.map((rv, i) => review(p, rv, i)));
      if (r[2] === "/commits") return this.page(url, p.commits.map((c) => commit(repo, { sha: c.sha, message: "wip", date: c.date })));
      return { body: pull(repo, p) };
    }
    return undefined;
  }

  /** GitHub pagination: per_page (max 100) and page, with a Link header naming next/last. */
  private page(url: URL, items: unknown[]): { body: unknown[]; link?: string } {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 30), 100);
    const page = Number(url.searchParams.get("page") ?? 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const body = items.slice((page - 1) * perPage, page * perPage);
    const at = (n: number) => {
      const u = new URL(url.toString());
      u.searchParams.set("page", String(n));
      return `${this.baseUrl}${u.pathname}${u.search}`;
    };
    const links: string[] = [];
    if (page < last) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(last)}>; rel="last"`);
    if (page > 1) links.push(`<${at(1)}>; rel="first"`, `<${at(page - 1)}>; rel="prev"`);
    return links.length > 0 ? { body, link: links.join(", ") } : { body };
  }

  /**
   * Compare: without `page`, at most 250 commits (GitHub's documented cap); with per_page/page,
   * the commits are paginated with a Link header.
   */
  private compare(repo: FakeRepo, url: URL, base: string, head: string): { body: unknown; link?: string } | undefined {
    const b = indexOfRef(repo, base);
    const h = indexOfRef(repo, head);
    if (b < 0 || h < 0) return undefined;
    // Commits reachable from head and not from base, oldest first (merge commits' other parents included).
    const fromHead = ancestorIndexes(repo, h);
    const fromBase = ancestorIndexes(repo, b);
    const ahead = [...fromHead].filter((i) => !fromBase.has(i)).sort((x, y) => x - y).map((i) => repo.commits[i]!);
    const behindBy = [...fromBase].filter((i) => !fromHead.has(i)).length;
    const body = example<Record<string, unknown>>("commit-comparison");
    body.status = h === b ? "identical" : behindBy === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged";
    body.ahead_by = ahead.length;
    body.behind_by = behindBy;
    body.total_commits = ahead.length;
    body.base_commit = commit(repo, repo.commits[b]!);
    body.files = [];
    const all = ahead.map((c) => commit(repo, c));
    if (!url.searchParams.has("page") && !url.searchParams.has("per_page")) {
      body.commits = all.slice(0, 250);
      return { body };
    }
    const paged = this.page(url, all);
    body.commits = paged.body;
    return { body, link: paged.link };
  }
}

function indexOfRef(repo: FakeRepo, ref: string): number {
  if (ref === repo.defaultBranch) return repo.commits.length - 1;
  const tagged = repo.releases.find((r) => r.tagName === ref);
  const sha = tagged ? tagged.sha : ref;
  return repo.commits.findIndex((c) => c.sha === sha);
}

function api(repo: FakeRepo): string {
  return `https://api.github.com/repos/${repo.owner}/${repo.name}`;
}

function repository(repo: FakeRepo): unknown {
  const body = example<Record<string, unknown>>("full-repository-default-response");
  return { ...body, name: repo.name, full_name: `${repo.owner}/${repo.name}`, default_branch: repo.defaultBranch };
}

function deployment(repo: FakeRepo, d: FakeDeployment): unknown {
  const body = exampleItem<Record<string, unknown>>("deployment-items");
  return {
    ...body,
    id: d.id,
    url: `${api(repo)}/deployments/${d.id}`,
    sha: d.sha,
    ref: d.sha,
    environment: d.environment,
    original_environment: d.environment,
    created_at: d.createdAt,
    updated_at: d.statuses.at(-1)?.createdAt ?? d.createdAt,
    statuses_url: `${api(repo)}/deployments/${d.id}/statuses`,
    repository_url: api(repo),
  };
}

function deploymentStatus(repo: FakeRepo, d: FakeDeployment, s: { state: string; createdAt: string }, n: number): unknown {
  const body = exampleItem<Record<string, unknown>>("deployment-status-items");
  return {
    ...body,
    id: d.id * 1000 + n,
    url: `${api(repo)}/deployments/${d.id}/statuses/${n}`,
    state: s.state,
    environment: d.environment,
    created_at: s.createdAt,
    updated_at: s.createdAt,
    deployment_url: `${api(repo)}/deployments/${d.id}`,
    repository_url: api(repo),
  };
}

function workflowRun(repo: FakeRepo, run: FakeRun): unknown {
  const body = example<{ workflow_runs: Record<string, unknown>[] }>("workflow-run-paginated").workflow_runs[0]!;
  return {
    ...body,
    id: run.id,
    name: run.name,
    path: run.path,
    head_branch: run.headBranch,
    head_sha: run.headSha,
    event: run.event,
    status: run.status,
    conclusion: run.conclusion,
    created_at: run.createdAt,
    updated_at: run.updatedAt,
    run_started_at: run.createdAt,
    html_url: `https://github.com/${repo.owner}/${repo.name}/actions/runs/${run.id}`,
  };
}

function release(repo: FakeRepo, r: FakeRelease): unknown {
  const body = exampleItem<Record<string, unknown>>("release-items");
  return {
    ...body,
    id: r.id,
    tag_name: r.tagName,
    target_commitish: repo.defaultBranch,
    name: r.tagName,
    draft: r.draft,
    prerelease: r.prerelease,
    created_at: r.createdAt,
    published_at: r.publishedAt,
    html_url: `https://github.com/${repo.owner}/${repo.name}/releases/tag/${r.tagName}`,
  };
}

function commit(repo: FakeRepo, c: FakeCommit): unknown {
  const body = exampleItem<Record<string, unknown> & { commit: Record<string, unknown> & { author: object; committer: object } }>("commit-items");
  return {
    ...body,
    sha: c.sha,
    url: `${api(repo)}/commits/${c.sha}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/commit/${c.sha}`,
    commit: { ...body.commit, message: c.message, author: { ...body.commit.author, date: c.date }, committer: { ...body.commit.committer, date: c.date } },
  };
}

function pull(repo: FakeRepo, p: FakePull): Record<string, unknown> {
  const body = example<Record<string, unknown> & { user: object; head: object; labels: Record<string, unknown>[] }>("pull-request");
  const label = body.labels[0] ?? {};
  return {
    ...body,
    number: p.number,
    url: `${api(repo)}/pulls/${p.number}`,
    html_url: `https://github.com/${repo.owner}/${repo.name}/pull/${p.number}`,
    title: p.title,
    state: p.mergedAt ? "closed" : "open",
    user: { ...body.user, login: p.author },
    labels: p.labels.map((name, i) => ({ ...label, id: i + 1, name })),
    created_at: p.createdAt,
    merged_at: p.mergedAt,
    closed_at: p.mergedAt,
    merged: p.mergedAt !== null,
    merge_commit_sha: p.mergeCommitSha,
    head: { ...body.head, ref: p.headRef, sha: p.commits.at(-1)?.sha },
    additions: p.additions,
    deletions: p.deletions,
    commits: p.commits.length,
  };
}

function review(p: FakePull, r: { user: string; state: string; submittedAt: string }, i: number): unknown {
  const body = exampleItem<Record<string, unknown> & { user: object }>("pull-request-review-items");
  return { ...body, id: p.number * 100 + i, user: { ...body.user, login: r.user }, state: r.state, submitted_at: r.submittedAt };
}

/** RS256 JWT as an App signs it: iss = App id, valid now, signed by the App's private key. */
function verifyJwt(jwt: string, publicKey: KeyObject, appId: string): boolean {
  const [header, payload, signature] = jwt.split(".");
  if (!header || !payload || !signature) return false;
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${header}.${payload}`);
  if (!verifier.verify(publicKey, Buffer.from(signature, "base64url"))) return false;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { iss: unknown; exp: number; iat: number };
  const now = Date.now() / 1000;
  return String(claims.iss) === appId && claims.exp > now && claims.iat <= now + 60;
}
