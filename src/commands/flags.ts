/**
 * Flags more than one command takes, declared once: the JSON and verbose flags, the
 * host overrides the official CLI accepts on every accounts and config command, and
 * `--help`, which every command answers.
 */
import type { FlagSpec, OptionsOf } from "./spec.ts";

export const JSON_FLAGS = [
  { name: "verbose", long: "--verbose", short: "-v", description: "Output verbose logs" },
  {
    name: "json",
    long: "--json",
    description: "Output in JSON format",
    conflicts: ["prettyJson"],
  },
  {
    name: "prettyJson",
    long: "--pretty-json",
    description: "Output in colorized JSON format",
    conflicts: ["json"],
  },
] as const satisfies FlagSpec[];

/** What every accounts and config command takes, as the official CLI defines it. */
export const GLOBAL_FLAGS = [
  ...JSON_FLAGS,
  {
    name: "oauthHost",
    long: "--oauth-host",
    value: "required",
    hidden: true,
    description: "Override the host for the OAuth authorization server, which defaults to ably.com",
  },
  {
    name: "controlHost",
    long: "--control-host",
    value: "required",
    hidden: true,
    description:
      "Override the host endpoint for the control API, which defaults to control.ably.net",
  },
  {
    name: "dashboardHost",
    long: "--dashboard-host",
    value: "required",
    hidden: true,
    description: "Override the host for the Ably dashboard",
  },
] as const satisfies FlagSpec[];

export const ENDPOINT = {
  name: "endpoint",
  long: "--endpoint",
  value: "required",
  hidden: true,
  description: "Set a custom endpoint for all product API calls",
} as const satisfies FlagSpec;

export const HELP_FLAG: FlagSpec = {
  name: "help",
  long: "--help",
  short: "-h",
  description: "Show CLI help",
};

/**
 * The global flags as the parser hands them over: what `cli/run.ts` and the settings read,
 * so renaming one here without its readers fails `deno check`.
 */
export type GlobalOptions = OptionsOf<{ flags: typeof GLOBAL_FLAGS; args: [] }>;
