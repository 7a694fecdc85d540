/**
 * For the release scripts' tests: stubs on PATH that log their arguments (and answer as the
 * real tool would in the case under test), a runner for a script with only them, and npm's
 * registry as npm itself is configured.
 */
import { fileURLToPath as fromFileUrl } from "node:url";

export const root = new URL("../", import.meta.url);
export const rootPath = fromFileUrl(root);
export const decoder = new TextDecoder();
export const TIMEOUT_MS = 30_000;

/** npm's own registry setting, for Deno to read the same one (its cache is kept per registry). */
export async function npmRegistry(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("npm", {
      args: ["config", "get", "registry"],
      stdout: "piped",
      stderr: "null",
      signal: AbortSignal.timeout(30_000),
    }).output();
    return out.code === 0 ? decoder.decode(out.stdout).trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Each stub call, one line: `name arg arg …`. */
  calls: string[];
}

/** A temp dir of stubs (name -> bash body) and a log they append to; removed by `done`. */
export async function stubs(bodies: Record<string, string>) {
  const dir = await Deno.makeTempDir({ prefix: "ably-stubs-" });
  const log = `${dir}/calls.log`;
  await Deno.writeTextFile(log, "");
  for (const [name, body] of Object.entries(bodies)) {
    await Deno.writeTextFile(
      `${dir}/${name}`,
      `#!/bin/bash\necho "${name} $*" >>"${log}"\n${body}\n`,
      { mode: 0o755 },
    );
  }
  return {
    dir,
    async run(args: string[], env: Record<string, string> = {}): Promise<Run> {
      const output = await new Deno.Command("bash", {
        args,
        cwd: rootPath,
        env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir, STUB: dir, ...env },
        clearEnv: true,
        stdout: "piped",
        stderr: "piped",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      }).output();
      const calls = (await Deno.readTextFile(log)).split("\n").filter(Boolean);
      await Deno.writeTextFile(log, "");
      return {
        code: output.code,
        stdout: decoder.decode(output.stdout),
        stderr: decoder.decode(output.stderr),
        calls,
      };
    },
    done: () => Deno.remove(dir, { recursive: true }),
  };
}
