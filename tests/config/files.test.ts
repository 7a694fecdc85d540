/** The file primitives under the store, on their own. */
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.ts";
import { removeAbandonedTempFiles, stageFile, stageInPlace } from "../../src/config/files.ts";
import { failWritesOnce } from "../helpers/faults.ts";
import { namesIn, tempConfigDir } from "../helpers/cli.ts";

Deno.test("files: a staged file whose rename fails removes its temp file on commit, by itself", async () => {
  const dir = await tempConfigDir("old");
  try {
    const staged = stageFile(`${dir}/config`, `${dir}/config`, "new");
    assert.equal((await namesIn(dir)).filter((n) => n.endsWith(".tmp")).length, 1);
    // The config becomes a non-empty directory: the rename cannot replace it.
    await Deno.remove(`${dir}/config`);
    await Deno.mkdir(`${dir}/config/occupied`, { recursive: true });
    assert.throws(
      () => staged.commit(),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.startsWith(`Failed to save Ably config ${dir}/config`),
    );
    // No discard() here: commit alone must not leave the temp copy (it holds the tokens).
    assert.deepEqual(await namesIn(dir), ["config"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files: a target that is a directory, or under a regular file, is refused before anything is written, naming the config", async () => {
  const dir = await tempConfigDir("old");
  try {
    await Deno.mkdir(`${dir}/folder`);
    const cases = [
      {
        target: `${dir}/folder`,
        error: `${dir}/folder is a directory, not a regular file. Nothing was changed`,
      },
      { target: `${dir}/config/inside`, error: "Not a directory" },
    ];
    for (const { target, error } of cases) {
      assert.throws(
        () => stageFile("shown-config", target, "new"),
        (e: unknown) =>
          e instanceof ConfigError &&
          e.message.startsWith("Failed to save Ably config shown-config: ") &&
          e.message.includes(error),
        target,
      );
    }
    assert.deepEqual(await namesIn(dir), ["config", "folder"]);
    assert.deepEqual(await namesIn(`${dir}/folder`), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files: a temp file that cannot be created (its directory is gone) is a save error naming the config", async () => {
  const dir = await tempConfigDir();
  await Deno.remove(dir);
  assert.throws(
    () => stageFile("shown-config", `${dir}/config`, "new"),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("Failed to save Ably config shown-config: "),
  );
});

Deno.test("files: with neither the config nor the lock there, no owner is known, so no temp file is removed", async () => {
  const dir = await tempConfigDir();
  try {
    const left = `${dir}/.config.4242-0123abcd.tmp`;
    await Deno.writeTextFile(left, "secret", { mode: 0o600 });
    removeAbandonedTempFiles(`${dir}/config`, `${dir}/config.lock`);
    assert.deepEqual(await namesIn(dir), [".config.4242-0123abcd.tmp"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("files: a file rewritten in place is cut to its new length; a failed write puts the old bytes back", async () => {
  const dir = await tempConfigDir("a longer old text\n");
  const path = `${dir}/config`;
  stageInPlace(path, path, "short\n", "a longer old text\n").commit();
  assert.equal(await Deno.readTextFile(path), "short\n");
  assert.deepEqual(await namesIn(dir), ["config"], "no temp file");

  // A full disk: the first write fails part-way, after some bytes reached the file.
  const staged = stageInPlace(path, path, "x".repeat(10_000), "short\n");
  const restore = failWritesOnce(4096, "No space left on device (os error 28)");
  try {
    assert.throws(
      () => staged.commit(),
      (e: unknown) =>
        e instanceof ConfigError && e.message.startsWith(`Failed to save Ably config ${path}`) &&
        e.message.includes("os error 28"),
    );
  } finally {
    restore();
  }
  assert.equal(await Deno.readTextFile(path), "short\n", "the old text is back");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("files: a file that cannot be written in place is refused when staged, before anything irreversible", async () => {
  const dir = await tempConfigDir("old\n");
  const path = `${dir}/config`;
  await Deno.chmod(path, 0o400);
  assert.throws(
    () => stageInPlace(path, path, "new\n", "old\n"),
    (e: unknown) => e instanceof ConfigError && /read-only/.test(e.message),
  );
  assert.equal(await Deno.readTextFile(path), "old\n");
  await Deno.remove(dir, { recursive: true });
});
