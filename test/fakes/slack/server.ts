import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

// A fake Slack on 127.0.0.1 for the Slack app's tests: the Web API methods the app calls, answered
// like Slack does, every call recorded with its parsed arguments; and `response_url` endpoints
// (slash commands and buttons answer through them) recording what was posted.

export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly authorization: string | undefined;
}

export interface FakeSlackUser {
  readonly id: string;
  readonly email?: string;
  readonly isAdmin?: boolean;
}

export interface FakeSlack {
  /** Base for WebClient's slackApiUrl (no trailing slash). */
  readonly apiUrl: string;
  readonly calls: RecordedCall[];
  /** Bodies posted to response URLs, by URL path. */
  readonly responses: { readonly path: string; readonly body: Record<string, unknown> }[];
  callsTo(method: string): RecordedCall[];
  /** A fresh response_url on this server. */
  responseUrl(): string;
  addUser(user: FakeSlackUser): void;
  /** Resolves with the first body posted to this response URL (already posted or still to come). */
  responseTo(url: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

const JSON_FIELDS = new Set(["blocks", "attachments", "view", "files", "metadata"]);

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function parseArgs(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
  if ((req.headers["content-type"] ?? "").includes("application/json")) return JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) {
    if (JSON_FIELDS.has(key)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // Kept as a string: Slack would answer invalid_arguments.
      }
    }
    args[key] = value;
  }
  return args;
}

export async function startFakeSlack(options: { botUserId?: string; teamId?: string } = {}): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const responses: FakeSlack["responses"][number][] = [];
  const users = new Map<string, FakeSlackUser>();
  const waiting = new Map<string, (body: Record<string, unknown>) => void>();
  let ts = 1_700_000_000;
  let nextResponse = 0;
  let nextFile = 0;
  let base = "";

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://vitals-test.slack.com/", team: "Vitals Test", user: "vitals", team_id: options.teamId ?? "T0TEST", user_id: options.botUserId ?? "U0BOT", bot_id: "B0BOT" };
      case "chat.postMessage":
        return { ok: true, channel: args.channel, ts: `${ts++}.000100`, message: { text: args.text, blocks: args.blocks } };
      case "chat.update":
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case "chat.postEphemeral":
        return { ok: true, message_ts: `${ts++}.000200` };
      case "views.publish":
      case "views.open":
      case "views.update":
        return { ok: true, view: { id: `V${ts++}`, ...(args.view as object) } };
      case "users.info": {
        const user = users.get(String(args.user));
        if (!user) return { ok: false, error: "user_not_found" };
        return { ok: true, user: { id: user.id, is_admin: Boolean(user.isAdmin), is_owner: false, is_primary_owner: false, profile: { email: user.email } } };
      }
      case "users.lookupByEmail": {
        const user = [...users.values()].find((u) => u.email === args.email);
        return user ? { ok: true, user: { id: user.id, profile: { email: user.email } } } : { ok: false, error: "users_not_found" };
      }
      case "files.getUploadURLExternal": {
        const id = `F${String(++nextFile).padStart(8, "0")}`;
        return { ok: true, upload_url: `${base}/upload/${id}`, file_id: id };
      }
      case "files.completeUploadExternal":
        return { ok: true, files: (args.files as { id: string; title?: string }[] | undefined)?.map((f) => ({ id: f.id, title: f.title })) ?? [] };
      default:
        return { ok: false, error: "unknown_method" };
    }
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const raw = await readBody(req);
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      res.setHeader("content-type", "application/json; charset=utf-8");
      if (path.startsWith("/response/")) {
        const body = JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
        responses.push({ path, body });
        waiting.get(path)?.(body);
        waiting.delete(path);
        res.end(JSON.stringify({ ok: true }));
        return;
      }
      if (path.startsWith("/upload/")) {
        res.setHeader("content-type", "text/plain");
        res.end(`OK - ${raw.length}`);
        return;
      }
      const method = path.replace(/^\/api\//, "").replace(/^\//, "");
      const args = parseArgs(req, raw);
      calls.push({ method, args, authorization: req.headers.authorization });
      res.end(JSON.stringify(answer(method, args)));
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: `${base}/api`,
    calls,
    responses,
    callsTo: (method) => calls.filter((c) => c.method === method),
    responseUrl: () => `${base}/response/${++nextResponse}`,
    addUser: (user) => users.set(user.id, user),
    responseTo: (url) => {
      const path = new URL(url).pathname;
      const posted = responses.find((r) => r.path === path);
      if (posted) return Promise.resolve(posted.body);
      return new Promise((resolve) => waiting.set(path, resolve));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
