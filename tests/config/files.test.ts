/** The file primitives under the store, on their own. */
import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/errors.ts";
import { stageFile } from "../../src/config/files.ts";
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
