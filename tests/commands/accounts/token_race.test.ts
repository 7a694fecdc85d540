/**
 * `ably accounts token` racing the official CLI's refresh of the same session, both real
 * processes: the official CLI takes no lock and writes the whole file in place
 * (tests/helpers/official_refresh.ts stands in for it). The issuer's refresh tokens are
 * single-use and each refresh is held a while, so the two requests overlap. Whichever asks
 * first, the session survives with the pair the winner was given.
 */
import assert from "node:assert/strict";
import { parse } from "smol-toml";
import { type Answer, startAblyServer, tokenBody } from "../../helpers/ably-server.ts";
import { readConfigText, resultOf, spawnCli, tempConfigDir } from "../../helpers/cli.ts";
import { until, withDeadline } from "../../helpers/deadline.ts";
import { accessTokenOf, buildConfig, refreshTokenOf } from "../../helpers/fixtures.ts";

const OFFICIAL = new URL("../../helpers/official_refresh.ts", import.meta.url).pathname;
const EMAIL = "jane@acme.example";
const HELD_MS = 800;

/**
 * Single-use refresh tokens, the two requests made to overlap whatever the machine's load:
 * the first is answered only once the second has arrived, and the second HELD_MS after
 * that (so the first side has long written its pair when the second learns it lost).
 */
function rotatingIssuer() {
  const spent = new Set<string>();
  let rotation = 0;
  let arrived = 0;
  const second = Promise.withResolvers<void>();
  const firstAnswered = Promise.withResolvers<void>();
  return async (refreshToken: string): Promise<Answer> => {
    // Judged as it arrives: the first to ask spends the token.
    const answer: Answer = spent.has(refreshToken)
      ? { status: 400, body: { error: "invalid_grant" } }
      : (spent.add(refreshToken), rotation++, {
        status: 200,
        body: tokenBody(`raced_at_${rotation}_SeCrEt`, `raced_rt_${rotation}_SeCrEt`),
      });
    if (++arrived === 1) {
      await withDeadline(30_000, "the second refresh to arrive", second.promise);
      firstAnswered.resolve();
    } else {
      second.resolve();
      await firstAnswered.promise;
      await new Promise((resolve) => setTimeout(resolve, HELD_MS));
    }
    return answer;
  };
}

function official(dir: string, host: string) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-q",
      "--allow-read",
      "--allow-write",
      "--allow-net=127.0.0.1",
      OFFICIAL,
      `${dir}/config`,
      host,
    ],
    stdout: "piped",
    stderr: "piped",
  });
}

type Session = { accessToken?: string; refreshToken?: string };

for (const first of ["official", "ours"] as const) {
  Deno.test(`token race: the official CLI's refresh and ours overlap, ${first} first: the session survives with the winner's pair`, async () => {
    const refresh = rotatingIssuer();
    const server = startAblyServer({ refresh });
    try {
      const dir = await tempConfigDir(
        buildConfig([{ alias: "acme", issuer: server.host, email: EMAIL }], "acme"),
      );
      const key = `${EMAIL}::${server.host}`;
      const refreshes = () => server.to("/oauth/token").length;
      const secrets = [accessTokenOf(EMAIL), refreshTokenOf(EMAIL)];
      let theirs: Promise<Deno.CommandOutput>;
      let ours: ReturnType<typeof spawnCli>;
      if (first === "official") {
        theirs = official(dir, server.host).output();
        await until("the official CLI's refresh to reach the issuer", () => refreshes() === 1);
        ours = spawnCli(["accounts", "token", "--json"], { configDir: dir, secrets });
      } else {
        ours = spawnCli(["accounts", "token", "--json"], { configDir: dir, secrets });
        await until("our refresh to reach the issuer", () => refreshes() === 1, 30_000);
        theirs = official(dir, server.host).output();
      }
      const [them, us] = await withDeadline(60_000, "both refreshes", Promise.all([theirs, ours]));
      const config = parse(await readConfigText(dir)) as {
        accounts: Record<string, { oauthSessionKey?: string }>;
        oauthSessions?: Record<string, Session>;
      };
      const session = config.oauthSessions?.[key];
      assert.equal(refreshes(), 2, "each side sent the old refresh token once");
      assert.equal(config.accounts.acme.oauthSessionKey, key, "the account keeps its session");
      assert.equal(
        session?.refreshToken,
        "raced_rt_1_SeCrEt",
        "the winner's live refresh token is kept",
      );
      assert.equal(session?.accessToken, "raced_at_1_SeCrEt");
      // Ours prints the live token either way: its own, or (having lost the race at the
      // issuer) the one the official CLI wrote meanwhile.
      assert.equal(us.code, 0, us.stderr);
      assert.equal((resultOf(us.records()).token as Session).accessToken, "raced_at_1_SeCrEt");
      const said = new TextDecoder().decode(them.stdout).trim();
      assert.equal(said, first === "official" ? "refreshed" : "expired");
    } finally {
      await server.close();
    }
  });
}
