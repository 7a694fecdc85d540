/**
 * `node:path`'s few functions this CLI needs, for POSIX and Windows alike, as small
 * string functions: the config code is on the start-up path, where importing
 * `node:path` would wake Deno's Node-compatibility layer (tens of milliseconds).
 * Each takes the OS it follows, so Windows rules are tested on Linux too.
 */

function isWindowsSeparator(char: string | undefined): boolean {
  return char === "/" || char === "\\";
}

/** `C:\…`, `\\server\share\…`, or a path from the current drive's root (`\…`). */
function windowsRoot(path: string): { root: string; rest: string; kind: RootKind } {
  const unc = /^[\\/]{2}([^\\/]+)[\\/]+([^\\/]+)(?:[\\/]+|$)/.exec(path);
  if (unc) {
    return { root: `\\\\${unc[1]}\\${unc[2]}\\`, rest: path.slice(unc[0].length), kind: "unc" };
  }
  const drive = /^([A-Za-z]):/.exec(path);
  if (drive) {
    const letter = drive[1].toUpperCase();
    if (isWindowsSeparator(path[2])) {
      return { root: `${letter}:\\`, rest: path.slice(3), kind: "drive" };
    }
    return { root: `${letter}:`, rest: path.slice(2), kind: "drive-relative" };
  }
  if (isWindowsSeparator(path[0])) return { root: "\\", rest: path.slice(1), kind: "root" };
  return { root: "", rest: path, kind: "relative" };
}

type RootKind = "unc" | "drive" | "drive-relative" | "root" | "relative";

/** Drops `.` and empty segments and applies `..` (never above the root). */
function normalizeSegments(rest: string, separators: RegExp): string[] {
  const out: string[] = [];
  for (const segment of rest.split(separators)) {
    if (!segment || segment === ".") continue;
    if (segment === "..") out.pop();
    else out.push(segment);
  }
  return out;
}

/** `path.join` of the OS: joined with its separator and normalized. */
export function joinPath(os: string, ...parts: string[]): string {
  const sep = os === "windows" ? "\\" : "/";
  const joined = parts.filter((part) => part !== "").join(sep);
  return os === "windows" ? normalizeWindows(joined) : normalizePosix(joined);
}

function normalizePosix(path: string): string {
  const absolute = path.startsWith("/");
  const segments = path.split("/");
  const out: string[] = [];
  for (const segment of segments) {
    if (!segment || segment === ".") continue;
    if (segment === "..") {
      if (out.length && out[out.length - 1] !== "..") out.pop();
      else if (!absolute) out.push("..");
    } else {
      out.push(segment);
    }
  }
  const body = out.join("/");
  return absolute ? `/${body}` : body || ".";
}

function normalizeWindows(path: string): string {
  const { root, rest } = windowsRoot(path);
  const body = normalizeSegments(rest, /[\\/]+/).join("\\");
  // C:\ + a\b, \\server\share\ + a, or C: + a (drive-relative).
  return root ? root + body : body || ".";
}

/** `path.resolve(path)` of the OS, against `platform.cwd()` when `path` is not absolute. */
export function resolvePath(path: string, platform: { os: string; cwd(): string }): string {
  if (platform.os !== "windows") {
    return normalizePosix(path.startsWith("/") ? path : `${platform.cwd()}/${path}`);
  }
  const { kind, root, rest } = windowsRoot(path);
  switch (kind) {
    case "unc":
    case "drive":
      return normalizeWindows(path);
    case "root":
      // From the root of the current directory's drive or share.
      return normalizeWindows(windowsRoot(platform.cwd()).root.replace(/\\?$/, "\\") + rest);
    case "drive-relative": {
      const cwd = platform.cwd();
      const cwdRoot = windowsRoot(cwd).root;
      // Against the current directory if it is on that drive (Windows keeps one current
      // directory per drive; a process only knows its own), else against the drive's root.
      const base = cwdRoot.toUpperCase() === `${root}\\`.toUpperCase() ? cwd : `${root}\\`;
      return normalizeWindows(`${base}\\${rest}`);
    }
    case "relative":
      return normalizeWindows(`${platform.cwd()}\\${path}`);
  }
}

function lastSeparator(os: string, path: string): number {
  return os === "windows"
    ? Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
    : path.lastIndexOf("/");
}

/** `path.dirname`: `C:\\` stays a root, `/` too. */
export function dirnameOf(os: string, path: string): string {
  const cut = lastSeparator(os, path);
  if (cut < 0) return ".";
  if (cut === 0) return path[0];
  const head = path.slice(0, cut);
  return /^[A-Za-z]:$/.test(head) ? head + "\\" : head;
}

export function basenameOf(os: string, path: string): string {
  return path.slice(lastSeparator(os, path) + 1);
}

export function isAbsolutePath(os: string, path: string): boolean {
  return os === "windows" ? /^(?:[A-Za-z]:)?[\\/]/.test(path) : path.startsWith("/");
}
