// Runs the production PagerDuty source (no test agent, no injected waits) in its own Node process,
// as `vitals sync pagerduty` does: the fake's certificate is trusted only through NODE_EXTRA_CA_CERTS.
// Usage: node --import tsx sync-process.ts <db path> <config path> <now ISO>
import { parseEnv } from "../../../src/config/env.js";
import { loadFileConfig } from "../../../src/config/file.js";
import { silentLogger } from "../../../src/log.js";
import { pagerdutySource } from "../../../src/sources/pagerduty/index.js";
import { openStore } from "../../../src/store/index.js";

const [dbPath, configPath, nowIso] = process.argv.slice(2) as [string, string, string];
const config = loadFileConfig(configPath, { required: true });
const store = openStore(dbPath);
const deps = { store, config, env: parseEnv(process.env), logger: silentLogger(), now: () => Date.parse(nowIso) };
try {
  const report = await pagerdutySource.sync(deps);
  process.stdout.write(JSON.stringify(report));
} catch (error) {
  process.stderr.write((error as Error).message);
  process.exitCode = 1;
} finally {
  await store.close();
}
