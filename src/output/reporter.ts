/**
 * Everything a command tells the user goes through here, so human text, JSON
 * records, colours and streams are decided in one place.
 *
 * Human mode: data on stdout; progress, success, warnings, verbose lines and
 * errors on stderr. JSON mode: one record per line on stdout (results, errors,
 * warnings as `status` records, verbose lines as `log` records).
 */
import type { CliError } from "../errors.ts";
import { envelope, type RecordType, renderJson } from "./json.ts";
import { createStyle, stripAnsi, type Style } from "./style.ts";
import { type TerminalFilter, terminalFilter } from "./terminal.ts";
import { REDACTED } from "../redact.ts";

export type Format = "human" | "json" | "pretty-json";

export interface ReporterOptions {
  command: string;
  format: Format;
  verbose: boolean;
  /** Colour for human text (stdout is a terminal, NO_COLOR unset, or FORCE_COLOR). */
  color: boolean;
  /** `false`: stderr is not a terminal (nor colour forced), so its lines carry no styles. */
  stderrColor?: boolean;
  /** Colour for --pretty-json (stdout is a terminal and NO_COLOR unset). */
  jsonColor: boolean;
  /** Animate a spinner (human mode, stderr is a terminal). */
  animate: boolean;
  /** Width used to wrap human error messages (80 when stderr is not a terminal, as oclif). */
  columns: number;
  /** Warnings are wrapped by words only on a terminal; piped, a warning is one line. */
  wrapWarnings?: boolean;
  /**
   * The width of the terminal each stream is on, to wrap every human line to (`fitLine`);
   * unset when that stream is not a terminal: piped or redirected text is never wrapped.
   */
  stdoutColumns?: number;
  stderrColumns?: number;
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  /** Raw text on stderr (spinner frames). */
  stderrRaw?: (text: string) => void;
}

export interface Spinner {
  stop(): void;
}

/** How a printed line may be laid out on a terminal. */
export interface Layout {
  /** Continuation lines start at this column (default: under the line's text). */
  hang?: number;
  /** Data shown as it is (a file's text, a script): never wrapped. */
  verbatim?: boolean;
}

export interface Reporter {
  readonly json: boolean;
  readonly style: Style;
  /** Secrets to keep out of every line printed from now on (tokens, key secrets). */
  protect(values: Iterable<string | undefined>): void;
  /** A human data line on stdout (ignored in JSON mode). */
  print(line?: string, layout?: Layout): void;
  /** The command's result record (JSON mode only). */
  result(payload: Record<string, unknown>): void;
  /**
   * The secrets a command exists to print (`accounts token`, `accounts env`), left
   * unredacted: in `lines` on stdout in human mode (each neutralised), else inside
   * `payload` as the result record. Every other secret stays redacted. No other command
   * calls this.
   */
  revealed(secrets: string[], lines: string[], payload: Record<string, unknown>): void;
  /** A progress event record (JSON mode only), e.g. waiting for authorization. */
  event(payload: Record<string, unknown>): void;
  success(message: string): void;
  /** A plain human status line on stderr (ignored in JSON mode). */
  note(message: string): void;
  warning(message: string): void;
  progress(message: string): void;
  verbose(component: string, event: string, message: string, extra?: Record<string, unknown>): void;
  error(error: CliError): void;
  completed(exitCode: number): void;
  spinner(text: string): Spinner;
}

/** Shorter values are not credentials, and hiding them would shred ordinary text. */
const MIN_SECRET = 8;

/**
 * `line` with every word that is, or encodes, one of `secrets` (lower-cased)
 * replaced: raw in any case, percent-encoded, or base64 (also `client:secret`
 * pairs). A lookup per word, so it stays fast with thousands of secrets and long
 * lines; server text is redacted more thoroughly where it is received.
 */
function withoutSecrets(line: string, secrets: Set<string>, odd: Set<string>): string {
  // A secret with a character no word below is made of (`@`, `!`, a space …) is never one
  // word: it is found as it is, in any case, and percent-encoded.
  for (const secret of odd) {
    const forms = [
      secret,
      encodeURIComponent(secret).toLowerCase(),
      JSON.stringify(secret).slice(1, -1),
    ];
    for (const form of new Set(forms)) {
      line = line.replace(new RegExp(escapeRegExp(form), "gi"), REDACTED);
    }
  }
  const known = (text: string) =>
    secrets.has(text.toLowerCase()) ||
    text.split(/[:=]/).some((part) => secrets.has(part.toLowerCase()));
  // A style's escape code (`\x1b[36m`) is a separator, never the start of a word.
  // deno-lint-ignore no-control-regex
  return line.replace(/\x1b\[[0-9;]*m|[A-Za-z0-9._~+/=%-]{8,}/g, (word) => {
    if (word.startsWith("\x1b")) return word;
    if (known(word)) return REDACTED;
    if (word.includes("%")) {
      try {
        if (known(decodeURIComponent(decodeURIComponent(word)))) return REDACTED;
      } catch { /* not percent-encoding */ }
    }
    // The shortest secret looked for (MIN_SECRET, 8 bytes) is 11 base64 characters unpadded.
    if (/^[A-Za-z0-9+/_-]{11,}={0,2}$/.test(word)) {
      const decoded = fromBase64(word);
      if (decoded !== undefined && known(decoded)) return REDACTED;
    }
    return word;
  });
}

/**
 * `word` (base64 or base64url, padded or not) decoded, or undefined. The length is checked
 * first: atob's refusal is a DOMException whose first use costs about 1.5 ms, and most
 * printed lines hold a long word that is not base64.
 */
function fromBase64(word: string): string | undefined {
  const data = word.replace(/=+$/, "");
  if (data.length % 4 === 1) return undefined;
  try {
    return atob(data.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    return undefined;
  }
}

/** A character outside the words the redaction looks up. */
const ODD = /[^A-Za-z0-9._~+/=%-]/;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** The secrets a run has seen, and lines without them. */
interface Redaction {
  protect(values: Iterable<string | undefined>): void;
  clean(line: string): string;
  /** `line` without every secret but `value` (the one a command exists to print). */
  allBut(values: string[], line: string): string;
}

function redaction(): Redaction {
  const secrets = new Set<string>();
  const odd = new Set<string>();
  return {
    protect(values) {
      for (const value of values) {
        if (!value || value.length < MIN_SECRET) continue;
        secrets.add(value.toLowerCase());
        if (ODD.test(value)) odd.add(value.toLowerCase());
      }
    },
    clean: (line) => secrets.size === 0 ? line : withoutSecrets(line, secrets, odd),
    allBut(values, line) {
      // A secret within a revealed value is revealed with it (an API key's secret part).
      const lower = values.map((value) => value.toLowerCase());
      const kept = (secret: string) => !lower.some((value) => value.includes(secret));
      const others = new Set([...secrets].filter(kept));
      const oddOthers = new Set([...odd].filter(kept));
      return others.size === 0 ? line : withoutSecrets(line, others, oddOthers);
    },
  };
}

/** The two streams as human lines reach them: redacted, filtered, wrapped, after a spinner. */
interface Streams {
  stdout(line: string, layout?: Layout): void;
  /** `preformatted`: laid out already (warnings, errors), not wrapped again. */
  stderr(line: string, preformatted?: boolean): void;
  rawStdout(line: string): void;
  stderrRaw(text: string): void;
  /** A spinner turns: the next line replaces its frame first. */
  spinning: boolean;
}

function streams(
  options: ReporterOptions,
  terminal: TerminalFilter,
  redacted: Redaction,
): Streams {
  const rawStdout = options.stdout ?? ((line: string) => console.log(line));
  const rawStderr = options.stderr ?? ((line: string) => console.error(line));
  const stderrRaw = options.stderrRaw ??
    ((text: string) => Deno.stderr.writeSync(new TextEncoder().encode(text)));
  // Every human line on a terminal is wrapped by one rule (`fitLine`), after it is made safe,
  // so the width measured is the width shown; `preformatted` lines (warnings, errors) were.
  const fit = (line: string, columns: number | undefined, layout?: Layout) =>
    columns === undefined || layout?.verbatim ? line : fitLine(line, columns, layout?.hang);
  const safe = (line: string) => terminal.clean(redacted.clean(line));
  const self: Streams = {
    spinning: false,
    rawStdout,
    stderrRaw,
    stdout(line, layout) {
      // A line printed while a spinner turns replaces its frame; the next frame is drawn below.
      if (self.spinning) stderrRaw("\r\x1b[K");
      rawStdout(fit(safe(line), options.stdoutColumns, layout));
    },
    stderr(line, preformatted = false) {
      if (self.spinning) stderrRaw("\r\x1b[K");
      // Colour is decided per stream: `ably … 2> file` gets plain text on stderr.
      const filtered = safe(line);
      const shown = options.stderrColor === false ? stripAnsi(filtered) : filtered;
      rawStderr(preformatted ? shown : fit(shown, options.stderrColumns));
    },
  };
  return self;
}

export function createReporter(options: ReporterOptions): Reporter {
  const json = options.format !== "human";
  // Every human line passes one terminal filter: control characters and escape sequences
  // are shown, not obeyed, whatever their origin; only the styles painted here get through.
  const terminal = terminalFilter();
  // Every line passes through one redaction step: no secret the run has seen is ever shown.
  const redacted = redaction();
  // A painted segment is redacted as it is painted, so the filter still knows it as ours.
  const style = createStyle(
    options.color && !json,
    (open, text, close) => terminal.painted(open, redacted.clean(text), close),
  );
  const io = streams(options, terminal, redacted);
  const render = renderer(options);
  // JSON escapes every control character itself (renderJson); its colours are its own.
  const record = (type: RecordType, payload: Record<string, unknown>) =>
    io.rawStdout(redacted.clean(render(type, payload)));

  return {
    json,
    style,
    protect: redacted.protect,
    print(line = "", layout) {
      if (!json) io.stdout(line, layout);
    },
    result(payload) {
      if (json) record("result", payload);
    },
    revealed(secrets, lines, payload) {
      const shown = json ? [render("result", payload)] : lines.map(terminal.clean);
      for (const line of shown) io.rawStdout(redacted.allBut(secrets, line));
    },
    event(payload) {
      if (json) record("event", payload);
    },
    success(message) {
      if (!json) io.stderr(`${style.green("✓")} ${message}`);
    },
    note(message) {
      if (!json) io.stderr(message);
    },
    warning(message) {
      if (json) return record("status", { status: "warning", message: stripAnsi(message) });
      // Neutralised before wrapping, so the wrapped width is the shown width.
      const width = options.wrapWarnings ? options.columns : Infinity;
      io.stderr(formatWarning(terminal.clean(message), width, style), true);
    },
    progress(message) {
      if (!json) io.stderr(`${message}...`);
    },
    verbose(component, event, message, extra = {}) {
      if (!options.verbose) return;
      if (!json) return io.stderr(`${style.dim(`[${component}]`)} ${message}`);
      record("log", { component, event, message, timestamp: new Date().toISOString(), ...extra });
    },
    error(error) {
      if (!json) {
        return io.stderr(
          formatHumanError(terminal.clean(errorText(error)), options.columns, style),
          true,
        );
      }
      // In human mode the error itself follows at once: a verbose copy would say it twice.
      if (options.verbose) record("log", verboseError(error));
      record("error", errorPayload(error));
    },
    completed(exitCode) {
      if (json) record("status", { status: "completed", exitCode });
    },
    spinner(text) {
      if (json || !options.animate) return { stop() {} };
      // One line, always: a frame wider than the terminal would wrap, and `\r` could not
      // return to its start. The only place a line is shortened rather than wrapped.
      const room = (options.stderrColumns ?? options.columns) - 3;
      return spin(io, style, terminal.clean(redacted.clean(text)), room);
    },
  };
}

/** A record as JSON mode prints it: the envelope, compact or pretty. */
function renderer(options: ReporterOptions) {
  return (type: RecordType, payload: Record<string, unknown>) =>
    renderJson(
      envelope(type, options.command, payload),
      options.format === "pretty-json",
      options.jsonColor,
    );
}

/** The `log` record `--verbose` adds before an error record, as the official CLI does. */
function verboseError(error: CliError): Record<string, unknown> {
  return {
    component: error.component ?? "cli",
    event: "fatalError",
    message: `Error: ${error.message}`,
    timestamp: new Date().toISOString(),
    error: error.message,
  };
}

/** An error as its JSON record carries it. */
function errorPayload(error: CliError): Record<string, unknown> {
  return {
    ...error.context,
    error: {
      message: error.message,
      ...(error.code !== undefined ? { code: error.code } : {}),
      ...(error.statusCode !== undefined ? { statusCode: error.statusCode } : {}),
      ...(error.hint ? { hint: error.hint } : {}),
    },
  };
}

/** An error as a person reads it: the message, the hint, the Ably error code and its link. */
function errorText(error: CliError): string {
  const helpUrl = error.context.helpUrl;
  const code = error.code === undefined
    ? ""
    : `\nAbly error code: ${error.code}${typeof helpUrl === "string" ? ` (${helpUrl})` : ""}`;
  return `Error: ${error.message}${error.hint ? `\n${error.hint}` : ""}${code}`;
}

/** A spinner turning on stderr until stopped. */
function spin(io: Streams, style: Style, full: string, room: number): Spinner {
  let frame = 0;
  const shown = full.length > room ? `${full.slice(0, Math.max(0, room - 1))}…` : full;
  const draw = () => io.stderrRaw(`\r${style.cyan(FRAMES[frame++ % FRAMES.length])} ${shown}`);
  draw();
  io.spinning = true;
  const timer = setInterval(draw, 80);
  let stopped = false;
  return {
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      io.spinning = false;
      io.stderrRaw("\r\x1b[K");
    },
  };
}

/**
 * The one wrapping rule for text on a terminal: break between words so that no
 * line is wider than `width` (a longer word gets a line of its own, and may
 * overflow; a word is never cut); a broken line keeps its trailing space, as
 * oclif's errors do. A quoted command (`"ably accounts login --alias x"`) counts
 * as one word, so it can be copied whole. Widths are what is shown: colour codes
 * count for nothing.
 */
export function wrapWords(text: string, width: number, later = width): string[] {
  const lines: string[] = [];
  const joined = text.replace(COMMAND, (command) => command.replaceAll(" ", GLUE));
  for (const paragraph of joined.split("\n")) {
    let line = "";
    let shown = 0;
    for (const word of paragraph.split(" ")) {
      const size = visibleLength(word);
      const room = lines.length ? later : width;
      if (line !== "" && shown + size > room) {
        // The trailing space is kept only where it fits: a line that fills the width
        // exactly ends at its last word, as oclif's does.
        lines.push(shown > room ? line.slice(0, -1) : line);
        line = "";
        shown = 0;
      }
      line += `${word} `;
      shown += size + 1;
    }
    lines.push(line.slice(0, -1));
  }
  return joined === text ? lines : lines.map((line) => line.replaceAll(GLUE, " "));
}

/**
 * A command quoted in a message (`"ably …"`, or `eval "$(ably …)"`), and what holds its
 * words together while it is wrapped.
 */
const COMMAND = /(?:eval )?(["`])(?:\$\()?ably [^"`\n]*\1/g;
const GLUE = "\uE000";

/**
 * A human line as a terminal `width` wide shows it: wrapped between words (`wrapWords`),
 * continuation lines starting under the text — after the line's indentation and a
 * leading mark such as `✓ ` or `▶ ` — or at column `hang`. A line that fits is unchanged.
 */
export function fitLine(line: string, width: number, hang?: number): string {
  if (!line.includes("\n") && visibleLength(line) <= width) return line;
  return line.split("\n").map((paragraph) => {
    if (visibleLength(paragraph) <= width) return paragraph;
    const plain = stripAnsi(paragraph);
    const indent = /^ */.exec(plain)![0].length;
    const mark = /^ *[^\p{L}\p{N}\s"'(`[<] /u.test(plain) ? 2 : 0;
    const under = Math.min(hang ?? indent + mark, Math.floor(width / 2));
    const lead = paragraph.slice(0, paragraph.length - paragraph.trimStart().length);
    const [first, ...more] = wrapWords(paragraph.trimStart(), width - indent, width - under);
    return [lead + first, ...more.map((text) => " ".repeat(under) + text)]
      .map((text) => text.trimEnd()).join("\n");
  }).join("\n");
}

function visibleLength(text: string): number {
  return text.includes("\x1b") ? stripAnsi(text).length : text.length;
}

/** oclif's layout: every line prefixed with ` ›   `, wrapped to the width less six columns. */
export function formatHumanError(text: string, columns: number, style: Style): string {
  return wrapWords(text, Math.max(20, columns - 6))
    .map((line) => ` ${style.red("›")}   ${line}`).join("\n");
}

/** `⚠ message`, continuation lines indented under the text. */
function formatWarning(message: string, columns: number, style: Style): string {
  const [first, ...rest] = wrapWords(message, Math.max(20, columns - 2));
  return [`${style.yellow("⚠")} ${first}`, ...rest.map((line) => `  ${line}`)].join("\n");
}
