import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebClient } from "@slack/web-api";

// A fake Slack Web API on 127.0.0.1 for the jobs' tests: real HTTP, every call recorded with its
// parsed arguments, the files.uploadV2 sequence (getUploadURLExternal → upload → completeUploadExternal)
// answered like Slack does, users.lookupByEmail from a table, and scripted failures (429 + Retry-After,
// `{ ok: false, error }`) for the next call of a method.

export interface RecordedCall {
  readonly method: string;
  readonly args: Record<string, unknown>;
}

export interface RecordedUpload {
  readonly fileId: string;
  readonly bytes: Buffer;
}

type Failure = { readonly status: 429; readonly retryAfter: number } | { readonly error: string };

export interface FakeSlack {
  /** Base URL for WebClient's `slackApiUrl`. */
  readonly apiUrl: string;
  readonly calls: RecordedCall[];
  readonly uploads: RecordedUpload[];
  /** email → Slack user id for users.lookupByEmail. */
  readonly users: Map<string, string>;
  failNext(method: string, failure: Failure): void;
  callsTo(method: string): RecordedCall[];
  /** A WebClient pointed at this server, with retries off so that tests see each call once. */
  client(options?: { rejectRateLimitedCalls?: boolean }): WebClient;
  reset(): void;
  close(): Promise<void>;
}

const JSON_FIELDS = ["blocks", "attachments", "files", "view", "metadata"];

function parseArgs(req: IncomingMessage, raw: Buffer): Record<string, unknown> {
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/json")) return JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) {
    if (JSON_FIELDS.includes(key)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON: keep the string, as Slack would reject it.
      }
    }
    args[key] = value;
  }
  return args;
}

/** The PNG inside an upload body (raw or multipart): from its signature to the end of IEND. */
export function extractPng(bytes: Buffer): Buffer | undefined {
  const start = bytes.indexOf(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  const iend = bytes.indexOf(Buffer.from("IEND"), start);
  if (start < 0 || iend < 0) return undefined;
  return bytes.subarray(start, iend + 8);
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const uploads: RecordedUpload[] = [];
  const users = new Map<string, string>();
  const failures = new Map<string, Failure[]>();
  let ts = 1_700_000_000_000_100;
  let fileSeq = 0;
  let base = "";

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case "auth.test":
        return { ok: true, user_id: "UBOT", team_id: "T0001", bot_id: "BBOT" };
      case "chat.postMessage": {
        const channel = String(args.channel ?? "");
        // Posting to a user id opens (or reuses) the DM with them.
        const resolved = channel.startsWith("U") || channel.startsWith("W") ? `D${channel.slice(1)}` : channel;
        ts += 100;
        const stamp = `${String(ts).slice(0, 10)}.${String(ts).slice(10)}`;
        return { ok: true, channel: resolved, ts: stamp, message: { text: args.text, ts: stamp } };
      }
      case "chat.update":
        return { ok: true, channel: args.channel, ts: args.ts };
      case "users.lookupByEmail": {
        const id = users.get(String(args.email ?? "").toLowerCase());
        return id ? { ok: true, user: { id, profile: { email: args.email } } } : { ok: false, error: "users_not_found" };
      }
      case "files.getUploadURLExternal": {
        const fileId = `F${String(++fileSeq).padStart(8, "0")}`;
        return { ok: true, upload_url: `${base}/upload/${fileId}`, file_id: fileId };
      }
      case "files.completeUploadExternal": {
        const files = (args.files as { id: string; title?: string }[] | undefined) ?? [];
        return { ok: true, files: files.map((f) => ({ id: f.id, title: f.title })) };
      }
      default:
        return { ok: true };
    }
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname.startsWith("/upload/")) {
        uploads.push({ fileId: url.pathname.slice("/upload/".length), bytes: raw });
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("OK - " + raw.length);
        return;
      }
      const method = url.pathname.replace(/^\/api\//, "");
      const args = parseArgs(req, raw);
      calls.push({ method, args });
      const failure = failures.get(method)?.shift();
      if (failure && "status" in failure) {
        res.writeHead(429, { "retry-after": String(failure.retryAfter), "content-type": "application/json" });
        res.end(JSON.stringify({ ok: false, error: "ratelimited" }));
        return;
      }
      const body = failure ? { ok: false, error: failure.error } : answer(method, args);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: `${base}/api/`,
    calls,
    uploads,
    users,
    failNext(method, failure) {
      failures.set(method, [...(failures.get(method) ?? []), failure]);
    },
    callsTo: (method) => calls.filter((c) => c.method === method),
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
