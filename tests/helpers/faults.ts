/**
 * Faults a test cannot cause for real on every machine: a rename that the system refuses
 * after the new file was written (root ignores directory permissions; a file replaced by a
 * directory is caught earlier, by the update's check that the file is still as read).
 */

/** The error an I/O failure raises, as Deno reports it. */
const IO_ERROR = "Input/output error (os error 5)";

/**
 * From now on, every rename onto a path inside `dir` fails; returns what puts the real
 * rename back (call it in `finally`).
 */
export function failRenamesInto(dir: string): () => void {
  const rename = Deno.renameSync;
  Deno.renameSync = (from: string | URL, to: string | URL) => {
    if (String(to).startsWith(`${dir}/`)) throw new Error(IO_ERROR);
    rename(from, to);
  };
  return () => {
    Deno.renameSync = rename;
  };
}

/**
 * The next write to any file writes at most `bytes` bytes, then fails with `message` (a disk
 * that fills up part-way); later writes go through. Returns what puts the real write back.
 */
export function failWritesOnce(bytes: number, message: string): () => void {
  const write = Deno.FsFile.prototype.writeSync;
  let failed = false;
  Deno.FsFile.prototype.writeSync = function (this: Deno.FsFile, data: Uint8Array) {
    if (failed) return write.call(this, data);
    failed = true;
    write.call(this, data.subarray(0, Math.min(bytes, data.length)));
    throw new Error(message);
  };
  return () => {
    Deno.FsFile.prototype.writeSync = write;
  };
}
