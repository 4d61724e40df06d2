import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient } from "@slack/web-api";
import { WebSocketServer, type WebSocket } from "ws";

// A fake Slack on 127.0.0.1 for the app's and the jobs' tests: the Web API methods Vitals calls,
// answered like Slack does, every call recorded with its parsed arguments; the files.uploadV2
// sequence (getUploadURLExternal → upload → completeUploadExternal) with the uploaded bytes kept;
// scripted failures (429 + Retry-After, `{ ok: false, error }`) for the next call of a method; and
// `response_url` endpoints (slash commands and buttons answer through them) recording what was posted;
// and Socket Mode over a real WebSocket (the `ws` package): apps.connections.open hands out a
// ws:// URL on this server, each connection gets `hello`, envelopes are sent and their acks
// recorded, and `disconnect` (refresh_requested …) or an abrupt drop can be scripted.
// https://docs.slack.dev/apis/events-api/using-socket-mode

export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
  readonly authorization: string | undefined;
  /** When the call arrived (Date.now()), and what it was answered. */
  readonly atMs: number;
  result?: Record<string, unknown>;
}

export interface RecordedUpload {
  readonly fileId: string;
  readonly bytes: Buffer;
}

export type Failure = { readonly status: 429; readonly retryAfter: number } | { readonly error: string };

export interface FakeSlackUser {
  readonly id: string;
  readonly email?: string;
  readonly isAdmin?: boolean;
}

export interface FakeSlack {
  /** Base for WebClient's slackApiUrl (no trailing slash). */
  readonly apiUrl: string;
  readonly calls: RecordedCall[];
  readonly uploads: RecordedUpload[];
  /** Bodies posted to response URLs, by URL path. */
  readonly responses: { readonly path: string; readonly body: Record<string, unknown> }[];
  callsTo(method: string): RecordedCall[];
  /** A fresh response_url on this server. */
  responseUrl(): string;
  addUser(user: FakeSlackUser): void;
  /** Resolves with the first body posted to this response URL (already posted or still to come). */
  responseTo(url: string): Promise<Record<string, unknown>>;
  /**
   * Hold each response_url answer this long (a slow Slack: an answer is still in flight when the
   * app is stopped). A held body counts as posted only once its answer went out.
   */
  holdResponsesMs: number;
  /** Resolves once a request to this response URL has arrived (held or not). */
  responseArrived(url: string): Promise<void>;
  /** The next call of `method` fails this way (queued: one failure per call). */
  failNext(method: string, failure: Failure): void;
  /** A WebClient pointed at this server, with retries off so that tests see each call once. */
  client(options?: { rejectRateLimitedCalls?: boolean }): WebClient;
  /** Forget the recorded calls, uploads and queued failures (users stay). */
  reset(): void;
  readonly socket: FakeSocketMode;
  close(): Promise<void>;
}

export interface SocketAck {
  readonly envelopeId: string;
  readonly payload: unknown;
  /** Milliseconds from sending the envelope to its ack. */
  readonly afterMs: number;
}

export interface FakeSocketMode {
  /** Connections opened so far (one per apps.connections.open URL used). */
  readonly connections: number;
  /** Resolves once a client is connected and has been sent `hello` (connection `n`, counting from 1). */
  connected(n?: number): Promise<void>;
  /** Send an envelope on the current connection; resolves with its ack (or rejects after timeoutMs). */
  envelope(type: string, payload: unknown, options?: { timeoutMs?: number; envelopeId?: string }): Promise<SocketAck>;
  /** Send a raw text frame (malformed envelopes). */
  sendRaw(text: string): void;
  /** Slack's `disconnect` message (reason refresh_requested, link_disabled, warning …). */
  disconnect(reason: string): void;
  /** Drop the TCP connection without a close frame. */
  drop(): void;
  readonly acks: SocketAck[];
}

const JSON_FIELDS = new Set(["blocks", "attachments", "view", "files", "metadata"]);

/** The PNG inside an upload body (raw or multipart): from its signature to the end of IEND. */
export function extractPng(bytes: Buffer): Buffer | undefined {
  const start = bytes.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const iend = bytes.indexOf(Buffer.from("IEND"), start);
  if (start < 0 || iend < 0) return undefined;
  return bytes.subarray(start, iend + 8);
}

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
  const uploads: RecordedUpload[] = [];
  const failures = new Map<string, Failure[]>();
  const responses: FakeSlack["responses"][number][] = [];
  const users = new Map<string, FakeSlackUser>();
  const waiting = new Map<string, (body: Record<string, unknown>) => void>();
  const arrivals = new Set<string>();
  const arrivalWaiters = new Map<string, () => void>();
  let ts = 1_700_000_000;
  let nextResponse = 0;
  let nextFile = 0;
  let base = "";
  let tickets = 0;

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case "auth.test":
        return { ok: true, url: "https://vitals-test.slack.com/", team: "Vitals Test", user: "vitals", team_id: options.teamId ?? "T0TEST", user_id: options.botUserId ?? "U0BOT", bot_id: "B0BOT" };
      case "chat.postMessage": {
        // Posting to a user id opens (or reuses) the direct message with them.
        const channel = String(args.channel ?? "");
        const resolved = /^[UW]/.test(channel) ? `D${channel.slice(1)}` : channel;
        const stamp = `${ts++}.000100`;
        return { ok: true, channel: resolved, ts: stamp, message: { text: args.text, blocks: args.blocks, ts: stamp } };
      }
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
        const email = String(args.email ?? "").toLowerCase();
        const user = [...users.values()].find((u) => u.email?.toLowerCase() === email);
        return user ? { ok: true, user: { id: user.id, profile: { email: user.email } } } : { ok: false, error: "users_not_found" };
      }
      case "files.getUploadURLExternal": {
        const id = `F${String(++nextFile).padStart(8, "0")}`;
        return { ok: true, upload_url: `${base}/upload/${id}`, file_id: id };
      }
      case "apps.connections.open":
        return { ok: true, url: `${base.replace(/^http/, "ws")}/link/?ticket=${++tickets}&app_id=A0TEST` };
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
        arrivals.add(path);
        arrivalWaiters.get(path)?.();
        arrivalWaiters.delete(path);
        const deliver = () => {
          if (res.destroyed) return;
          res.once("finish", () => {
            responses.push({ path, body });
            waiting.get(path)?.(body);
            waiting.delete(path);
          });
          res.end(JSON.stringify({ ok: true }));
        };
        if (api.holdResponsesMs > 0) setTimeout(deliver, api.holdResponsesMs);
        else deliver();
        return;
      }
      if (path.startsWith("/upload/")) {
        uploads.push({ fileId: path.slice("/upload/".length), bytes: raw });
        res.setHeader("content-type", "text/plain");
        res.end(`OK - ${raw.length}`);
        return;
      }
      const method = path.replace(/^\/api\//, "").replace(/^\//, "");
      const args = parseArgs(req, raw);
      const call: RecordedCall = { method, args, authorization: req.headers.authorization, atMs: Date.now() };
      calls.push(call);
      const failure = failures.get(method)?.shift();
      if (failure && "status" in failure) {
        res.statusCode = 429;
        res.setHeader("retry-after", String(failure.retryAfter));
        res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
        return;
      }
      call.result = failure ? { ok: false, error: failure.error } : answer(method, args);
      res.end(JSON.stringify(call.result));
    })();
  });
  const socket = socketMode(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const api: FakeSlack = {
    holdResponsesMs: 0,
    responseArrived: (url) => {
      const path = new URL(url).pathname;
      return arrivals.has(path) ? Promise.resolve() : new Promise((resolve) => arrivalWaiters.set(path, resolve));
    },
    apiUrl: `${base}/api`,
    calls,
    uploads,
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
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    client(options = {}) {
      return new WebClient("xoxb-test-token", {
        slackApiUrl: `${base}/api/`,
        retryConfig: { retries: 0 },
        rejectRateLimitedCalls: options.rejectRateLimitedCalls ?? true,
      });
    },
    reset() {
      calls.length = 0;
      uploads.length = 0;
      failures.clear();
    },
    socket: socket.api,
    close: async () => {
      socket.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

function socketMode(server: Server): { api: FakeSocketMode; close(): void } {
  const wss = new WebSocketServer({ server, path: "/link/" });
  const acks: SocketAck[] = [];
  const sent = new Map<string, { at: number; resolve: (ack: SocketAck) => void }>();
  const waiting: { n: number; resolve: () => void }[] = [];
  let current: WebSocket | undefined;
  let connections = 0;
  let nextEnvelope = 0;
  wss.on("connection", (ws) => {
    connections++;
    current = ws;
    ws.on("message", (data) => {
      let message: { envelope_id?: string; payload?: unknown };
      try {
        message = JSON.parse(String(data)) as typeof message;
      } catch {
        return;
      }
      const pending = message.envelope_id ? sent.get(message.envelope_id) : undefined;
      if (!message.envelope_id || !pending) return;
      const ack = { envelopeId: message.envelope_id, payload: message.payload, afterMs: Date.now() - pending.at };
      acks.push(ack);
      sent.delete(message.envelope_id);
      pending.resolve(ack);
    });
    ws.send(JSON.stringify({ type: "hello", num_connections: 1, debug_info: { host: "applink-fake", build_number: 1, approximate_connection_time: 18060 }, connection_info: { app_id: "A0TEST" } }));
    for (const w of waiting.filter((w) => w.n <= connections)) w.resolve();
  });
  const live = (): WebSocket => {
    if (!current || current.readyState !== current.OPEN) throw new Error("fake Slack: no Socket Mode connection");
    return current;
  };
  const api: FakeSocketMode = {
    get connections() {
      return connections;
    },
    acks,
    connected: (n = 1) => (connections >= n && current?.readyState === current?.OPEN ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }))),
    envelope(type, payload, options = {}) {
      const envelopeId = options.envelopeId ?? `env-${++nextEnvelope}`;
      return new Promise<SocketAck>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fake Slack: envelope ${envelopeId} (${type}) not acknowledged`)), options.timeoutMs ?? 3000);
        sent.set(envelopeId, {
          at: Date.now(),
          resolve: (ack) => {
            clearTimeout(timer);
            resolve(ack);
          },
        });
        live().send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== "events_api", retry_attempt: 0, retry_reason: "" }));
      });
    },
    sendRaw: (text) => live().send(text),
    disconnect: (reason) => live().send(JSON.stringify({ type: "disconnect", reason, debug_info: { host: "applink-fake" } })),
    drop: () => live().terminate(),
  };
  return {
    api,
    close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
