import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { parseEnv } from "../../src/config/env.js";
import { silentLogger } from "../../src/log.js";
import { buildDeps } from "../../src/app/root.js";
import { answerConfirmation } from "../../src/confirmations/actions.js";
import { createSlackApp } from "../../src/slack/app.js";
import { computeQueue } from "../../src/query/compute-queue.js";
import { questionEngine } from "../../src/app/engines.js";
import { openDatabase } from "../../src/store/db.js";
import { createStore } from "../../src/store/index.js";
import { parseFileConfig } from "../../src/config/file.js";

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // Stands for a synchronous SQLite answer.
  }
}

describe("compute queue", () => {
  it("runs computations one at a time, in order, and a failure does not stop the next", async () => {
    const compute = computeQueue();
    const order: number[] = [];
    const results = await Promise.allSettled([
      compute(() => order.push(1)),
      compute(() => {
        throw new Error("boom");
      }),
      compute(() => order.push(3)),
    ]);
    expect(order).toEqual([1, 3]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });

  it("holds a turn until an asynchronous computation settles, so two never interleave (issue 19)", async () => {
    const compute = computeQueue();
    const events: string[] = [];
    const later = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const results = await Promise.allSettled([
      compute(async () => {
        events.push("a read");
        await later(20);
        events.push("a computed");
        return "a";
      }),
      compute(async () => {
        events.push("b read");
        await later(1);
        throw new Error("the store went away");
      }),
      compute(async () => {
        events.push("c read");
        await later(1);
        events.push("c computed");
        return "c";
      }),
    ]);
    expect(events).toEqual(["a read", "a computed", "b read", "c read", "c computed"]);
    expect(results).toEqual([
      { status: "fulfilled", value: "a" },
      { status: "rejected", reason: new Error("the store went away") },
      { status: "fulfilled", value: "c" },
    ]);
  });

  it("lets a request that arrives meanwhile be answered between two computations", async () => {
    const server = createServer((_req, res) => {
      events.push("request answered");
      res.end("ok");
    });
    const events: string[] = [];
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const compute = computeQueue();
    // The request is sent before the computations are queued; without the queue's yield, all three would run first.
    const request = fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    const work = [1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
      compute(() => {
        busy(20);
        events.push(`computed ${n}`);
      }),
    );
    await Promise.all([request, ...work]);
    server.close();
    expect(events.indexOf("request answered")).toBeLessThan(events.indexOf("computed 8"));
  });
});

describe("Socket Mode", () => {
  it("with SLACK_APP_TOKEN the app uses Socket Mode and hands no HTTP listener to the server", () => {
    const env = parseEnv({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_SIGNING_SECRET: "s", SLACK_APP_TOKEN: "xapp-1-abc" });
    const config = parseFileConfig("{}", "vitals.yml");
    const deps = buildDeps(env, { config, store: createStore(openDatabase(":memory:")), logger: silentLogger(), now: () => 0 });
    const socket = createSlackApp(deps, { botToken: "xoxb-1", signingSecret: "s", appToken: "xapp-1-abc", engine: questionEngine, subcommands: [], answerConfirmation, compute: computeQueue() });
    expect(socket.socketMode).toBe(true);
    expect(socket.httpListener).toBeUndefined();
    const http = createSlackApp(deps, { botToken: "xoxb-1", signingSecret: "s", engine: questionEngine, subcommands: [], answerConfirmation, compute: computeQueue() });
    expect(http.socketMode).toBe(false);
    expect(typeof http.httpListener).toBe("function");
  });
});
