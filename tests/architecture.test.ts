/**
 * The house rules that hold the code's shape, checked on the import graph `deno info`
 * reads (dynamic imports included) and on the files themselves: no import cycle;
 * commands import nothing from the CLI layer that assembles them; the config store
 * knows nothing of terminals, prompts or commands; the HTTP clients nothing of the
 * config; one store's name in as few files as it takes; a header on every file.
 */
import assert from "node:assert/strict";
import { RUN_DEADLINE_MS } from "./helpers/deadline.ts";

const ROOT = new URL("../", import.meta.url);
const SRC = new URL("src/", ROOT).href;

/** `src/`-relative module → the `src/` modules it imports. */
async function graph(): Promise<Map<string, Set<string>>> {
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", new URL("main.ts", ROOT).pathname],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(RUN_DEADLINE_MS),
  }).output();
  assert.ok(info.success, new TextDecoder().decode(info.stderr));
  type Dependency = { code?: { specifier?: string }; type?: { specifier?: string } };
  const { modules } = JSON.parse(new TextDecoder().decode(info.stdout)) as {
    modules: { specifier: string; dependencies?: Dependency[] }[];
  };
  const local = (specifier?: string) =>
    specifier?.startsWith(SRC) ? specifier.slice(SRC.length) : undefined;
  const edges = new Map<string, Set<string>>();
  for (const module of modules) {
    const from = local(module.specifier);
    if (!from) continue;
    const to = (module.dependencies ?? []).flatMap((
      d,
    ) => [local(d.code?.specifier), local(d.type?.specifier)]);
    edges.set(from, new Set(to.filter((t): t is string => t !== undefined)));
  }
  return edges;
}

const edges = await graph();
const layer = (module: string) => module.includes("/") ? module.split("/")[0] : "";

Deno.test("architecture: the graph reaches every module of src/ (a file main.ts cannot load is dead code)", async () => {
  const files: string[] = [];
  const walk = async (dir: URL, prefix: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
      else if (entry.name.endsWith(".ts")) files.push(`${prefix}${entry.name}`);
    }
  };
  await walk(new URL(SRC), "");
  assert.deepEqual(files.filter((file) => !edges.has(file)).sort(), []);
});

Deno.test("architecture: no import cycle among the modules of src/", () => {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (module: string, path: string[]) => {
    if (state.get(module) === "done") return;
    if (state.get(module) === "open") {
      cycles.push([...path.slice(path.indexOf(module)), module].join(" -> "));
      return;
    }
    state.set(module, "open");
    for (const next of edges.get(module) ?? []) visit(next, [...path, module]);
    state.set(module, "done");
  };
  for (const module of edges.keys()) visit(module, []);
  assert.deepEqual(cycles, []);
});

Deno.test("architecture: each layer imports only from the layers below it", () => {
  const forbidden: Record<string, string[]> = {
    // Commands are assembled by the CLI layer, never the other way round.
    commands: ["cli"],
    // The accounts service is what commands call; it knows nothing of them or of the CLI.
    accounts: ["cli", "commands", "prompt"],
    // The config store knows TOML and files: not terminals, prompts, commands or accounts.
    config: ["cli", "commands", "accounts", "output", "prompt", "credentials"],
    // The HTTP clients know HTTP, nothing of the config or of what uses them.
    oauth: ["config", "accounts", "commands", "cli", "credentials", "output"],
    control: ["config", "accounts", "commands", "cli", "credentials", "output"],
    // The secret stores know items; which secrets go where is the config's data.
    credentials: ["accounts", "commands", "cli", "output", "prompt"],
    output: ["config", "accounts", "commands", "cli", "credentials"],
  };
  const broken: string[] = [];
  for (const [from, to] of edges) {
    for (const target of to) {
      if (forbidden[layer(from)]?.includes(layer(target))) broken.push(`${from} -> ${target}`);
    }
  }
  assert.deepEqual(broken, []);
});

Deno.test("architecture: the OS keychain is named in six files at most (its store, the registry, its command, spec and loader, the login flag)", async () => {
  const naming: string[] = [];
  for (const module of edges.keys()) {
    const text = await Deno.readTextFile(new URL(module, SRC));
    if (/keychain/i.test(text)) naming.push(module);
  }
  assert.ok(naming.length <= 6, naming.join(", "));
});

Deno.test("architecture: errors stay typed to the mapper: no command rethrows a cancellation or matches an error's component string", async () => {
  const offending: string[] = [];
  for (const module of edges.keys()) {
    if (!module.startsWith("commands/")) continue;
    const text = await Deno.readTextFile(new URL(module, SRC));
    if (/instanceof Cancelled|\.component\s*[!=]==/.test(text)) offending.push(module);
  }
  assert.deepEqual(offending, []);
});

Deno.test("architecture: every file of src/ opens with a header saying why it exists", async () => {
  const bare: string[] = [];
  for (const module of edges.keys()) {
    const text = await Deno.readTextFile(new URL(module, SRC));
    if (!/^\/\*\*\n \* \S/.test(text) && !/^\/\*\* \S/.test(text)) bare.push(module);
  }
  assert.deepEqual(bare, []);
});
