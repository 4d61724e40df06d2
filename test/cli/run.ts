import { runCli } from "../../src/cli/main.js";

/** Run the CLI in-process with captured output (the same entry point bin/vitals.js uses). */
export async function vitals(argv: string[], options: { env?: Record<string, string>; stdin?: string } = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: async () => options.stdin ?? "",
    env: { LOG_LEVEL: "error", ...options.env },
  });
  return { code, stdout, stderr };
}
