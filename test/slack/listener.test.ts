import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/root.js";
import { parseEnv } from "../../src/config/env.js";
import { parseFileConfig } from "../../src/config/file.js";
import { createLogger } from "../../src/log.js";
import { guardListener } from "../../src/slack/listener.js";
import { createStore } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/db.js";
import { startTestApp, type TestApp } from "../e2e/harness.js";

// One error handling for every listener (src/slack/listener.ts): a logged error id, a clear message
// to the person with that id, never a stack trace.

function depsWithLogs() {
  const logs: string[] = [];
  const deps = buildDeps(parseEnv({}), {
    config: parseFileConfig("teams: []\n", "test.yml"),
    store: createStore(openDatabase(":memory:")),
    logger: createLogger("info", { write: (line: string) => logs.push(line) } as never),
    now: () => 0,
  });
  return { deps, logs };
}

const idIn = (text: string) => /error id `?([0-9a-f]{8})`?/.exec(text)?.[1];

function loggedId(logs: readonly string[]): string | undefined {
  const line = logs.map((l) => JSON.parse(l) as { errorId?: string; msg?: string }).find((l) => l.errorId);
  return line?.errorId;
}

describe("guardListener", () => {
  it("a failing button listener answers privately with the error id it logged, and no stack", async () => {
    const { deps, logs } = depsWithLogs();
    const responses: { text: string; blocks: unknown[]; response_type: string }[] = [];
    const listener = guardListener(deps, "kpi:share", async (args: { ack(): Promise<void> }) => {
      await args.ack();
      throw new Error("database is locked at SELECT …");
    });
    await listener({ ack: async () => undefined, respond: async (m: never) => void responses.push(m), body: { user: { id: "U1" } } } as never);
    expect(responses).toHaveLength(1);
    const id = idIn(responses[0]!.text);
    expect(id).toBeDefined();
    expect(loggedId(logs)).toBe(id);
    expect(responses[0]!.response_type).toBe("ephemeral");
    expect(JSON.stringify(responses[0])).not.toContain("database is locked");
  });

  it("a view listener failing before its ack replaces the modal with one giving the error id", async () => {
    const { deps, logs } = depsWithLogs();
    const acks: unknown[] = [];
    const listener = guardListener(deps, "review:done", async () => {
      throw new Error("no such review");
    });
    await listener({ ack: async (r: unknown) => void acks.push(r), view: { id: "V1" }, body: { user: { id: "U1" } } } as never);
    expect(acks).toHaveLength(1);
    const ack = acks[0] as { response_action: string; view: { type: string; blocks: unknown[] } };
    expect(ack.response_action).toBe("update");
    expect(ack.view.type).toBe("modal");
    expect(idIn(JSON.stringify(ack.view.blocks))).toBe(loggedId(logs));
  });

  it("a view listener failing after its ack sends the error id to the person's DM", async () => {
    const { deps, logs } = depsWithLogs();
    const posted: { channel: string; text: string }[] = [];
    const listener = guardListener(deps, "review:done", async (args: { ack(): Promise<void> }) => {
      await args.ack();
      throw new Error("chat.update failed");
    });
    const client = { chat: { postMessage: async (m: { channel: string; text: string }) => void posted.push(m) } };
    await listener({ ack: async () => undefined, view: { id: "V1" }, body: { user: { id: "U0PERSON" } }, client } as never);
    expect(posted).toHaveLength(1);
    expect(posted[0]!.channel).toBe("U0PERSON");
    expect(idIn(posted[0]!.text)).toBe(loggedId(logs));
  });

  it("a listener that succeeds is left alone", async () => {
    const { deps, logs } = depsWithLogs();
    const responses: unknown[] = [];
    await guardListener(deps, "ok", async () => undefined)({ ack: async () => undefined, respond: async (m: never) => void responses.push(m) } as never);
    expect(responses).toEqual([]);
    expect(loggedId(logs)).toBeUndefined();
  });
});

describe("every listener the app registers goes through it", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      days: 30,
      engine: {
        answerQuestion() {
          return Promise.reject(new Error("engine exploded"));
        },
      },
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it("a button whose listener fails answers with the error id in the log", async () => {
    const { status, responses } = await t.click({ actionId: "kpi:drivers", value: "cfr last 30 days for team payments", ephemeral: true });
    expect(status).toBe(200);
    expect(responses).toHaveLength(1);
    const id = idIn(String(responses[0]!.text));
    expect(id).toBeDefined();
    expect(t.logs.some((line) => line.includes(`"errorId":"${id}"`) && line.includes("kpi:drivers"))).toBe(true);
    expect(JSON.stringify(responses[0])).not.toContain("engine exploded");
  });
});
