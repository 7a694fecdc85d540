/**
 * Writes THIRD_PARTY_NOTICES.txt: the licence of every npm package in deno.lock (each
 * package's own licence file, as published) and of what the Deno runtime that `deno compile`
 * embeds carries (Deno, rusty_v8, V8, ICU: their licence files, and the Rust crates of its
 * Cargo.lock), vendored in packaging/notices/ with runtime.json naming each file's source.
 * Rerun it whenever deno.lock changes; the release test checks that the file names
 * exactly the lock's packages, and scripts/check_release.sh that it is up to date.
 *
 * `deno task notices --crates CARGO_LOCK` rewrites packaging/notices/denort-crates.txt from
 * a Deno release's Cargo.lock (when the pinned Deno changes).
 *
 * The keychain addon's platform packages each hold a native library whose Rust crates are
 * listed too (packaging/notices/keyring-crates.txt: the crates whose source paths the published
 * libraries carry; keyring-node publishes no Cargo.lock), with the C library it vendors on Linux
 * (libdbus, AFL-2.1 OR GPL-2.0-or-later).
 *
 * The licence files come from Deno's npm cache (`deno info --json`'s npmCache), under the
 * registry npm's own configuration names (`npm config get registry`, read at run time); a
 * package missing there is downloaded from that registry and checked against the lock's
 * integrity. Each package is cited by its source repository (package.json's `repository`).
 *
 * Usage: deno task notices [--check]
 *   --check   write nothing, fetch nothing; exit 1 if the committed file differs from a fresh
 *             one. A package not in Deno's cache (another platform's keychain binary) keeps its
 *             committed section, and the addon's crate list is checked against the binaries
 *             that are in the cache.
 */
import { parse as parseToml } from "smol-toml";

export const NOTICES_FILE = "THIRD_PARTY_NOTICES.txt";
const RULE = "-".repeat(80);

export interface LockedPackage {
  name: string;
  version: string;
  /** `sha512-…` from the lock, for a downloaded tarball. */
  integrity?: string;
}

export interface LicenseFile {
  /** File name inside the package, e.g. LICENSE or license.md. */
  file: string;
  text: string;
}

export interface PackageNotice extends LockedPackage {
  /** package.json's `license` (an SPDX expression), if any. */
  license?: string;
  /** package.json's `repository`, as a browsable URL (with its directory, if any). */
  source?: string;
  files: LicenseFile[];
}

/**
 * The npm packages of a deno.lock (v4/v5), sorted by name then version. Keys are
 * `name@version` with an optional `_peer@version…` suffix for peer-dependency variants.
 */
export function lockPackages(lock: unknown): LockedPackage[] {
  const npm = (lock as { npm?: Record<string, { integrity?: string }> })?.npm ?? {};
  const seen = new Map<string, LockedPackage>();
  for (const [key, entry] of Object.entries(npm)) {
    const at = key.indexOf("@", 1);
    if (at < 0) throw new Error(`deno.lock: unexpected npm key ${key}`);
    const name = key.slice(0, at);
    const version = key.slice(at + 1).split("_")[0];
    seen.set(`${name}@${version}`, { name, version, integrity: entry?.integrity });
  }
  return [...seen.values()].sort((a, b) =>
    compare(a.name, b.name) || compare(a.version, b.version)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** packaging/notices/runtime.json: the runtime's vendored licence files and their sources. */
export interface RuntimeManifest {
  /** The Deno version these notices are for: must be the one the release workflow pins. */
  deno: string;
  about: string;
  components: { name: string; license: string; source: string; file: string }[];
  crates: { source: string; file: string };
  /** Upstream licence files for npm packages that publish none, by package name. */
  packages: Record<string, { license: string; source: string; file: string }>;
  /** The keychain addon: its crates (a vendored list) and the C libraries it vendors. */
  addon: {
    package: string;
    name: string;
    source: string;
    file: string;
    libraries: { name: string; license: string; source: string; file: string }[];
  };
}

/** The runtime's vendored data, texts loaded. */
export interface RuntimeNotices {
  manifest: RuntimeManifest;
  /** Component or package file name to its text. */
  texts: Map<string, string>;
  /** `name version` lines. */
  crates: string[];
  /** `name version` lines: the addon's crates. */
  addonCrates: string[];
}

export const RUNTIME_DIR = "packaging/notices/";

/**
 * The packages a Cargo.lock's `root` package depends on, itself included, as `name version`
 * lines, sorted. Every platform's and feature's dependencies are followed (the lock does not
 * say which a given build uses), so this is a superset of what one binary holds.
 */
export function crateClosure(lockText: string, root: string): string[] {
  const lock = parseToml(lockText) as {
    package?: { name: string; version: string; dependencies?: string[] }[];
  };
  const packages = lock.package ?? [];
  const byName = new Map<string, typeof packages>();
  for (const p of packages) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  // A dependency is "name" when one version is locked, else "name version".
  const find = (dep: string) => {
    const [name, version] = dep.split(" ");
    const candidates = byName.get(name) ?? [];
    const found = version ? candidates.find((p) => p.version === version) : candidates[0];
    if (!found) throw new Error(`Cargo.lock: no package for dependency ${dep}`);
    return found;
  };
  const start = byName.get(root)?.[0];
  if (!start) throw new Error(`Cargo.lock has no package ${root}`);
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length) {
    const p = queue.pop()!;
    const key = `${p.name} ${p.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const dep of p.dependencies ?? []) queue.push(find(dep));
  }
  return [...seen].sort(compare);
}

/** Whether a file at a package's root is a licence or notice file. */
export function isLicenseFile(name: string): boolean {
  return /^(licen[cs]e|copying|notice)([-._].*)?$/i.test(name);
}

/** The `Package: name@version` lines of a notices file, in order. */
export function noticedPackages(text: string): string[] {
  return [...text.matchAll(/^Package: (\S+)$/gm)].map((match) => match[1]);
}

/** The notices text, byte for byte what the committed file must hold. */
export function renderNotices(packages: PackageNotice[], runtime: RuntimeNotices): string {
  const { manifest, texts, crates } = runtime;
  const text = (file: string) => {
    const found = texts.get(file);
    if (found === undefined) throw new Error(`${RUNTIME_DIR}${file} is missing`);
    return normalizeText(found);
  };
  const out: string[] = [
    "Third-party software in the ably executable",
    "",
    "Generated by `deno task notices` (scripts/notices.ts) from deno.lock and",
    `${RUNTIME_DIR}; do not edit.`,
    "",
    "`ably` is built with `deno compile`, which puts the Deno runtime and the npm",
    "packages below into the executable. Their licences follow, each as its package",
    "publishes it. The licence of ably itself is in LICENSE.",
    "",
    ...wrap(`Deno runtime ${manifest.deno}: ${manifest.about}`, 80),
    "",
    "Contents:",
    ...manifest.components.map((c) => `  ${c.name} (${c.license})`),
    `  Rust crates of the Deno runtime (${crates.length}, listed below)`,
    `  ${manifest.addon.name} (${runtime.addonCrates.length}, listed below)`,
    ...manifest.addon.libraries.map((l) => `  ${l.name} (${l.license})`),
    ...packages.map((p) => `  ${p.name}@${p.version}${p.license ? ` (${p.license})` : ""}`),
    "",
  ];
  for (const c of manifest.components) {
    out.push(RULE, `Component: ${c.name}`, `License: ${c.license}`, `Source: ${c.source}`, "");
    out.push(text(c.file), "");
  }
  out.push(
    RULE,
    "Component: Rust crates of the Deno runtime",
    `Source: ${manifest.crates.source}`,
    "",
    "Deno publishes no licence texts for the crates compiled into its runtime; each crate's",
    "licence is the one its published crate (NAME VERSION, below) states and carries.",
    "",
    ...crates.map((line) => `  ${line}`),
    "",
    RULE,
    `Component: ${manifest.addon.name} (${manifest.addon.package})`,
    `Source: ${manifest.addon.source}`,
    "",
    ...wrap(
      `Each platform package of ${manifest.addon.package} holds one native library built from ` +
        "that Cargo.toml. These are the crates whose source paths the published libraries " +
        "carry, by name and version; each crate's licence is the one its published crate " +
        "states and carries.",
      80,
    ),
    "",
    ...runtime.addonCrates.map((line) => `  ${line}`),
    "",
  );
  for (const library of manifest.addon.libraries) {
    out.push(
      RULE,
      `Component: ${library.name}`,
      `License: ${library.license}`,
      `Source: ${library.source}`,
      "",
      text(library.file),
      "",
    );
  }
  for (const p of packages) {
    const upstream = Object.entries(manifest.packages).find(([name]) =>
      p.name === name || p.name.startsWith(`${name}-`)
    )?.[1];
    if (!p.files.length && !upstream) {
      throw new Error(`${p.name}@${p.version} has no licence file`);
    }
    out.push(
      RULE,
      `Package: ${p.name}@${p.version}`,
      `License: ${p.license ?? "(not stated in package.json)"}`,
      `Source: ${p.source ?? "(no repository in package.json)"}`,
    );
    for (const { file, text } of p.files) {
      out.push(`File: ${file}`, "", normalizeText(text), "");
    }
    if (!p.files.length && upstream) {
      out.push(
        "File: (none in the package) its upstream licence file, from",
        `${upstream.source}`,
        "",
        text(upstream.file),
        "",
      );
    }
  }
  return out.join("\n");
}

/** Reads packaging/notices/: the manifest, every file it names, and the crate list. */
export async function readRuntimeNotices(root: URL): Promise<RuntimeNotices> {
  const dir = new URL(RUNTIME_DIR, root);
  const manifest: RuntimeManifest = JSON.parse(
    await Deno.readTextFile(new URL("runtime.json", dir)),
  );
  const texts = new Map<string, string>();
  const files = [
    ...manifest.components.map((c) => c.file),
    ...Object.values(manifest.packages).map((p) => p.file),
    ...manifest.addon.libraries.map((l) => l.file),
  ];
  for (const file of files) texts.set(file, await Deno.readTextFile(new URL(file, dir)));
  const lines = async (file: string) =>
    (await Deno.readTextFile(new URL(file, dir))).split("\n").filter(Boolean);
  return {
    manifest,
    texts,
    crates: await lines(manifest.crates.file),
    addonCrates: await lines(manifest.addon.file),
  };
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return line ? [...lines, line] : lines;
}

function normalizeText(text: string): string {
  return text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n").replace(/[ \t]+$/gm, "").trim();
}

// ------------------------------------------------------------------ reading packages

/** What a package contributes: its licence, its source, its licence files, its native crates. */
export type PackageFacts = Omit<PackageNotice, keyof LockedPackage> & {
  /** `name version` of the Rust crates its native libraries (`*.node`) carry. */
  crates: string[];
};

/**
 * package.json's `repository` as a browsable URL: `git+https://…/x.git`, `git@host:o/r.git`,
 * `github:o/r` and `o/r` all become `https://host/o/r`; a `directory` is named after it.
 */
export function repositoryUrl(repository: unknown): string | undefined {
  const raw = typeof repository === "string"
    ? repository
    : repository && typeof repository === "object" && "url" in repository
    ? String(repository.url)
    : undefined;
  if (!raw) return undefined;
  let url = raw.trim()
    .replace(/^github:/, "https://github.com/")
    .replace(/^git\+/, "")
    .replace(/^git@([^:]+):/, "https://$1/")
    .replace(/^(git|ssh):\/\/(git@)?/, "https://")
    .replace(/\.git$/, "")
    .replace(/\/+$/, "");
  if (/^[\w.-]+\/[\w.-]+$/.test(url)) url = `https://github.com/${url}`;
  const directory = repository && typeof repository === "object" && "directory" in repository
    ? String(repository.directory)
    : "";
  return directory ? `${url} (directory ${directory})` : url;
}

/**
 * The crates a Rust library carries the source paths of (panic locations name the file:
 * `…/registry/src/<index>/<name>-<version>/src/…`), as sorted `name version` lines.
 */
export function scanCrates(binary: Uint8Array): string[] {
  const text = new TextDecoder("latin1").decode(binary);
  const found = new Set<string>();
  const pattern =
    /[\\/]registry[\\/]src[\\/][^\\/\0]+[\\/]([A-Za-z0-9_-]+?)-(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.]+)?)[\\/]/g;
  for (const match of text.matchAll(pattern)) found.add(`${match[1]} ${match[2]}`);
  return [...found].sort(compare);
}

function factsOf(
  manifestText: string | undefined,
  files: LicenseFile[],
  natives: Uint8Array[],
): PackageFacts {
  const manifest = manifestText ? JSON.parse(manifestText) : {};
  return {
    license: licenseOf(manifest),
    source: repositoryUrl(manifest.repository),
    files,
    crates: [...new Set(natives.flatMap(scanCrates))].sort(compare),
  };
}

/** A package in Deno's npm cache layout. */
export async function readPackageDir(dir: string): Promise<PackageFacts> {
  const names: string[] = [];
  const natives: Uint8Array[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && isLicenseFile(entry.name)) names.push(entry.name);
    if (entry.isFile && entry.name.endsWith(".node")) {
      natives.push(await Deno.readFile(`${dir}/${entry.name}`));
    }
  }
  names.sort(compare);
  const files = await Promise.all(
    names.map(async (file) => ({ file, text: await Deno.readTextFile(`${dir}/${file}`) })),
  );
  return factsOf(await Deno.readTextFile(`${dir}/package.json`), files, natives);
}

function licenseOf(manifest: { license?: unknown }): string | undefined {
  const license = manifest.license;
  if (typeof license === "string") return license;
  if (license && typeof license === "object" && "type" in license) return String(license.type);
  return undefined;
}

/** The files of a .tar (ustar, with pax/GNU long-name entries skipped), first path part dropped. */
export function untar(tar: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const text = (from: number, to: number) =>
    new TextDecoder().decode(tar.subarray(from, to)).replace(/\0.*$/s, "");
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = offset;
    if (tar.subarray(header, header + 512).every((byte) => byte === 0)) break;
    const size = parseInt(text(header + 124, header + 136).trim() || "0", 8);
    const type = String.fromCharCode(tar[header + 156] || 48);
    const prefix = text(header + 345, header + 500);
    const name = (prefix ? `${prefix}/` : "") + text(header, header + 100);
    offset += 512;
    if (type === "0" || type === "7") {
      files.set(name.replace(/^[^/]*\//, ""), tar.slice(offset, offset + size));
    }
    offset += Math.ceil(size / 512) * 512;
  }
  return files;
}

async function sha512Integrity(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-512", bytes as BufferSource));
  return `sha512-${btoa(String.fromCharCode(...digest))}`;
}

/** Downloads a package's tarball from `registry`, checks it against the lock, reads it. */
export async function readPackageTarball(
  pkg: LockedPackage,
  registry: string,
): Promise<PackageFacts> {
  const base = pkg.name.replace(/^@[^/]+\//, "");
  const url = `${registry.replace(/\/*$/, "/")}${pkg.name}/-/${base}-${pkg.version}.tgz`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  const gz = new Uint8Array(await response.arrayBuffer());
  if (pkg.integrity && (await sha512Integrity(gz)) !== pkg.integrity) {
    throw new Error(`${url}: integrity does not match deno.lock`);
  }
  const tar = new Uint8Array(
    await new Response(new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip")))
      .arrayBuffer(),
  );
  const entries = untar(tar);
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  const top = [...entries.keys()].filter((path) => !path.includes("/")).sort(compare);
  const files = top.filter(isLicenseFile).map((file) => ({
    file,
    text: decode(entries.get(file)!),
  }));
  const natives = top.filter((file) => file.endsWith(".node")).map((file) => entries.get(file)!);
  const manifest = entries.get("package.json");
  return factsOf(manifest ? decode(manifest) : undefined, files, natives);
}

/** The registry npm's own configuration names (`npm config get registry`), read now. */
export async function npmRegistry(): Promise<string> {
  for (const npm of Deno.build.os === "windows" ? ["npm.cmd", "npm"] : ["npm"]) {
    try {
      const { code, stdout } = await new Deno.Command(npm, {
        args: ["config", "get", "registry"],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      const url = new TextDecoder().decode(stdout).trim();
      if (code === 0 && /^https?:\/\//.test(url)) return url.replace(/\/*$/, "/");
    } catch {
      // try the next name
    }
  }
  throw new Error("could not read npm's registry (npm config get registry): is npm installed?");
}

/** The folder Deno's npm cache keeps a registry's packages in: host[_port], then the path. */
export function registryFolder(registry: string): string {
  const url = new URL(registry);
  const safe = (part: string) => decodeURIComponent(part).replace(/[<>:"|?*\\]/g, "_");
  const host = url.port ? `${url.hostname}_${url.port}` : url.hostname;
  return [safe(host), ...url.pathname.split("/").filter(Boolean).map(safe)].join("/");
}

/** The section of `name@version` in a notices text: its License and Source, and licence files. */
export function committedFacts(text: string, id: string): PackageFacts | undefined {
  const section = text.split(/^-{80}$/m).find((part) => part.startsWith(`\nPackage: ${id}\n`));
  if (!section) return undefined;
  const license = /^License: (.*)$/m.exec(section)?.[1];
  const source = /^Source: (.*)$/m.exec(section)?.[1];
  const files = [...section.matchAll(/^File: (\S+)$/gm)].map((m) => m[1]);
  if (files.length) return undefined; // its texts are not here to check: not usable offline
  return {
    license: license === "(not stated in package.json)" ? undefined : license,
    source: source === "(no repository in package.json)" ? undefined : source,
    files: [],
    crates: [],
  };
}

async function npmCacheDir(): Promise<string> {
  const { code, stdout } = await new Deno.Command("deno", {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error("deno info --json failed");
  return JSON.parse(new TextDecoder().decode(stdout)).npmCache;
}

interface Collected {
  packages: PackageNotice[];
  /** The addon's crates, from every platform binary read. */
  addonCrates: string[];
  /** Packages not in the cache whose committed section was kept (check mode). */
  kept: string[];
}

/**
 * Every package of the lock, read from Deno's cache, or (`committed` given: check mode, no
 * network) from the committed notices, or else downloaded from npm's registry.
 */
async function collect(root: URL, addon: string, committed?: string): Promise<Collected> {
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", root)));
  const registry = await npmRegistry();
  const cache = `${await npmCacheDir()}/${registryFolder(registry)}`;
  const packages: PackageNotice[] = [];
  const crates = new Set<string>();
  const kept: string[] = [];
  for (const pkg of lockPackages(lock)) {
    const id = `${pkg.name}@${pkg.version}`;
    let found: PackageFacts | undefined;
    try {
      found = await readPackageDir(`${cache}/${pkg.name}/${pkg.version}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    if (!found && committed !== undefined) {
      found = committedFacts(committed, id);
      if (!found) throw new Error(`${id} is not in ${cache}, nor usable from ${NOTICES_FILE}`);
      kept.push(id);
    }
    if (!found) {
      console.error(`${id} is not in ${cache}; downloading its tarball`);
      found = await readPackageTarball(pkg, registry);
    }
    if (pkg.name === addon || pkg.name.startsWith(`${addon}-`)) {
      for (const crate of found.crates) crates.add(crate);
    }
    const { crates: _, ...facts } = found;
    packages.push({ ...pkg, ...facts });
  }
  return { packages, addonCrates: [...crates].sort(compare), kept };
}

async function main(args: string[]): Promise<number> {
  const root = new URL("../", import.meta.url);
  if (args[0] === "--crates" && args.length === 2) {
    const crates = crateClosure(await Deno.readTextFile(args[1]), "denort");
    const runtime = await readRuntimeNotices(root);
    const target = new URL(`${RUNTIME_DIR}${runtime.manifest.crates.file}`, root);
    await Deno.writeTextFile(target, crates.join("\n") + "\n");
    console.error(`wrote ${RUNTIME_DIR}${runtime.manifest.crates.file} (${crates.length} crates)`);
    return 0;
  }
  const check = args.includes("--check");
  const unknown = args.filter((arg) => arg !== "--check");
  if (unknown.length) {
    console.error("usage: deno task notices [--check | --crates CARGO_LOCK]");
    return 2;
  }
  const target = new URL(NOTICES_FILE, root);
  const runtime = await readRuntimeNotices(root);
  const addonFile = new URL(`${RUNTIME_DIR}${runtime.manifest.addon.file}`, root);
  if (check) {
    const committed = await Deno.readTextFile(target).catch(() => "");
    const { packages, addonCrates, kept } = await collect(
      root,
      runtime.manifest.addon.package,
      committed,
    );
    // The binaries at hand must carry no crate the vendored list lacks.
    const missing = addonCrates.filter((crate) => !runtime.addonCrates.includes(crate));
    const fresh = renderNotices(packages, runtime);
    if (committed !== fresh || missing.length) {
      console.error(
        `${NOTICES_FILE} is out of date with deno.lock or ${RUNTIME_DIR}` +
          (missing.length ? ` (the addon also carries ${missing.join(", ")})` : "") +
          ": run deno task notices",
      );
      return 1;
    }
    console.error(
      `ok: ${NOTICES_FILE} matches deno.lock (${noticedPackages(fresh).length} packages;` +
        ` ${kept.length} not in Deno's cache kept as committed) and ${RUNTIME_DIR}`,
    );
    return 0;
  }
  const { packages, addonCrates } = await collect(root, runtime.manifest.addon.package);
  await Deno.writeTextFile(addonFile, addonCrates.join("\n") + "\n");
  const fresh = renderNotices(packages, { ...runtime, addonCrates });
  await Deno.writeTextFile(target, fresh);
  console.error(
    `wrote ${NOTICES_FILE} (${noticedPackages(fresh).length} packages) and ` +
      `${RUNTIME_DIR}${runtime.manifest.addon.file} (${addonCrates.length} crates)`,
  );
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
