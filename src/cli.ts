/**
 * `langgraph-openai serve`: argument parsing, the startup banner and signals.
 */
import cluster from "node:cluster";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { DEFAULT_BODY_LIMIT } from "./app.js";
import { CHECKPOINTER_ENV, CheckpointerError, parseCheckpointerSpec } from "./checkpointer.js";
import { ConfigError } from "./config.js";
import { UnsupportedLangGraphError } from "./langgraph-location.js";
import { DEFAULT_COST_LIMITS } from "./limits.js";
import { createLogger, LOG_FORMATS, type LogFormat } from "./logger.js";
import { parseApiKey, parseApiKeysEnv, type ApiKey } from "./middleware/auth.js";
import { DEFAULT_DATABASE_TIMEOUT_SECONDS } from "./postgres.js";
import { RESPONSE_SECRET_ENV } from "./protocols/responses/response-secret.js";
import { MissingPackageError } from "./optional-import.js";
import { PACKAGE_VERSION } from "./package-info.js";
import { GraphLoadError } from "./registry.js";
import { LIST_FLAGS, parseListFlag, parseValueFlag, type SettingFlag } from "./setting-flags.js";
import { DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_THREAD_LOCK_TIMEOUT, serve } from "./server.js";
import { parseStoreSpec, STORE_ENV, StoreError } from "./store.js";
import { ClusterThreadLocks } from "./threads/cluster-thread-locks.js";
import { isStopMessage, runWorkers, type WorkerListening } from "./workers.js";

const HELP = `Usage: langgraph-openai serve [options]

Serve the graphs of a LangGraph config as OpenAI-compatible models.

Options:
  -c, --config FILE              LangGraph config to serve (default: langgraph.config.json,
                                 else LangGraph CLI's langgraph.json)
  -p, --port N                   port to listen on (default: $PORT or 8000; 0 picks a free one)
      --host H                   address to bind (default: $HOST or 127.0.0.1)
      --api-key KEY[@TENANT][:M1,M2]
                                 require this bearer key; repeatable; '@TENANT' shares threads with
                                 the tenant's other keys; ':models' limits the key to those models
                                 (also $LANGGRAPH_OPENAI_API_KEYS, comma separated)
      --front-end-key KEY[@TENANT][:M1,M2]
                                 as --api-key, for a front end trusted to name its users
                                 (X-OpenWebUI-User-Id, the body's 'user') within its tenant;
                                 repeatable (also $LANGGRAPH_OPENAI_FRONT_END_KEYS)
      --cors-origin ORIGIN       allow browser calls from ORIGIN, '*' for any; repeatable (default: any
                                 origin with keys, only http://localhost:*, 127.0.0.1 and [::1] without)
      --allowed-host NAME        answer requests for the host NAME too; repeatable (default: bound to
                                 loopback, only localhost and IP addresses, against DNS rebinding)
      --body-limit SIZE          largest request body, e.g. 10mb, 512kb (default: 10mb)
      --max-concurrent-runs N    graph runs at once over all models; more get 429 (default: no cap)
      --run-timeout SECONDS      stop a request after this long, its wait for its thread included
                                 (default: no limit)
      --max-messages N           messages in one request; more get 400 (default: ${DEFAULT_COST_LIMITS.maxMessages},
                                 also $LANGGRAPH_OPENAI_MAX_MESSAGES)
      --max-thread-messages N    messages a thread may hold; a turn that would pass it gets 400
                                 (default: ${DEFAULT_COST_LIMITS.maxThreadMessages}, also $LANGGRAPH_OPENAI_MAX_THREAD_MESSAGES)
      --max-thread-size SIZE     size of a thread's messages, e.g. 16mb; a turn that would pass it
                                 gets 400 (default: ${DEFAULT_COST_LIMITS.maxThreadSize / 1024 / 1024}mb, also $LANGGRAPH_OPENAI_MAX_THREAD_SIZE)
      --shutdown-timeout SECONDS on SIGTERM/SIGINT, let runs finish this long (default: ${DEFAULT_SHUTDOWN_TIMEOUT})
      --log-level LEVEL          fatal, error, warn, info, debug, trace or silent (default: $LOG_LEVEL or info)
      --log-format FORMAT        json, pretty, or auto: pretty when stdout is a terminal (default: auto)
      --checkpointer SPEC        where threads keep their state: memory, sqlite:PATH or
                                 postgres://USER@HOST:PORT/DB (default: $LANGGRAPH_OPENAI_CHECKPOINTER or memory)
      --response-secret SECRET   signs Responses API ids (default: $LANGGRAPH_OPENAI_RESPONSE_SECRET,
                                 else one made once and kept in the checkpointer)
      --store SPEC               LangGraph's store every run gets: memory, none or
                                 postgres://USER@HOST:PORT/DB (default: $LANGGRAPH_OPENAI_STORE or memory)
      --thread-lock-timeout SECONDS
                                 with a postgres checkpointer, how long a request waits while its
                                 thread runs elsewhere before it gets 409 (default: ${DEFAULT_THREAD_LOCK_TIMEOUT})
      --configurable [MODEL.]KEY=VALUE
                                 a default of the runs' config.configurable, for every model or
                                 for MODEL (as openai.models.MODEL.configurable); repeatable;
                                 VALUE is JSON when it parses as JSON, else a string
      --context [MODEL.]KEY=VALUE
                                 a default of the runs' context, the same way; repeatable
      --allow-configurable [MODEL.]KEY
      --allow-context [MODEL.]KEY
      --allow-state [MODEL.]KEY  a key a request may set in its configurable, context or state
                                 ('*' for any); repeatable
      --scope-threads-by-user    scope thread ids by X-OpenWebUI-User-Id too, as a --front-end-key
                                 forwards it (another key's header changes nothing)
      --db-timeout SECONDS       wait this long for the database (connecting, or one query), then
                                 answer 503 (default: ${DEFAULT_DATABASE_TIMEOUT_SECONDS}, also $LANGGRAPH_OPENAI_DB_TIMEOUT)
      --workers N                N server processes on the port, to use N cores; needs a sqlite: or
                                 postgres:// checkpointer, which they share (default: 1)
      --no-metrics               do not serve Prometheus metrics at /metrics
      --show-graph-errors        tell clients a graph's error text (for development; by default
                                 they get a generic message with the request id, the log has it all)
      --no-playground            do not serve the playground page at /
  -v, --version                  print langgraph-openai's version
  -h, --help                     show this help
`;

export class UsageError extends Error {}

export interface CliOptions {
  /** Undefined: the config is looked for in the current folder (see `findConfig`). */
  config: string | undefined;
  port: number;
  host: string;
  apiKeys: ApiKey[];
  corsOrigins: string[];
  /** Undefined: the server decides from where it is bound. */
  allowedHosts?: string[];
  bodyLimit: number;
  maxConcurrentRuns?: number;
  runTimeout?: number;
  maxMessages: number;
  maxThreadMessages: number;
  maxThreadSize: number;
  dbTimeout: number;
  shutdownTimeout: number;
  logLevel: string;
  logFormat: LogFormat;
  metrics: boolean;
  showGraphErrors: boolean;
  playground: boolean;
  checkpointer: string;
  responseSecret?: string;
  store: string;
  threadLockTimeout: number;
  scopeThreadsByUser: boolean;
  /** Model settings from --configurable, --context and the --allow-* flags. */
  settingFlags: SettingFlag[];
  workers: number;
}

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];
const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3 };

/** `10mb`, `512KiB`, `1048576`: units are powers of 1024, as in the `bytes` package. */
export function parseSize(text: string, flag = "--body-limit"): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unitName = match?.[2]!.toLowerCase();
  const unit = unitName !== undefined && Object.hasOwn(SIZE_UNITS, unitName) ? SIZE_UNITS[unitName] : undefined;
  if (!match || unit === undefined) throw new UsageError(`${flag} must be a size such as 10mb, 512kb or 1048576, got '${text}'`);
  return Math.floor(Number(match[1]) * unit);
}

function parseNumber(flag: string, text: string | undefined, options: { integer?: boolean } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0 || (options.integer && !Number.isInteger(value))) {
    throw new UsageError(`${flag} must be a positive ${options.integer ? "whole number" : "number"}, got '${text}'`);
  }
  return value;
}

function parseOptionalSize(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const size = parseSize(text, flag);
  if (size <= 0) throw new UsageError(`${flag} must be a size above zero, got '${text}'`);
  return size;
}

const OPTIONS = {
  config: { type: "string", short: "c" },
  port: { type: "string", short: "p" },
  host: { type: "string" },
  "api-key": { type: "string", multiple: true },
  "front-end-key": { type: "string", multiple: true },
  "cors-origin": { type: "string", multiple: true },
  "allowed-host": { type: "string", multiple: true },
  "body-limit": { type: "string" },
  "max-concurrent-runs": { type: "string" },
  "run-timeout": { type: "string" },
  "max-messages": { type: "string" },
  "max-thread-messages": { type: "string" },
  "max-thread-size": { type: "string" },
  "db-timeout": { type: "string" },
  "shutdown-timeout": { type: "string" },
  "log-level": { type: "string" },
  "log-format": { type: "string" },
  "no-metrics": { type: "boolean" },
  "show-graph-errors": { type: "boolean" },
  "no-playground": { type: "boolean" },
  checkpointer: { type: "string" },
  "response-secret": { type: "string" },
  store: { type: "string" },
  "thread-lock-timeout": { type: "string" },
  "scope-threads-by-user": { type: "boolean" },
  configurable: { type: "string", multiple: true },
  context: { type: "string", multiple: true },
  "allow-configurable": { type: "string", multiple: true },
  "allow-context": { type: "string", multiple: true },
  "allow-state": { type: "string", multiple: true },
  workers: { type: "string" },
  version: { type: "boolean", short: "v" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

/** Our own words for a flag we do not know or a value missing: Node's parseArgs messages explain its API, not ours. */
function checkFlags(argv: string[]): void {
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const option = (OPTIONS as Record<string, { type: "string" | "boolean" }>)[token.name];
    if (option === undefined) throw new UsageError(`unknown option '${token.rawName}'`);
    if (option.type === "string" && token.value === undefined) throw new UsageError(`${token.rawName} needs a value`);
    if (option.type === "boolean" && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
  }
}

export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions | "help" | "version" {
  checkFlags(argv);
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (values.help || positionals[0] === "help") return "help";
  if (values.version) return "version";
  if (positionals.length > 1 || (positionals[0] !== undefined && positionals[0] !== "serve")) {
    throw new UsageError(`unknown command '${positionals.join(" ")}'`);
  }
  const portText = values.port ?? env.PORT ?? "8000";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got '${portText}'`);
  const logLevel = values["log-level"] ?? env.LOG_LEVEL ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(", ")}, got '${logLevel}'`);
  const logFormat = (values["log-format"] ?? "auto") as LogFormat;
  if (!LOG_FORMATS.includes(logFormat)) throw new UsageError(`--log-format must be one of ${LOG_FORMATS.join(", ")}, got '${logFormat}'`);
  const checkpointer = values.checkpointer ?? env[CHECKPOINTER_ENV] ?? "memory";
  let checkpointerKind: string;
  try {
    checkpointerKind = parseCheckpointerSpec(checkpointer).kind;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const workers = parseNumber("--workers", values.workers, { integer: true }) ?? 1;
  if (workers > 1 && checkpointerKind === "memory") {
    throw new UsageError("--workers needs a checkpointer the workers share (--checkpointer sqlite:PATH or postgres://...): in memory, each would keep threads of its own");
  }
  const responseSecret = values["response-secret"] ?? env[RESPONSE_SECRET_ENV];
  if (responseSecret !== undefined && responseSecret.length < 16) {
    throw new UsageError(`--response-secret (or $${RESPONSE_SECRET_ENV}) must be at least 16 characters`);
  }
  const store = values.store ?? env[STORE_ENV] ?? "memory";
  try {
    parseStoreSpec(store);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let apiKeys: ApiKey[];
  try {
    apiKeys = [...(values["api-key"] ?? []).map(parseApiKey), ...parseApiKeysEnv(env.LANGGRAPH_OPENAI_API_KEYS ?? "")];
  } catch (error) {
    throw new UsageError(`--api-key: ${(error as Error).message}`);
  }
  let settingFlags: SettingFlag[];
  try {
    settingFlags = [
      ...(["configurable", "context"] as const).flatMap((flag) => (values[flag] ?? []).map((text) => parseValueFlag(flag, text))),
      ...(Object.keys(LIST_FLAGS) as (keyof typeof LIST_FLAGS)[]).flatMap((flag) => (values[flag] ?? []).map((text) => parseListFlag(flag, text))),
    ];
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  try {
    const frontEnds = [...(values["front-end-key"] ?? []).map(parseApiKey), ...parseApiKeysEnv(env.LANGGRAPH_OPENAI_FRONT_END_KEYS ?? "")];
    apiKeys.push(...frontEnds.map((key) => ({ ...key, frontEnd: true })));
  } catch (error) {
    throw new UsageError(`--front-end-key: ${(error as Error).message}`);
  }
  return {
    config: values.config,
    port,
    host: values.host ?? env.HOST ?? "127.0.0.1",
    apiKeys,
    corsOrigins: values["cors-origin"] ?? [],
    ...(values["allowed-host"] && { allowedHosts: values["allowed-host"] }),
    bodyLimit: parseOptionalSize("--body-limit", values["body-limit"]) ?? DEFAULT_BODY_LIMIT,
    maxConcurrentRuns: parseNumber("--max-concurrent-runs", values["max-concurrent-runs"], { integer: true }),
    runTimeout: parseNumber("--run-timeout", values["run-timeout"]),
    maxMessages:
      parseNumber("--max-messages", values["max-messages"] ?? env.LANGGRAPH_OPENAI_MAX_MESSAGES, { integer: true }) ?? DEFAULT_COST_LIMITS.maxMessages,
    maxThreadMessages:
      parseNumber("--max-thread-messages", values["max-thread-messages"] ?? env.LANGGRAPH_OPENAI_MAX_THREAD_MESSAGES, { integer: true }) ??
      DEFAULT_COST_LIMITS.maxThreadMessages,
    maxThreadSize: parseOptionalSize("--max-thread-size", values["max-thread-size"] ?? env.LANGGRAPH_OPENAI_MAX_THREAD_SIZE) ?? DEFAULT_COST_LIMITS.maxThreadSize,
    dbTimeout: parseNumber("--db-timeout", values["db-timeout"] ?? env.LANGGRAPH_OPENAI_DB_TIMEOUT) ?? DEFAULT_DATABASE_TIMEOUT_SECONDS,
    shutdownTimeout: parseNumber("--shutdown-timeout", values["shutdown-timeout"]) ?? DEFAULT_SHUTDOWN_TIMEOUT,
    logLevel,
    logFormat,
    metrics: !values["no-metrics"],
    showGraphErrors: values["show-graph-errors"] ?? false,
    playground: !values["no-playground"],
    checkpointer,
    ...(responseSecret !== undefined && { responseSecret }),
    store,
    threadLockTimeout: parseNumber("--thread-lock-timeout", values["thread-lock-timeout"]) ?? DEFAULT_THREAD_LOCK_TIMEOUT,
    scopeThreadsByUser: values["scope-threads-by-user"] ?? false,
    settingFlags,
    workers,
  };
}

/** A stop signal this soon after the first is the same delivery, relayed (by npm); a person's second Ctrl-C comes later. */
const REPEATED_SIGNAL_WINDOW_MS = 500;

/** A LangGraph project names its config `langgraph.json`; ours wins when both exist. */
const CONFIG_NAMES = ["langgraph.config.json", "langgraph.json"];

/** The config in `folder` when no --config names one. */
function findConfig(folder: string = process.cwd()): string {
  const found = CONFIG_NAMES.map((name) => join(folder, name)).find((path) => existsSync(path));
  if (found) return found;
  throw new ConfigError(`no ${CONFIG_NAMES.join(" or ")} in ${folder}: run this in your project's folder, or pass --config FILE`);
}

/** One line for what a user can fix; a stack for the rest. */
function describeStartupError(error: unknown, options: CliOptions): string {
  const { code, syscall } = error as NodeJS.ErrnoException;
  if (code === "EADDRINUSE") return `port ${options.port} on ${options.host} is in use: pick another with --port N (0 picks a free one)`;
  const known = [ConfigError, GraphLoadError, CheckpointerError, StoreError, MissingPackageError, UnsupportedLangGraphError].some(
    (type) => error instanceof type,
  );
  // A failed listen (address of no interface here, host that does not resolve) is a
  // system error naming its syscall; its stack would only point into Node.
  return known || typeof syscall === "string" ? (error as Error).message : ((error as Error).stack ?? String(error));
}

export async function main(argv: string[]): Promise<void> {
  let options: CliOptions | "help" | "version";
  try {
    options = parseCli(argv);
  } catch (error) {
    process.stderr.write(`langgraph-openai: ${(error as Error).message}\n\n${HELP}`);
    process.exit(2);
  }
  if (options === "help") {
    process.stdout.write(HELP);
    return;
  }
  if (options === "version") {
    process.stdout.write(`${PACKAGE_VERSION}\n`);
    return;
  }
  if (options.workers > 1 && cluster.isPrimary) {
    runWorkers(options.workers, (line) => process.stderr.write(`${line}\n`));
    return;
  }
  let running;
  try {
    running = await serve({
      config: options.config ?? findConfig(),
      port: options.port,
      host: options.host,
      apiKeys: options.apiKeys,
      corsOrigins: options.corsOrigins,
      allowedHosts: options.allowedHosts,
      bodyLimit: options.bodyLimit,
      maxConcurrentRuns: options.maxConcurrentRuns,
      runTimeoutSeconds: options.runTimeout,
      maxMessages: options.maxMessages,
      maxThreadMessages: options.maxThreadMessages,
      maxThreadSize: options.maxThreadSize,
      databaseTimeoutSeconds: options.dbTimeout,
      shutdownTimeout: options.shutdownTimeout,
      metrics: options.metrics,
      showGraphErrors: options.showGraphErrors,
      playground: options.playground,
      checkpointerSpec: options.checkpointer,
      responseSecret: options.responseSecret,
      storeSpec: options.store,
      threadLockTimeout: options.threadLockTimeout,
      scopeThreadsByUser: options.scopeThreadsByUser,
      settingFlags: options.settingFlags,
      // Workers of one SQLite file take turns on a thread through the primary; Postgres' locks span processes already.
      ...(cluster.isWorker && parseCheckpointerSpec(options.checkpointer).kind === "sqlite" && { threadLocks: new ClusterThreadLocks() }),
      logger: createLogger({ level: options.logLevel, format: options.logFormat }),
    });
  } catch (error) {
    process.stderr.write(`langgraph-openai: ${describeStartupError(error, options)}\n`);
    process.exit(1);
  }
  const lines = [`langgraph-openai: serving ${running.registry.size} model(s) at ${running.url}`];
  for (const entry of running.registry.values()) {
    lines.push(`  ${entry.id}${entry.settings.description ? `  ${entry.settings.description}` : ""}`);
  }
  if (options.apiKeys.length) lines.push(`  ${options.apiKeys.length} API key(s) required`);
  // A worker's banner is the primary's to print, once every worker listens.
  if (cluster.isWorker) process.send!({ kind: "listening", banner: lines } satisfies WorkerListening);
  else process.stderr.write(lines.join("\n") + "\n");
  let stoppingSince: number | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // A signal sent to the process group (systemd's default KillMode, Ctrl-C in a terminal)
      // reaches the server directly and again through `npm start`: one delivery, not "now".
      if (performance.now() - stoppingSince < REPEATED_SIGNAL_WINDOW_MS) return;
      // A second signal means "now": the default handler ends the process.
      process.off("SIGINT", stop).off("SIGTERM", stop);
      process.kill(process.pid, signal);
      return;
    }
    stoppingSince = performance.now();
    if (!cluster.isWorker) process.stderr.write(`langgraph-openai: ${signal}: finishing the runs in flight (up to ${options.shutdownTimeout}s), then exiting\n`);
    running.close().then(
      () => process.exit(0),
      (error) => {
        process.stderr.write(`langgraph-openai: stopping failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // The primary passes its stop on: a drain, never "now".
  if (cluster.isWorker) process.on("message", (message: unknown) => isStopMessage(message) && stoppingSince === undefined && stop("SIGTERM"));
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) await main(process.argv.slice(2));
