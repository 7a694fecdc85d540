/**
 * Lock fairness benchmark (run with `deno task bench:lock`).
 *
 * 250 forced logouts of distinct accounts from one 500-account legacy config,
 * at most 100 running at once, each a real process run exactly as `deno task
 * ably` runs the CLI (flags from deno.json's `tasks.ably`), with the default
 * lock time-out. Every logout must succeed and the file must end with exactly
 * the 250 other accounts. Reports failures and the median, p90 and maximum
 * time from spawn to exit (which includes the wait for the lock); legacy
 * tokens are not revoked, so nothing touches the network.
 *
 * Usage: deno task bench:lock [--total N] [--parallel N] [--accounts N] [--json]
 */
import { parse } from "smol-toml";

interface Options {
  total: number;
  parallel: number;
  accounts: number;
  json: boolean;
}

function parseOptions(args: string[]): Options {
  const options: Options = { total: 250, parallel: 100, accounts: 500, json: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--json") options.json = true;
    else if (["--total", "--parallel", "--accounts"].includes(arg)) {
      const value = Number(args[++i]);
      if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${arg} needs a number`);
      options[arg.slice(2) as "total" | "parallel" | "accounts"] = value;
    } else throw new Error(`unknown argument ${arg}`);
  }
  if (2 * options.total > options.accounts) {
    throw new Error("--total must be at most half --accounts");
  }
  return options;
}

/** The flags of `tasks.ably` (`deno run <flags> main.ts`): one source of truth. */
async function ablyFlags(root: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  const words = String(config.tasks.ably).split(/\s+/);
  return words.slice(2, words.indexOf("main.ts"));
}

function legacyConfig(count: number): string {
  const lines = ["[current]", 'account = "acct-0"', ""];
  for (let i = 0; i < count; i++) {
    lines.push(
      `[accounts.acct-${i}]`,
      `accessToken = "legacy-token-${i}-0123456789abcdef"`,
      `accountId = "ID${i}"`,
      `accountName = "Account ${i}"`,
      `userEmail = "user${i}@example.com"`,
      "",
    );
  }
  return lines.join("\n");
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function main(): Promise<void> {
  const options = parseOptions(Deno.args);
  const root = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const flags = await ablyFlags(root);
  const dir = await Deno.makeTempDir({ prefix: "ably-lock-bench-" });
  try {
    await Deno.writeTextFile(`${dir}/config`, legacyConfig(options.accounts), { mode: 0o600 });
    // Every other account is logged out, none of them the current one, so the file stays
    // large and every run rewrites it.
    const queue = Array.from({ length: options.total }, (_, i) => `acct-${2 * i + 1}`);
    // Deno's own variables only (its cache lives under HOME): the CLI sees nothing else.
    const env: Record<string, string> = {};
    for (const name of ["PATH", "HOME", "DENO_DIR"]) {
      const value = Deno.env.get(name);
      if (value !== undefined) env[name] = value;
    }
    const times: number[] = [];
    const failures: string[] = [];
    const started = performance.now();
    const worker = async () => {
      for (let alias = queue.shift(); alias !== undefined; alias = queue.shift()) {
        const t0 = performance.now();
        const output = await new Deno.Command(Deno.execPath(), {
          args: ["run", ...flags, "main.ts", "accounts", "logout", alias, "--force", "--json"],
          cwd: root,
          clearEnv: true,
          env: { ...env, ABLY_CLI_CONFIG_DIR: dir },
          stdout: "piped",
          stderr: "piped",
        }).output();
        times.push(performance.now() - t0);
        if (output.code !== 0) {
          const text = new TextDecoder().decode(output.stdout) +
            new TextDecoder().decode(output.stderr);
          failures.push(`${alias}: exit ${output.code}: ${text.trim().split("\n")[0]}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.parallel }, worker));
    const wallMs = performance.now() - started;
    const left = Object.keys(
      (parse(await Deno.readTextFile(`${dir}/config`)).accounts ?? {}) as Record<string, unknown>,
    ).length;
    const sorted = times.sort((a, b) => a - b);
    const result = {
      deno: Deno.version.deno,
      cores: navigator.hardwareConcurrency,
      total: options.total,
      parallel: options.parallel,
      accounts: options.accounts,
      failures: failures.length,
      accountsLeft: left,
      expectedLeft: options.accounts - options.total + failures.length,
      medianMs: Math.round(quantile(sorted, 0.5)),
      p90Ms: Math.round(quantile(sorted, 0.9)),
      maxMs: Math.round(sorted[sorted.length - 1]),
      wallMs: Math.round(wallMs),
    };
    if (options.json) console.log(JSON.stringify({ ...result, failureSamples: failures }));
    else {
      console.log(
        `${result.total} forced logouts, ${result.parallel} at a time, ${result.accounts}-account ` +
          `config, default lock time-out (Deno ${result.deno}, ${result.cores} cores)`,
      );
      console.log(`failures: ${result.failures}`);
      for (const failure of failures.slice(0, 5)) console.log(`  ${failure}`);
      console.log(
        `spawn to exit (includes the lock wait): median ${result.medianMs} ms, ` +
          `p90 ${result.p90Ms} ms, max ${result.maxMs} ms; all done in ${result.wallMs} ms`,
      );
      console.log(`accounts left: ${result.accountsLeft} (expected ${result.expectedLeft})`);
    }
    if (failures.length || left !== result.expectedLeft) Deno.exitCode = 1;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

await main();
