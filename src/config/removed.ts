/**
 * What an update takes out of the config: the OAuth tokens that were in it before the
 * plan and are in it no more (a session deleted, or its tokens replaced), each with the
 * server that minted them and the aliases that used them. Worked out from the config
 * before and after, so no plan can forget a token it drops. Pure but for the store
 * items of sessions whose tokens were never loaded, which are read.
 */
import type { AblyConfig } from "./schema.ts";
import type { SecretsSync, TokenPair } from "./secrets-sync.ts";
import { storeOf } from "./credential-marks.ts";
import { issuerHost } from "./sessions.ts";
import { messageOf } from "./files.ts";

/** The tokens of one OAuth session that an update takes out of the config. */
export interface RemovedSession {
  sessionKey: string;
  /** The server that minted them: the only one they may be sent to. */
  host: string;
  /** The aliases that used the session before the update, in file order. */
  aliases: string[];
  accessToken?: string;
  refreshToken?: string;
  /** Why the tokens could not be read (their store item); they are then not revoked. */
  unreadable?: string;
  /** The store they are kept in, if not the file. */
  store?: string;
}

export interface SessionBefore extends TokenPair {
  sessionKey: string;
  host: string;
  aliases: string[];
  /** The store its tokens are kept in, if not the file. */
  store?: string;
}

/** Each session's tokens, issuer and users as the plan finds them (copies: plans edit in place). */
export function sessionTokens(config: AblyConfig, fallback: string | undefined): SessionBefore[] {
  const sessions = config.oauthSessions ?? {};
  const users = new Map<string, string[]>();
  const hosts = new Map<string, string>();
  for (const [alias, account] of Object.entries(config.accounts ?? {})) {
    const key = account.oauthSessionKey;
    if (!key) continue;
    users.set(key, [...users.get(key) ?? [], alias]);
    if (account.oauthHost && !hosts.has(key)) hosts.set(key, account.oauthHost);
  }
  return Object.keys(sessions).map((sessionKey) => {
    const session = sessions[sessionKey];
    return {
      sessionKey,
      host: issuerHost(hosts.get(sessionKey), sessionKey, fallback),
      aliases: users.get(sessionKey) ?? [],
      accessToken: stringOr(session.accessToken),
      refreshToken: stringOr(session.refreshToken),
      store: storeOf(session),
    };
  });
}

/**
 * The tokens that were in the config before the plan and are in it no more: a
 * session deleted, or its tokens replaced. A stored session's tokens that
 * were never loaded are read from its item, which still holds them.
 */
export async function removedTokens(
  before: SessionBefore[],
  after: AblyConfig,
  retired: Set<string>,
  secrets: SecretsSync | undefined,
  options: { removeUnreadable?: boolean },
): Promise<RemovedSession[]> {
  const kept = new Set<string>();
  const afterSessions = after.oauthSessions ?? {};
  for (const key in afterSessions) {
    for (const token of [afterSessions[key].accessToken, afterSessions[key].refreshToken]) {
      if (typeof token === "string") kept.add(token);
    }
  }
  const removed: RemovedSession[] = [];
  for (const session of before) {
    const now = Object.hasOwn(afterSessions, session.sessionKey)
      ? afterSessions[session.sessionKey]
      : undefined;
    const untouched = now !== undefined && stringOr(now.accessToken) === session.accessToken &&
      stringOr(now.refreshToken) === session.refreshToken;
    if (untouched) continue;
    let tokens: TokenPair = session;
    let unreadable: string | undefined;
    if (session.store && !session.accessToken && !session.refreshToken && secrets) {
      try {
        tokens = (await secrets.previous(after, session.sessionKey, session.store)) ??
          { accessToken: undefined, refreshToken: undefined };
      } catch (error) {
        if (!options.removeUnreadable) throw error;
        tokens = {};
        unreadable = messageOf(error);
      }
    }
    const gone = (token: string | undefined) =>
      token !== undefined && !kept.has(token) && !retired.has(token) ? token : undefined;
    const accessToken = gone(tokens.accessToken);
    const refreshToken = gone(tokens.refreshToken);
    if (!accessToken && !refreshToken && !unreadable) continue;
    removed.push({
      sessionKey: session.sessionKey,
      host: session.host,
      aliases: session.aliases,
      ...(accessToken ? { accessToken } : {}),
      ...(refreshToken ? { refreshToken } : {}),
      ...(unreadable ? { unreadable, store: session.store } : {}),
    });
  }
  return removed;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
