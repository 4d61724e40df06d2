// The default branch's history as read in bulk (newest first, with parents), and the two questions
// the REST path asks GitHub per deployment, answered locally: which commits a deployment shipped
// that its predecessor had not (a compare: reachable from head, not from base, merge commits and
// their merged branches included), and a commit's history over a time range (the first deployment's
// look-back). Each answer is `undefined` when the fetched history cannot decide it for sure (a sha
// not on the default branch, or a walk that leaves the fetched range); the caller then asks REST.
// Pure: no I/O.

export interface HistoryCommit {
  readonly sha: string;
  readonly message: string;
  readonly authoredAtIso: string;
  readonly committedAtIso: string;
  readonly parents: readonly string[];
}

/** The shape the ingestion reads (a REST commit's fields that matter). */
export interface CommitLike {
  readonly sha: string;
  readonly commit: { readonly message: string; readonly author: { readonly date?: string } | null; readonly committer: { readonly date?: string } | null };
}

export class BranchHistory {
  /** Newest first, as git log (and GitHub's `history`) lists it. */
  private readonly order: HistoryCommit[] = [];
  private readonly position = new Map<string, number>();

  add(commits: readonly HistoryCommit[]): void {
    for (const c of commits) {
      if (this.position.has(c.sha)) continue;
      this.position.set(c.sha, this.order.length);
      this.order.push(c);
    }
  }

  /** Every commit read, newest first. */
  commits(): readonly HistoryCommit[] {
    return this.order;
  }

  has(sha: string): boolean {
    return this.position.has(sha);
  }

  get size(): number {
    return this.order.length;
  }

  /** What `compare/{base}...{head}` answers: the commits ahead, oldest first, and whether head is behind. */
  compare(base: string, head: string): { commits: CommitLike[]; behind: boolean } | undefined {
    if (!this.has(base) || !this.has(head)) return undefined;
    const fromBase = this.reachable(base);
    if (fromBase.has(head)) return { commits: [], behind: head !== base };
    const ahead = new Set<string>();
    const stack = [head];
    while (stack.length > 0) {
      const sha = stack.pop()!;
      if (ahead.has(sha) || fromBase.has(sha)) continue;
      const c = this.commit(sha);
      // Left the fetched range without meeting the base's history: cannot tell what lies beyond.
      if (!c) return undefined;
      ahead.add(sha);
      stack.push(...c.parents);
    }
    const commits = [...ahead].sort((a, b) => this.position.get(b)! - this.position.get(a)!).map((sha) => commitLike(this.commit(sha)!));
    return { commits, behind: false };
  }

  /**
   * What `commits?sha=…&since=…&until=…` answers: `sha` and its ancestors committed in the range,
   * newest first. The fetched history must reach back to `sinceMs` (the caller knows how far it read).
   */
  historyOf(sha: string, sinceMs: number, untilMs: number, fetchedBackToMs: number): CommitLike[] | undefined {
    if (!this.has(sha) || fetchedBackToMs > sinceMs) return undefined;
    return [...this.reachable(sha)]
      .map((s) => this.commit(s)!)
      .filter((c) => {
        const at = Date.parse(c.committedAtIso);
        return at >= sinceMs && at <= untilMs;
      })
      .sort((a, b) => this.position.get(a.sha)! - this.position.get(b.sha)!)
      .map(commitLike);
  }

  private commit(sha: string): HistoryCommit | undefined {
    const i = this.position.get(sha);
    return i === undefined ? undefined : this.order[i];
  }

  /** Every fetched commit reachable from `sha` (walks stop at the edge of the fetched range). */
  private reachable(sha: string): Set<string> {
    const seen = new Set<string>();
    const stack = [sha];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      const c = this.commit(s);
      if (!c) continue;
      seen.add(s);
      stack.push(...c.parents);
    }
    return seen;
  }
}

function commitLike(c: HistoryCommit): CommitLike {
  return { sha: c.sha, commit: { message: c.message, author: { date: c.authoredAtIso }, committer: { date: c.committedAtIso } } };
}
