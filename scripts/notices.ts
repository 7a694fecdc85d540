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
 * The licence files come from Deno's npm cache (`deno info --json`'s npmCache); a package
 * missing there is downloaded from the npm registry and checked against the lock's integrity.
 *
 * Usage: deno task notices [--check]
 *   --check   write nothing; exit 1 if the committed file differs from a fresh one
 */
import { parse as parseToml } from "smol-toml";

export const NOTICES_FILE = "THIRD_PARTY_NOTICES.txt";
const REGISTRY = "https://registry.npmjs.org";
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
}

/** The runtime's vendored data, texts loaded. */
export interface RuntimeNotices {
  manifest: RuntimeManifest;
  /** Component or package file name to its text. */
  texts: Map<string, string>;
  /** `name version` lines. */
  crates: string[];
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
    "licence is the one in its package on crates.io (https://crates.io/crates/NAME/VERSION).",
    "",
    ...crates.map((line) => `  ${line}`),
    "",
  );
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
      `Source: https://www.npmjs.com/package/${p.name}/v/${p.version}`,
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
  ];
  for (const file of files) texts.set(file, await Deno.readTextFile(new URL(file, dir)));
  const crates = (await Deno.readTextFile(new URL(manifest.crates.file, dir)))
    .split("\n").filter(Boolean);
  return { manifest, texts, crates };
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

/** Licence files and `license` of a package directory (Deno's npm cache layout). */
export async function readPackageDir(
  dir: string,
): Promise<Omit<PackageNotice, keyof LockedPackage>> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && isLicenseFile(entry.name)) names.push(entry.name);
  }
  names.sort(compare);
  const files = await Promise.all(
    names.map(async (file) => ({ file, text: await Deno.readTextFile(`${dir}/${file}`) })),
  );
  const manifest = JSON.parse(await Deno.readTextFile(`${dir}/package.json`));
  return { license: licenseOf(manifest), files };
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

/** Downloads a package's tarball, checks it against the lock and reads its licence files. */
export async function readPackageTarball(
  pkg: LockedPackage,
): Promise<Omit<PackageNotice, keyof LockedPackage>> {
  const base = pkg.name.replace(/^@[^/]+\//, "");
  const url = `${REGISTRY}/${pkg.name}/-/${base}-${pkg.version}.tgz`;
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
  const files = [...entries.keys()].filter((path) => !path.includes("/") && isLicenseFile(path))
    .sort(compare).map((file) => ({ file, text: decode(entries.get(file)!) }));
  const manifest = entries.get("package.json");
  return { license: manifest ? licenseOf(JSON.parse(decode(manifest))) : undefined, files };
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

async function collect(root: URL): Promise<PackageNotice[]> {
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", root)));
  const cache = `${await npmCacheDir()}/registry.npmjs.org`;
  const notices: PackageNotice[] = [];
  for (const pkg of lockPackages(lock)) {
    const dir = `${cache}/${pkg.name}/${pkg.version}`;
    let found;
    try {
      found = await readPackageDir(dir);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
      console.error(`${pkg.name}@${pkg.version} is not in ${cache}; downloading its tarball`);
      found = await readPackageTarball(pkg);
    }
    notices.push({ ...pkg, ...found });
  }
  return notices;
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
  const fresh = renderNotices(await collect(root), await readRuntimeNotices(root));
  if (check) {
    const committed = await Deno.readTextFile(target).catch(() => "");
    if (committed !== fresh) {
      console.error(
        `${NOTICES_FILE} is out of date with deno.lock or ${RUNTIME_DIR}: run deno task notices`,
      );
      return 1;
    }
    console.error(
      `ok: ${NOTICES_FILE} matches deno.lock (${noticedPackages(fresh).length} packages)` +
        ` and ${RUNTIME_DIR}`,
    );
    return 0;
  }
  await Deno.writeTextFile(target, fresh);
  console.error(`wrote ${NOTICES_FILE} (${noticedPackages(fresh).length} packages)`);
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
