/** A reporter whose lines are captured: per stream, and both in the order written. */
import { createReporter, type ReporterOptions } from "../../src/output/reporter.ts";

export function captureReporter(overrides: Partial<ReporterOptions> = {}) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const lines: string[] = [];
  const out = createReporter({
    command: "accounts:logout",
    format: "human",
    verbose: false,
    color: false,
    jsonColor: false,
    animate: false,
    columns: 80,
    stdout: (line) => void (stdout.push(line), lines.push(line)),
    stderr: (line) => void (stderr.push(line), lines.push(line)),
    ...overrides,
  });
  return { out, stdout, stderr, lines };
}
