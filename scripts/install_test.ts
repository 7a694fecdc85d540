/** `deno task install` (scripts/install.ts): the Deno floor, npx's temporary deno, PATH checks. */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { comparablePath, isNpxPath, isOnPath, meetsFloor, MIN_DENO } from "./install.ts";
import { decoder } from "./stubs.ts";

Deno.test("install: the Deno floor, npx paths, PATH entries compared per OS", () => {
  assert.equal(MIN_DENO, "2.6.0");
  for (const v of ["2.6.0", "2.9.6", "2.10.0", "3.0.0", "2.6.1-rc.1"]) assert.ok(meetsFloor(v), v);
  for (const v of ["2.5.9", "2.0.0", "1.46.3", "x"]) assert.ok(!meetsFloor(v), v);
  assert.ok(isNpxPath("/home/u/.npm/_npx/1a2b/node_modules/.bin/deno"));
  assert.ok(
    isNpxPath("C:\\Users\\u\\AppData\\Local\\npm-cache\\_npx\\1a2b\\node_modules\\.bin\\deno.cmd"),
  );
  assert.ok(!isNpxPath("/home/u/.deno/bin/deno"));
  assert.ok(isOnPath("C:\\Users\\u\\.deno\\bin", "C:\\Windows;c:/users/u/.deno/bin/", true));
  assert.ok(isOnPath("C:/Users/u/.deno/bin", "C:\\Users\\U\\.deno\\bin\\;C:\\Windows", true));
  assert.ok(!isOnPath("/home/u/.deno/bin", "/usr/bin:/home/U/.deno/bin", false));
  assert.ok(isOnPath("/home/u/.deno/bin", "/usr/bin:/home/u/.deno/bin/", false));
  assert.equal(comparablePath("/", false), "/");
});

Deno.test("deno task install: never from npx's temporary deno, never with a Deno below the floor", async () => {
  const home = await Deno.makeTempDir({ prefix: "ably-install-" });
  const npxBin = `${home}/.npm/_npx/5c2d/node_modules/.bin`;
  const durable = `${home}/durable`;
  const old = `${home}/old`;
  await Deno.mkdir(npxBin, { recursive: true });
  await Deno.mkdir(durable);
  await Deno.mkdir(old);
  await Deno.symlink(Deno.execPath(), `${npxBin}/deno`);
  await Deno.symlink(Deno.execPath(), `${durable}/deno`);
  await Deno.writeTextFile(`${old}/deno`, "#!/bin/sh\necho 'deno 2.5.6 (stable, release)'\n", {
    mode: 0o755,
  });
  const run = async (path: string) => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-env=PATH,HOME,USERPROFILE,DENO_INSTALL_ROOT",
        "--allow-run",
        fromFileUrl(new URL("./install.ts", import.meta.url)),
      ],
      // As under `npx deno task install`: npx's .bin first on PATH, a fresh HOME.
      env: { PATH: path, HOME: home, DENO_DIR: denoDir },
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    return {
      code: output.code,
      out: decoder.decode(output.stdout),
      err: decoder.decode(output.stderr),
    };
  };
  const installed = `${home}/.deno/bin/ably`;
  // The real Deno cache (the npm packages are there): the fake HOME must not send deno online.
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
  })
    .output();
  const denoDir: string = JSON.parse(decoder.decode(info.stdout)).denoDir;
  try {
    const nothing = await run(home);
    assert.equal(nothing.code, 1);
    assert.match(nothing.err, /there is no `deno` on your PATH/);

    const npxOnly = await run(npxBin);
    assert.equal(npxOnly.code, 1, npxOnly.out);
    assert.match(npxOnly.err, /the only `deno` on your PATH is npx's temporary one \(.*_npx/);
    assert.match(npxOnly.err, /npm install -g deno@/);
    await assert.rejects(Deno.stat(installed), Deno.errors.NotFound);

    const tooOld = await run(`${npxBin}:${old}`);
    assert.equal(tooOld.code, 1, tooOld.out);
    assert.match(tooOld.err, /which is Deno 2\.5\.6; ably needs 2\.6\.0 or newer/);
    await assert.rejects(Deno.stat(installed), Deno.errors.NotFound);

    const ok = await run(`${npxBin}:${durable}`);
    assert.equal(ok.code, 0, ok.err);
    assert.match(
      ok.out,
      new RegExp(`Installed ably in ${home}/\\.deno/bin/ably \\(using ${durable}/deno, Deno `),
    );
    assert.match(ok.out, /keep it where it is/);
    assert.match(ok.out, /is not on your PATH/);
    // The installed command runs `deno` by name: the durable one in the next shell.
    assert.match(await Deno.readTextFile(installed), /^exec deno run /m);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
