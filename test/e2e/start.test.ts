import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { vitals } from "../cli/run.js";
import { startFakeSlack, type FakeSlack } from "../fakes/slack/server.js";
import { postSigned, slashCommandBody } from "../fakes/slack/signed.js";

// `vitals start` (= npm start) as a user runs it: a child process with the environment, on a free
// port, against the fake Slack; stopped with SIGTERM.

const SECRET = "start-test-signing-secret-0123456789";
const TOKEN = "xoxb-start-test-token-abcdef";

/** `vitals start` in HTTP mode on a free port; resolves once it is running, with its log lines so far and to come. */
async function startChild({ slack, dir }: { slack: FakeSlack; dir: string }): Promise<{ child: ChildProcess; port: number; lines: string[] }> {
  const child = spawn(process.execPath, ["bin/vitals.js", "start"], {
    env: {
      PATH: process.env.PATH ?? "",
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.apiUrl,
      DATABASE_PATH: join(dir, "vitals.db"),
      VITALS_CONFIG: join(dir, "vitals.yml"),
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      // The sources, not dist/: the test checks this checkout, never a stale build.
      VITALS_FROM_SOURCES: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push(line);
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === "Vitals is running" && entry.port) resolve(entry.port);
    });
    let err = "";
    child.stderr!.on("data", (chunk: Buffer) => (err += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`vitals start exited with ${code}: ${err}`)));
  });
  return { child, port, lines };
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));

async function until(what: string, check: () => boolean, context: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the app logged:\n${context()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("vitals start", () => {
  it("refuses to start without the Slack settings, naming them and no values", async () => {
    const { code, stderr } = await vitals(["start"], { env: { SLACK_APP_TOKEN: "xapp-1-secret-app-token", DATABASE_PATH: ":memory:" } });
    expect(code).toBe(2);
    expect(stderr).toContain("SLACK_BOT_TOKEN: required to run the Slack app");
    expect(stderr).toContain("SLACK_SIGNING_SECRET: required to verify requests from Slack");
    expect(stderr).not.toContain("xapp-1-secret-app-token");
  });

  describe("in HTTP mode", () => {
    let slack: FakeSlack;
    let dir: string;
    beforeAll(async () => {
      slack = await startFakeSlack();
      dir = mkdtempSync(join(tmpdir(), "vitals-start-"));
      writeFileSync(join(dir, "vitals.yml"), "timezone: Europe/Berlin\n");
    });
    afterAll(async () => {
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("serves /healthz and a signed /kpi on one port, logs no secret, and stops on SIGTERM", async () => {
      const { child, port, lines } = await startChild({ slack, dir });
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
      // One SQLite file, one process: it runs the scheduled jobs.
      expect(await health.json()).toMatchObject({ status: "ok", store: "sqlite", leader: true });
      // A stray request (a scanner, a probe) gets a 404 and the process stays up.
      for (const path of ["/", "/nope"]) expect((await fetch(`http://127.0.0.1:${port}${path}`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      // The webhook and ingest routes share the port, and refuse unauthenticated requests.
      expect((await fetch(`http://127.0.0.1:${port}/webhooks/github`, { method: "POST", body: "{}" })).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/records`, { method: "POST", body: "{}" })).status).toBe(401);
      const responseUrl = slack.responseUrl();
      const kpi = await postSigned({ url: `http://127.0.0.1:${port}/slack/events`, secret: SECRET, body: slashCommandBody({ text: "help", responseUrl }) });
      expect(kpi.status).toBe(200);
      // ack() answered at once (processBeforeResponse off); the answer goes to the response_url.
      const answer = await slack.responseTo(responseUrl);
      expect(answer.text).toMatch(/^\/kpi help/);
      child.kill("SIGTERM");
      expect(await exitOf(child)).toBe(0);
      const output = lines.join("\n");
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain(SECRET);
    });

    it("on SIGTERM lets an answer in flight finish, and a restart posts no digest or alert twice", async () => {
      // A team whose digest is due today at 00:00 UTC (so, whenever this runs, due and not yet
      // posted this week) and whose uptime breaches its threshold: the start-up runs post both.
      const weekday = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"][new Date().getUTCDay()];
      const config = join(dir, "vitals.yml");
      writeFileSync(
        config,
        `timezone: UTC\nteams:\n  - { id: pay, name: Pay, channel: C0PAYTEAM1, timezone: UTC, services: [checkout], digest: { day: ${weekday}, time: "00:00" } }\nservices:\n  - { id: checkout }\nthresholds:\n  - { metric: uptime, warn: 99.9, critical: 99.5, team: pay }\n`,
      );
      const day = 86_400_000;
      const today = Math.floor(Date.now() / day) * day;
      const samples = Array.from({ length: 10 }, (_, i) => JSON.stringify({ kind: "metric", name: "uptime_pct", service: "checkout", at: new Date(today - (i + 1) * day).toISOString(), until: new Date(today - i * day).toISOString(), value: 95 }));
      writeFileSync(join(dir, "uptime.ndjson"), `${samples.join("\n")}\n`);
      expect((await vitals(["import", join(dir, "uptime.ndjson"), "--db", join(dir, "vitals.db"), "--config", config])).code).toBe(0);
      slack.reset();
      const posted = (kind: RegExp) => slack.callsTo("chat.postMessage").filter((c) => c.args.channel === "C0PAYTEAM1" && kind.test(String(c.args.text)));
      const digests = () => posted(/digest/i);
      const alerts = () => posted(/is in CRITICAL/);

      const first = await startChild({ slack, dir });
      await until("the start-up digest and alert", () => digests().length > 0 && alerts().length > 0, () => first.lines.join("\n"));
      // An answer acknowledged and posted to a slow response_url when SIGTERM comes.
      slack.holdResponsesMs = 1_000;
      const responseUrl = slack.responseUrl();
      const kpi = await postSigned({ url: `http://127.0.0.1:${first.port}/slack/events`, secret: SECRET, body: slashCommandBody({ text: "uptime last 7d for pay", responseUrl }) });
      expect(kpi.status).toBe(200);
      await slack.responseArrived(responseUrl);
      first.child.kill("SIGTERM");
      expect(await exitOf(first.child)).toBe(0);
      slack.holdResponsesMs = 0;
      // The answer went out in full before the process ended, and the log says it was waited for.
      expect(slack.responses.filter((r) => responseUrl.endsWith(r.path))).toHaveLength(1);
      expect(String(slack.responses.at(-1)?.body.text)).toMatch(/^System uptime for team pay, last 7 days: 95 %/);
      expect(first.lines.map((l) => JSON.parse(l) as { msg: string; finished?: number }).find((l) => l.msg.startsWith("stopping: answers"))).toMatchObject({ msg: "stopping: answers in flight finished", finished: 1 });

      // The restart's start-up runs (awaited by its own stop) find the week's digest and the open breach stored.
      const second = await startChild({ slack, dir });
      second.child.kill("SIGTERM");
      expect(await exitOf(second.child)).toBe(0);
      expect(digests()).toHaveLength(1);
      expect(alerts()).toHaveLength(1);
    }, 60_000);
  });

  it("reads .env in the working directory (the real environment wins) and exits 1 in one line when Slack refuses the token", async () => {
    const slack = await startFakeSlack();
    const dir = mkdtempSync(join(tmpdir(), "vitals-dotenv-"));
    try {
      slack.failNext("auth.test", { error: "invalid_auth" });
      writeFileSync(join(dir, ".env"), `SLACK_BOT_TOKEN=${TOKEN}\nSLACK_SIGNING_SECRET=${SECRET}\nSLACK_API_URL=${slack.apiUrl}\nPORT=0\nHOST=127.0.0.1\nLOG_LEVEL=debug\n`);
      const child = spawn(process.execPath, [join(process.cwd(), "bin/vitals.js"), "start"], {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", VITALS_FROM_SOURCES: "1", LOG_LEVEL: "error", DATABASE_PATH: join(dir, "v.db") },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      let stdout = "";
      child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      expect(code).toBe(1);
      expect(stderr).toBe("vitals start: Slack refused SLACK_BOT_TOKEN (invalid_auth): check the token in the environment or .env (see .env.example)\n");
      // LOG_LEVEL=error from the environment beat LOG_LEVEL=debug in .env: no info lines.
      expect(stdout).toBe("");
      expect(slack.callsTo("auth.test")[0]?.authorization).toBe(`Bearer ${TOKEN}`);
    } finally {
      await slack.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
