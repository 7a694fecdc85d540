/**
 * The shape of `~/.ably/config` as the official Ably CLI writes it. Every table
 * may carry keys we do not know; they are kept as they are.
 */

export interface OAuthSession {
  accessToken?: string;
  accessTokenExpiresAt?: number;
  oauthScope?: string;
  refreshToken?: string;
  [key: string]: unknown;
}

export interface AccountRecord {
  accountId?: string;
  accountName?: string;
  userEmail?: string;
  currentAppId?: string;
  endpoint?: string;
  authMethod?: string;
  oauthSessionKey?: string;
  oauthHost?: string;
  controlHost?: string;
  /** Legacy (pre-OAuth) accounts keep their Control API token here. */
  accessToken?: string;
  accessTokenExpiresAt?: number;
  tokenId?: string;
  apps?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export interface AblyConfig {
  current?: { account?: string; app?: string; [key: string]: unknown };
  accounts?: Record<string, AccountRecord>;
  oauthSessions?: Record<string, OAuthSession>;
  [key: string]: unknown;
}
