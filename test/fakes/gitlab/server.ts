import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";

// A fake GitLab REST API (v4) on 127.0.0.1: the endpoints the connector uses, with GitLab's
// behaviour where it matters (PRIVATE-TOKEN auth, offset pagination with x-next-page/x-total and a
// Link header, RateLimit-* headers, 429 with Retry-After, "404 Project Not Found", URL-encoded
// project paths, revision ranges in ref_name). Response bodies follow GitLab's documentation:
// doc/api/deployments.md ("List project deployments", "Get a specific deployment" examples),
// doc/api/commits.md ("List repository commits", "Get a single commit", "List merge requests
// associated with a commit"),
// doc/api/merge_requests.md ("Get single MR", "Get single MR commits"), doc/api/notes.md ("List all
// merge request notes") and doc/api/personal_access_tokens.md ("Get single personal access token"),
// all from gitlabhq/gitlabhq; every field of the examples is kept, scenario fields are overridden.
// Every request is recorded so tests can assert exactly what was asked.

export interface FakeGitlabCommit {
  sha: string;
  title: string;
  date: string;
}
export interface FakeGitlabDeployment {
  id: number;
  sha: string;
  environment: string;
  status: "created" | "running" | "success" | "failed" | "canceled" | "blocked";
  createdAt: string;
  updatedAt: string;
  /** The deploy job's finish; null makes `deployable` null (a deployment created through the API). */
  jobFinishedAt: string | null;
}
export interface FakeGitlabNote {
  author: string;
  body: string;
  system: boolean;
  createdAt: string;
}
export interface FakeMergeRequest {
  iid: number;
  title: string;
  author: string;
  createdAt: string;
  mergedAt: string | null;
  sourceBranch: string;
  labels: string[];
  /** The commit that landed on the default branch (squash or merge commit). */
  mergeCommitSha: string | null;
  squash: boolean;
  /** Lines added and removed: the stats of the commit it landed as. */
  additions: number;
  deletions: number;
  /** The MR's own commits (on its source branch; a squash merge leaves them off the default branch). */
  commits: { sha: string; date: string }[];
  notes: FakeGitlabNote[];
}
export interface FakeGitlabProject {
  id: number;
  path: string;
  defaultBranch: string;
  /** The default branch's history, oldest first (linear). */
  commits: FakeGitlabCommit[];
  deployments: FakeGitlabDeployment[];
  mergeRequests: FakeMergeRequest[];
}

export interface RecordedRequest {
  method: string;
  /** Path and query as sent, e.g. /api/v4/projects/acme%2Fshop/deployments?per_page=100 */
  url: string;
  headers: IncomingMessage["headers"];
}

interface Injected {
  match: (method: string, path: string) => boolean;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  times: number;
}

export interface FakeGitlabOptions {
  token: string;
  /** Scopes the token check reports (default read_api). */
  scopes?: string[];
  /** Largest page the fake serves (GitLab's is 100); lower it to exercise paging. */
  maxPerPage?: number;
}

const BASE = "/api/v4";

export class FakeGitlab {
  readonly projects: FakeGitlabProject[] = [];
  readonly requests: RecordedRequest[] = [];
  private readonly injected: Injected[] = [];
  private readonly troubles: { match: (method: string, path: string) => boolean; how: "drop" | { readonly delayMs: number }; times: number }[] = [];
  private server?: Server;
  url = "";

  constructor(private readonly options: FakeGitlabOptions) {}

  /** The GITLAB_API_URL for this fake. */
  get apiUrl(): string {
    return `${this.url}${BASE}`;
  }

  project(path: string, id = this.projects.length + 1, defaultBranch = "main"): FakeGitlabProject {
    const project: FakeGitlabProject = { id, path, defaultBranch, commits: [], deployments: [], mergeRequests: [] };
    this.projects.push(project);
    return project;
  }

  /** Answer the next `times` matching requests with this response instead (rate limits, outages). */
  inject(match: (method: string, path: string) => boolean, status: number, headers: Record<string, string> = {}, body: unknown = {}, times = 1): void {
    this.injected.push({ match, status, headers, body, times });
  }

  /** Misbehave on the next `times` matching requests: close the connection unanswered, or answer only after `delayMs`. */
  misbehave(match: (method: string, path: string) => boolean, how: "drop" | { readonly delayMs: number }, times = 1): void {
    this.troubles.push({ match, how, times });
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** "GET /api/v4/projects/…" lines, in order. */
  requestLines(): string[] {
    return this.requests.map((r) => `${r.method} ${r.url}`);
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const trouble = this.troubles.find((t) => t.times > 0 && t.match(req.method ?? "GET", new URL(req.url ?? "/", this.url).pathname));
    if (trouble) {
      trouble.times--;
      if (trouble.how === "drop") {
        this.requests.push({ method: req.method ?? "GET", url: req.url ?? "/", headers: req.headers });
        req.socket.destroy();
        return;
      }
      setTimeout(() => void (res.destroyed || this.answer(req, res)), trouble.how.delayMs);
      return;
    }
    this.answer(req, res);
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    req.on("end", () => {
      const url = new URL(req.url ?? "/", this.url);
      const method = req.method ?? "GET";
      this.requests.push({ method, url: req.url ?? "/", headers: req.headers });
      const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, {
          "content-type": "application/json",
          "ratelimit-limit": "2000",
          "ratelimit-observed": "1",
          "ratelimit-remaining": "1999",
          "ratelimit-reset": String(Math.floor(Date.now() / 1000) + 60),
          "x-request-id": `FAKE${this.requests.length}`,
          ...headers,
        });
        res.end(body === undefined ? "" : JSON.stringify(body));
      };
      const injected = this.injected.find((i) => i.times > 0 && i.match(method, url.pathname));
      if (injected) {
        injected.times--;
        return reply(injected.status, injected.body, injected.headers);
      }
      if (req.headers["private-token"] !== this.options.token) return reply(401, { message: "401 Unauthorized" });
      try {
        const out = method === "GET" ? this.route(url) : undefined;
        if (!out) return reply(404, { message: "404 Not Found" });
        if ("notFound" in out) return reply(404, { message: `404 ${out.notFound} Not Found` });
        reply(200, out.body, out.headers);
      } catch (error) {
        reply(500, { message: String(error) });
      }
    });
  }

  private route(url: URL): { body: unknown; headers?: Record<string, string> } | { notFound: string } | undefined {
    const path = url.pathname.startsWith(BASE) ? url.pathname.slice(BASE.length) : undefined;
    if (path === undefined) return undefined;
    if (path === "/personal_access_tokens/self") return { body: accessToken(this.options.scopes ?? ["read_api"]) };
    const m = /^\/projects\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return undefined;
    const ref = decodeURIComponent(m[1]!);
    const project = this.projects.find((p) => p.path.toLowerCase() === ref.toLowerCase() || String(p.id) === ref);
    if (!project) return { notFound: "Project" };
    const rest = m[2] ?? "";
    const q = url.searchParams;
    let r: RegExpExecArray | null;
    if (rest === "/deployments") {
      const after = q.get("updated_after") ? Date.parse(q.get("updated_after")!) : -Infinity;
      const list = project.deployments
        .filter((d) => (!q.get("environment") || d.environment === q.get("environment")) && Date.parse(d.updatedAt) > after)
        .filter((d) => !q.get("status") || d.status === q.get("status"));
      const key = q.get("order_by") === "updated_at" ? (d: FakeGitlabDeployment) => Date.parse(d.updatedAt) : (d: FakeGitlabDeployment) => d.id;
      list.sort((a, b) => key(a) - key(b) || a.id - b.id);
      if (q.get("sort") === "desc") list.reverse();
      return this.page(url, list.map((d) => deployment(project, d)));
    }
    if ((r = /^\/deployments\/(\d+)$/.exec(rest))) {
      const d = project.deployments.find((x) => x.id === Number(r![1]));
      return d ? { body: deployment(project, d) } : { notFound: "Deployment" };
    }
    if (rest === "/repository/commits") {
      const range = this.range(project, q.get("ref_name") ?? project.defaultBranch);
      if (!range) return { notFound: "Commit" };
      const since = q.get("since") ? Date.parse(q.get("since")!) : -Infinity;
      const until = q.get("until") ? Date.parse(q.get("until")!) : Infinity;
      const list = range.filter((c) => Date.parse(c.date) >= since && Date.parse(c.date) <= until).reverse();
      return this.page(url, list.map((c) => commit(c)));
    }
    if ((r = /^\/repository\/commits\/([0-9a-f]+)\/merge_requests$/.exec(rest))) {
      const sha = r[1]!;
      const known = project.commits.some((c) => c.sha === sha) || project.mergeRequests.some((mr) => mr.commits.some((c) => c.sha === sha));
      if (!known) return { notFound: "Commit" };
      const mrs = project.mergeRequests.filter((mr) => mr.mergeCommitSha === sha || mr.commits.some((c) => c.sha === sha));
      return this.page(url, mrs.map((mr) => mergeRequest(project, mr)));
    }
    if ((r = /^\/repository\/commits\/([0-9a-f]+)$/.exec(rest))) {
      const c = project.commits.find((x) => x.sha === r![1]);
      if (!c) return { notFound: "Commit" };
      const landed = project.mergeRequests.find((mr) => mr.mergeCommitSha === c.sha);
      const stats = landed ? { additions: landed.additions, deletions: landed.deletions } : { additions: 1, deletions: 0 };
      return { body: { ...commit(c), stats: q.get("stats") === "false" ? undefined : { ...stats, total: stats.additions + stats.deletions }, status: null, last_pipeline: null } };
    }
    if ((r = /^\/merge_requests\/(\d+)(\/commits|\/notes)?$/.exec(rest))) {
      const mr = project.mergeRequests.find((x) => x.iid === Number(r![1]));
      if (!mr) return { notFound: "Merge Request" };
      if (r[2] === "/commits") return this.page(url, [...mr.commits].reverse().map((c) => commit({ sha: c.sha, title: "wip", date: c.date })));
      if (r[2] === "/notes") {
        const notes = mr.notes.map((n, i) => note(project, mr, n, i));
        if (q.get("sort") !== "asc") notes.reverse();
        return this.page(url, notes);
      }
      return { body: mergeRequest(project, mr) };
    }
    return undefined;
  }

  /** ref_name: a sha or branch (its history), or a revision range "a..b" (commits of b not in a). */
  private range(project: FakeGitlabProject, ref: string): FakeGitlabCommit[] | undefined {
    const index = (x: string) => (x === project.defaultBranch ? project.commits.length - 1 : project.commits.findIndex((c) => c.sha === x));
    const parts = ref.split("..");
    if (parts.length === 2) {
      const [from, to] = [index(parts[0]!), index(parts[1]!)];
      if (from < 0 || to < 0) return undefined;
      return to > from ? project.commits.slice(from + 1, to + 1) : [];
    }
    const head = index(ref);
    return head < 0 ? undefined : project.commits.slice(0, head + 1);
  }

  /** GitLab's offset pagination: page/per_page (max 100), x-* headers and a Link header. */
  private page(url: URL, items: unknown[]): { body: unknown[]; headers: Record<string, string> } {
    const perPage = Math.min(Number(url.searchParams.get("per_page") ?? 20), 100, this.options.maxPerPage ?? 100);
    const page = Number(url.searchParams.get("page") ?? 1);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const at = (n: number) => {
      const u = new URL(url.toString());
      u.searchParams.set("page", String(n));
      u.searchParams.set("per_page", String(perPage));
      return `${this.url}${u.pathname}${u.search}`;
    };
    const links = [`<${at(1)}>; rel="first"`, `<${at(totalPages)}>; rel="last"`];
    if (page < totalPages) links.unshift(`<${at(page + 1)}>; rel="next"`);
    if (page > 1) links.unshift(`<${at(page - 1)}>; rel="prev"`);
    return {
      body: items.slice((page - 1) * perPage, page * perPage),
      headers: {
        link: links.join(", "),
        "x-next-page": page < totalPages ? String(page + 1) : "",
        "x-page": String(page),
        "x-per-page": String(perPage),
        "x-prev-page": page > 1 ? String(page - 1) : "",
        "x-total": String(items.length),
        "x-total-pages": String(totalPages),
      },
    };
  }
}

function user(username: string) {
  return {
    id: [...username].reduce((n, c) => n * 31 + c.charCodeAt(0), 7) % 100_000,
    name: username,
    username,
    state: "active",
    avatar_url: "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=80&d=identicon",
    web_url: `https://gitlab.example.com/${username}`,
  };
}

function web(project: FakeGitlabProject): string {
  return `https://gitlab.example.com/${project.path}`;
}

/** doc/api/deployments.md, "Get a specific deployment". */
function deployment(project: FakeGitlabProject, d: FakeGitlabDeployment): unknown {
  const head = project.commits.find((c) => c.sha === d.sha);
  return {
    id: d.id,
    iid: d.id,
    ref: project.defaultBranch,
    sha: d.sha,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
    status: d.status,
    user: user("deployer"),
    environment: { id: d.environment === "production" ? 9 : 10, name: d.environment, external_url: `https://${d.environment}.example.com` },
    deployable:
      d.jobFinishedAt === null
        ? null
        : {
            id: d.id * 10,
            status: d.status,
            stage: "deploy",
            name: "deploy",
            ref: project.defaultBranch,
            tag: false,
            coverage: null,
            created_at: d.createdAt,
            started_at: d.createdAt,
            finished_at: d.jobFinishedAt,
            project: { ci_job_token_scope_enabled: false },
            user: { ...user("deployer"), created_at: "2015-12-21T13:14:24.077Z", bio: null, location: null, skype: "", linkedin: "", twitter: "", website_url: "", organization: "" },
            commit: head ? { ...commit(head), short_id: d.sha.slice(0, 8) } : null,
            pipeline: { created_at: d.createdAt, id: d.id * 100, ref: project.defaultBranch, sha: d.sha, status: d.status, updated_at: d.updatedAt, web_url: `${web(project)}/-/pipelines/${d.id * 100}` },
            runner: null,
            web_url: `${web(project)}/-/jobs/${d.id * 10}`,
          },
  };
}

/** doc/api/commits.md, "List repository commits". */
function commit(c: FakeGitlabCommit): Record<string, unknown> {
  return {
    id: c.sha,
    short_id: c.sha.slice(0, 11),
    title: c.title,
    author_name: "Dmitriy Zaporozhets",
    author_email: "dzaporozhets@sphereconsultinginc.com",
    authored_date: c.date,
    committer_name: "Administrator",
    committer_email: "admin@example.com",
    committed_date: c.date,
    created_at: c.date,
    message: c.title,
    parent_ids: [],
    web_url: `https://gitlab.example.com/-/commit/${c.sha}`,
  };
}

/** doc/api/merge_requests.md, "Get single MR" (the fields of the list shape and the single one). */
function mergeRequest(project: FakeGitlabProject, mr: FakeMergeRequest): unknown {
  return {
    id: project.id * 1000 + mr.iid,
    iid: mr.iid,
    project_id: project.id,
    title: mr.title,
    description: "",
    state: mr.mergedAt ? "merged" : "opened",
    created_at: mr.createdAt,
    updated_at: mr.mergedAt ?? mr.createdAt,
    merged_by: mr.mergedAt ? user("maintainer") : null,
    merge_user: mr.mergedAt ? user("maintainer") : null,
    merged_at: mr.mergedAt,
    closed_by: null,
    closed_at: null,
    target_branch: project.defaultBranch,
    source_branch: mr.sourceBranch,
    user_notes_count: mr.notes.filter((n) => !n.system).length,
    upvotes: 0,
    downvotes: 0,
    author: user(mr.author),
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: project.id,
    target_project_id: project.id,
    labels: mr.labels,
    draft: false,
    work_in_progress: false,
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: "can_be_merged",
    detailed_merge_status: "not_open",
    sha: mr.commits.at(-1)?.sha ?? null,
    merge_commit_sha: mr.squash ? null : mr.mergeCommitSha,
    squash_commit_sha: mr.squash ? mr.mergeCommitSha : null,
    discussion_locked: null,
    should_remove_source_branch: true,
    force_remove_source_branch: false,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${project.path}!${mr.iid}` },
    web_url: `${web(project)}/-/merge_requests/${mr.iid}`,
    time_stats: { time_estimate: 0, total_time_spent: 0, human_time_estimate: null, human_total_time_spent: null },
    squash: mr.squash,
    squash_on_merge: mr.squash,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
    changes_count: "1",
  };
}

/** doc/api/notes.md, "List all merge request notes". */
function note(project: FakeGitlabProject, mr: FakeMergeRequest, n: FakeGitlabNote, i: number): unknown {
  return {
    id: mr.iid * 1000 + i,
    type: null,
    body: n.body,
    attachment: null,
    author: user(n.author),
    created_at: n.createdAt,
    updated_at: n.createdAt,
    system: n.system,
    noteable_id: project.id * 1000 + mr.iid,
    noteable_type: "MergeRequest",
    project_id: project.id,
    noteable_iid: mr.iid,
    resolvable: false,
    confidential: false,
    internal: false,
  };
}

/** doc/api/personal_access_tokens.md, "Get single personal access token" (self). */
function accessToken(scopes: string[]): unknown {
  return {
    id: 42,
    name: "vitals",
    revoked: false,
    created_at: "2026-01-01T00:00:00.000Z",
    description: "Vitals delivery metrics",
    scopes,
    user_id: 3,
    last_used_at: null,
    active: true,
    expires_at: "2027-01-01",
  };
}
