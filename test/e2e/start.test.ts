import { spawn } from "node:child_process";
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
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(health.status).toBe(200);
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
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      const output = lines.join("\n");
      expect(output).not.toContain(TOKEN);
      expect(output).not.toContain(SECRET);
    });
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
