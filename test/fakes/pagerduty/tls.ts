import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCertificate {
  /** PEM certificate (self-signed, so it is its own CA): trust it with an https agent or NODE_EXTRA_CA_CERTS. */
  readonly cert: string;
  readonly key: string;
  /** A file holding `cert`, for NODE_EXTRA_CA_CERTS in a child process; removed by `dispose`. */
  readonly certPath: string;
  dispose(): void;
}

/** A fresh self-signed certificate for 127.0.0.1 and localhost, made with the openssl CLI at test time. */
export function createTestCertificate(): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), "vitals-pd-tls-"));
  const keyPath = join(dir, "key.pem");
  const certPath = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyPath, "-out", certPath, "-days", "1",
      "-subj", "/CN=vitals-test-pagerduty", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:api.eu.pagerduty.com"],
    { stdio: "ignore" },
  );
  return {
    cert: readFileSync(certPath, "utf8"),
    key: readFileSync(keyPath, "utf8"),
    certPath,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
