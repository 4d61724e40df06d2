import { createServer, type IncomingHttpHeaders, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import type { Logger } from "../log.js";

// The app's one HTTP server: health, webhooks (GitHub, PagerDuty), the ingest API, and Slack's
// requests (delegated to Bolt's receiver through `fallback`). Routes receive the raw body, because
// webhook signatures are computed over the exact bytes sent.

export interface InboundRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** Id for log lines and error answers. */
  readonly requestId: string;
}

export interface RouteResponse {
  readonly status: number;
  /** An object is sent as JSON; a string as text/plain; a Buffer as is. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface HttpRoute {
  readonly method: "GET" | "POST";
  readonly path: string;
  /** Larger bodies are refused with 413 before the handler runs. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  handle(request: InboundRequest): Promise<RouteResponse> | RouteResponse;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface HttpServerOptions {
  readonly routes: readonly HttpRoute[];
  readonly logger: Logger;
  /** Requests no route matches (Bolt's HTTPReceiver listener); 404 when absent. */
  readonly fallback?: RequestListener;
  /** The paths the fallback serves (POST only), so that a GET there is a 405 rather than a 404. */
  readonly fallbackPaths?: readonly string[];
  /**
   * The fallback gets its request with the body already read (as `rawBody`, which Bolt reuses);
   * a body this check rejects (it returns why) is answered 400 instead of reaching it.
   */
  readonly checkFallbackBody?: (contentType: string | undefined, rawBody: Buffer) => string | undefined;
  /** Largest body passed to the fallback (Bolt's own limit is 4 MiB). */
  readonly fallbackMaxBodyBytes?: number;
  /**
   * A request whose body has not fully arrived by then gets 408 (a body shorter than its
   * Content-Length would otherwise hold the connection until the client gives up). Default 30 s.
   */
  readonly requestTimeoutMs?: number;
}

export function createHttpServer(options: HttpServerOptions): Server {
  const table = new Map(options.routes.map((route) => [`${route.method} ${route.path}`, route]));
  const fallbackPaths = new Set(options.fallbackPaths ?? []);
  const unmatched = (res: ServerResponse, method: string | undefined, path: string): void => {
    const known = [...table.values()].some((r) => r.path === path) || fallbackPaths.has(path);
    const allowed = [...table.values()].filter((r) => r.path === path).map((r) => r.method);
    if (fallbackPaths.has(path)) allowed.push("POST");
    send(
      res,
      known
        ? { status: 405, body: { error: "method not allowed", method: method ?? null, allowed }, headers: { allow: allowed.join(", ") } }
        : { status: 404, body: { error: "not found", path: path.slice(0, 200) } },
    );
  };
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  // The check interval bounds how late a timed-out request is answered (Node's default is 30 s).
  const timeouts = { requestTimeout, headersTimeout: requestTimeout, connectionsCheckingInterval: Math.min(1000, requestTimeout) };
  return createServer(timeouts, (req, res) => {
    // Nothing a client sends may end the process: every failure below is answered, never thrown.
    let path = "/";
    try {
      const url = new URL(req.url ?? "/", "http://localhost");
      path = url.pathname;
      const route = table.get(`${req.method} ${url.pathname}`);
      if (route) {
        void serve(route, req, res, url, options.logger);
        return;
      }
      const forFallback = options.fallbackPaths === undefined || (req.method === "POST" && fallbackPaths.has(path));
      if (!options.fallback || !forFallback) return unmatched(res, req.method, path);
      void toFallback({ ...options, fallback: options.fallback }, unmatched, req, res, path);
    } catch (error) {
      const errorId = randomUUID();
      options.logger.error({ err: error, errorId, method: req.method, path: path.slice(0, 200) }, "request failed");
      if (!res.headersSent) send(res, { status: 400, body: { error: "bad request", error_id: errorId } });
    }
  });
}

async function toFallback(options: HttpServerOptions & { fallback: RequestListener }, unmatched: (res: ServerResponse, method: string | undefined, path: string) => void, req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  try {
    const limit = options.fallbackMaxBodyBytes ?? 4 * DEFAULT_MAX_BODY_BYTES;
    const rawBody = await readBody(req, limit);
    if (rawBody === "too_large") return send(res, { status: 413, body: { error: `body larger than ${limit} bytes` } });
    const problem = options.checkFallbackBody?.(req.headers["content-type"], rawBody);
    if (problem) return send(res, { status: 400, body: { error: problem } });
    Object.assign(req, { rawBody });
    options.fallback(req, res);
  } catch (error) {
    // Bolt's receiver throws this for every request it does not serve (its way of saying "next()").
    if ((error as { code?: unknown }).code === BOLT_DEFERRED_REQUEST) return unmatched(res, req.method, path);
    const errorId = randomUUID();
    options.logger.error({ err: error, errorId, method: req.method, path: path.slice(0, 200) }, "request failed");
    if (!res.headersSent) send(res, { status: 500, body: { error: "internal error", error_id: errorId } });
  }
}

/** ErrorCode.HTTPReceiverDeferredRequestError of @slack/bolt. */
const BOLT_DEFERRED_REQUEST = "slack_bolt_http_receiver_deferred_request_error";

async function serve(route: HttpRoute, req: IncomingMessage, res: ServerResponse, url: URL, logger: Logger): Promise<void> {
  const requestId = randomUUID();
  const log = logger.child({ requestId, route: route.path });
  try {
    const rawBody = await readBody(req, route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES);
    if (rawBody === "too_large") {
      send(res, { status: 413, body: { error: `body larger than ${route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES} bytes` } });
      return;
    }
    const response = await route.handle({ method: req.method ?? "GET", url, headers: req.headers, rawBody, requestId });
    send(res, response);
  } catch (error) {
    log.error({ err: error }, "request failed");
    send(res, { status: 500, body: { error: "internal error", error_id: requestId } });
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too_large"> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > limit) {
      req.resume();
      resolve("too_large");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? "too_large" : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, response: RouteResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload: Buffer | string | undefined;
  if (response.body === undefined) payload = undefined;
  else if (Buffer.isBuffer(response.body)) payload = response.body;
  else if (typeof response.body === "string") {
    payload = response.body;
    headers["content-type"] ??= "text/plain; charset=utf-8";
  } else {
    payload = JSON.stringify(response.body);
    headers["content-type"] ??= "application/json; charset=utf-8";
  }
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** Listen on a port (0 picks a free one) and resolve with the bound port. */
export function listen(server: Server, port: number, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}
