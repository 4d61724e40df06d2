import { afterAll, beforeAll } from "vitest";
import { startFakePagerduty, type FakePagerduty } from "./server.js";
import { createTestCertificate, type TestCertificate } from "./tls.js";

/**
 * A fake PagerDuty over HTTPS for the whole test file: a throwaway certificate and the server,
 * started before the file's tests and closed after them. The fields are set once beforeAll ran.
 */
export function useFakePagerduty(token: string): { readonly fake: FakePagerduty; readonly certificate: TestCertificate } {
  const fixture = {} as { fake: FakePagerduty; certificate: TestCertificate };
  beforeAll(async () => {
    fixture.certificate = createTestCertificate();
    fixture.fake = await startFakePagerduty({ certificate: fixture.certificate, token });
  });
  afterAll(async () => {
    await fixture.fake.close();
    fixture.certificate.dispose();
  });
  return fixture;
}
