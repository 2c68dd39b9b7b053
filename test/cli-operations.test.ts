import { describe, expect, it } from "vitest";
import { parseCli, parseSize, UsageError } from "../src/cli.js";
import { parseApiKeysEnv } from "../src/middleware/auth.js";

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
  const options = parseCli(argv, env);
  if (typeof options === "string") throw new Error(`unexpected ${options}`);
  return options;
};

describe("operations flags", () => {
  it("reads sizes as powers of 1024", () => {
    expect(parseSize("10mb")).toBe(10 * 1024 * 1024);
    expect(parseSize("512KiB")).toBe(512 * 1024);
    expect(parseSize("1.5gb")).toBe(1.5 * 1024 ** 3);
    expect(parseSize("2048")).toBe(2048);
    expect(() => parseSize("ten")).toThrow(UsageError);
    expect(() => parseSize("10 parsecs")).toThrow(/--body-limit/);
  });

  it("defaults to no keys, any origin, 10 MiB bodies, no caps, the cost limits, 10 s for the database, 30 s to stop and metrics on", () => {
    expect(parse([])).toMatchObject({
      apiKeys: [],
      corsOrigins: [],
      bodyLimit: 10 * 1024 * 1024,
      maxConcurrentRuns: undefined,
      runTimeout: undefined,
      maxMessages: 2000,
      maxThreadMessages: 4000,
      maxThreadSize: 16 * 1024 * 1024,
      dbTimeout: 10,
      shutdownTimeout: 30,
      logLevel: "info",
      logFormat: "auto",
      metrics: true,
    });
  });

  it("collects repeated --api-key and --cors-origin, with model lists, and keys from the environment", () => {
    const options = parse(
      ["--api-key", "sk-a", "--api-key", "sk-b:echo,chat", "--cors-origin", "https://a.example", "--cors-origin", "https://b.example"],
      { LANGGRAPH_OPENAI_API_KEYS: "sk-c, sk-d" },
    );
    expect(options.apiKeys).toEqual([{ key: "sk-a" }, { key: "sk-b", models: ["echo", "chat"] }, { key: "sk-c" }, { key: "sk-d" }]);
    expect(options.corsOrigins).toEqual(["https://a.example", "https://b.example"]);
    expect(options.allowedHosts).toBeUndefined();
    expect(parse(["--allowed-host", "box.lan", "--allowed-host", "proxy.example"]).allowedHosts).toEqual(["box.lan", "proxy.example"]);
  });

  it("reads a key's tenant after '@', before its model list", () => {
    expect(parse(["--api-key", "sk-a@acme", "--api-key", "sk-b@acme:echo,chat"], { LANGGRAPH_OPENAI_API_KEYS: "sk-c@globex,sk-d" }).apiKeys).toEqual([
      { key: "sk-a", tenant: "acme" },
      { key: "sk-b", tenant: "acme", models: ["echo", "chat"] },
      { key: "sk-c", tenant: "globex" },
      { key: "sk-d" },
    ]);
    expect(() => parse(["--api-key", "sk-a@"])).toThrow(/names no tenant after '@'/);
  });

  it("marks --front-end-key keys, from flags or the environment, as front ends", () => {
    expect(parse(["--api-key", "sk-a@acme", "--front-end-key", "sk-webui@acme:chat"], { LANGGRAPH_OPENAI_FRONT_END_KEYS: "sk-lib@globex" }).apiKeys).toEqual([
      { key: "sk-a", tenant: "acme" },
      { key: "sk-webui", tenant: "acme", models: ["chat"], frontEnd: true },
      { key: "sk-lib", tenant: "globex", frontEnd: true },
    ]);
    expect(() => parse(["--front-end-key", "sk-a@"])).toThrow(/--front-end-key: .*names no tenant/);
  });

  it("reads the store, the thread lock's bound and user scoping, with their defaults", () => {
    expect(parse([])).toMatchObject({ store: "memory", threadLockTimeout: 60, scopeThreadsByUser: false });
    expect(parse(["--store", "postgres://u@h/db", "--thread-lock-timeout", "5", "--scope-threads-by-user"])).toMatchObject({
      store: "postgres://u@h/db",
      threadLockTimeout: 5,
      scopeThreadsByUser: true,
    });
    expect(parse([], { LANGGRAPH_OPENAI_STORE: "postgresql://u@h/db" }).store).toBe("postgresql://u@h/db");
    expect(parse(["--store", "none"]).store).toBe("none");
    expect(() => parse(["--store", "sqlite:./store.db"])).toThrow(/--store \(or \$LANGGRAPH_OPENAI_STORE\) must be 'memory', 'none' or a postgres:\/\/USER@HOST:PORT\/DB URL, got 'sqlite:.\/store.db'/);
    expect(() => parse(["--thread-lock-timeout", "0"])).toThrow(/--thread-lock-timeout must be a positive number/);
  });

  it("splits the keys variable on ';' when an entry lists models", () => {
    expect(parseApiKeysEnv("k1,k2;k3:agent,chat;k4")).toEqual([
      { key: "k1" },
      { key: "k2" },
      { key: "k3", models: ["agent", "chat"] },
      { key: "k4" },
    ]);
    expect(parseApiKeysEnv("")).toEqual([]);
  });

  it("reads limits, timeouts, logging and --no-metrics", () => {
    const options = parse(
      ["--body-limit", "1mb", "--max-concurrent-runs", "4", "--run-timeout", "90", "--shutdown-timeout", "2.5", "--log-format", "json", "--no-metrics"],
      { LOG_LEVEL: "warn" },
    );
    expect(options).toMatchObject({ bodyLimit: 1024 * 1024, maxConcurrentRuns: 4, runTimeout: 90, shutdownTimeout: 2.5, logLevel: "warn", logFormat: "json", metrics: false });
    expect(parse(["--log-level", "debug"], { LOG_LEVEL: "warn" }).logLevel).toBe("debug");
    expect(parse([]).showGraphErrors).toBe(false);
    expect(parse(["--show-graph-errors"]).showGraphErrors).toBe(true);
  });

  it("reads the cost limits and the database timeout from flags or the environment, flags first", () => {
    const flags = ["--max-messages", "500", "--max-thread-messages", "800", "--max-thread-size", "8mb", "--db-timeout", "2.5"];
    expect(parse(flags)).toMatchObject({ maxMessages: 500, maxThreadMessages: 800, maxThreadSize: 8 * 1024 * 1024, dbTimeout: 2.5 });
    const env = {
      LANGGRAPH_OPENAI_MAX_MESSAGES: "300",
      LANGGRAPH_OPENAI_MAX_THREAD_MESSAGES: "900",
      LANGGRAPH_OPENAI_MAX_THREAD_SIZE: "1gb",
      LANGGRAPH_OPENAI_DB_TIMEOUT: "30",
    };
    expect(parse([], env)).toMatchObject({ maxMessages: 300, maxThreadMessages: 900, maxThreadSize: 1024 ** 3, dbTimeout: 30 });
    expect(parse(["--max-messages", "400"], env).maxMessages).toBe(400);
  });

  it("refuses values that make no sense, naming the flag", () => {
    expect(() => parse(["--max-messages", "0"])).toThrow(/--max-messages must be a positive whole number/);
    expect(() => parse([], { LANGGRAPH_OPENAI_MAX_THREAD_MESSAGES: "many" })).toThrow(/--max-thread-messages/);
    expect(() => parse(["--max-thread-size", "huge"])).toThrow(/--max-thread-size must be a size/);
    expect(() => parse(["--max-thread-size", "0"])).toThrow(/--max-thread-size must be a size above zero/);
    expect(() => parse(["--db-timeout", "0"])).toThrow(/--db-timeout must be a positive number/);
    expect(() => parse(["--max-concurrent-runs", "0"])).toThrow(/--max-concurrent-runs must be a positive whole number/);
    expect(() => parse(["--max-concurrent-runs", "2.5"])).toThrow(UsageError);
    expect(() => parse(["--run-timeout", "soon"])).toThrow(/--run-timeout/);
    expect(() => parse(["--log-level", "loud"])).toThrow(/--log-level must be one of/);
    expect(() => parse(["--log-format", "xml"])).toThrow(/--log-format/);
    expect(() => parse(["--api-key", "sk-a:"])).toThrow(/lists no model/);
    expect(() => parse(["--api-key", ":echo"])).toThrow(/empty API key/);
  });
});
