import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError, type CallToolResult, type Progress } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docBlocks, startServer } from "./helpers.js";

const CONFIG = "test/fixtures/mcp/langgraph.config.json";
/** The key and URL docs/mcp.md's client configs use. */
const DOCS_KEY = "sk-my-key";
const DOCS_URL = "http://localhost:8000/mcp";

let server: Awaited<ReturnType<typeof startServer>>;
let keyed: Awaited<ReturnType<typeof startServer>>;
const clients: Client[] = [];

beforeAll(async () => {
  server = await startServer({ config: CONFIG });
  keyed = await startServer({
    config: CONFIG,
    apiKeys: [{ key: "sk-echo-only", models: ["echo", "counter"], tenant: "acme" }, { key: "sk-other" }, { key: DOCS_KEY }],
  });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.all([server.close(), keyed.close()]);
});

/** The SDK's client over Streamable HTTP to `/mcp` of a server, with a bearer key when given. */
async function connect(on = server, key?: string, headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {}): Promise<Client> {
  const url = new URL(on.url.replace(/\/v1$/, "/mcp"));
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
  const client = new Client({ name: "mcp-test", version: "1.0.0" });
  await client.connect(transport);
  clients.push(client);
  return client;
}

interface Structured {
  answer: string;
  thread_id: string;
  interrupted?: boolean;
}

function structured(result: Awaited<ReturnType<Client["callTool"]>>): Structured {
  return (result as CallToolResult).structuredContent as unknown as Structured;
}

function text(result: Awaited<ReturnType<Client["callTool"]>>): string {
  return (result as CallToolResult).content.map((part) => (part.type === "text" ? part.text : "")).join("");
}

async function protocolError(call: Promise<unknown>): Promise<McpError> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(McpError);
  return error as McpError;
}

describe("/mcp: tools/list", () => {
  it("lists every model as a tool named to MCP's rules, with its description and both schemas", async () => {
    const { tools } = await (await connect()).listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["echo", "approval", "agent", "counter", "team_greeter", "team_greeter_2", "settings", "waits", "fails-midway", "calls-echo-tool"]);
    const echo = tools.find((tool) => tool.name === "echo")!;
    expect(echo).toMatchObject({ title: "Echo", description: "Repeats what it is told" });
    expect(echo.inputSchema).toMatchObject({ type: "object", required: ["message"], additionalProperties: false });
    expect(Object.keys(echo.inputSchema.properties!)).toEqual(["message", "thread_id"]);
    expect(echo.outputSchema).toMatchObject({ type: "object", required: ["answer", "thread_id"] });
    expect(Object.keys(echo.outputSchema!.properties!)).toEqual(["answer", "thread_id", "interrupted"]);
  });

  it("adds the configurable and context keys a model allows to its input schema", async () => {
    const { tools } = await (await connect()).listTools();
    const settings = tools.find((tool) => tool.name === "settings")!;
    expect(settings.inputSchema.properties).toMatchObject({
      configurable: { type: "object", properties: { tone: {} } },
      context: { type: "object", properties: { user_name: {} } },
    });
  });
});

describe("/mcp: tools/call", () => {
  it("answers with the graph's text and structured content, on a new thread whose id it returns", async () => {
    const result = await (await connect()).callTool({ name: "echo", arguments: { message: "hello graph" } });
    expect(text(result)).toBe("You said: hello graph");
    expect(structured(result)).toEqual({ answer: "You said: hello graph", thread_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(result.isError).toBeFalsy();
  });

  it("continues a thread by the id an earlier call returned, and starts afresh without one", async () => {
    const client = await connect();
    const first = structured(await client.callTool({ name: "counter", arguments: { message: "one" } }));
    expect(first.answer).toBe("I hold 2 messages.");
    const second = structured(await client.callTool({ name: "counter", arguments: { message: "two", thread_id: first.thread_id } }));
    expect(second).toEqual({ answer: "I hold 4 messages.", thread_id: first.thread_id });
    const fresh = structured(await client.callTool({ name: "counter", arguments: { message: "three" } }));
    expect(fresh.answer).toBe("I hold 2 messages.");
    expect(fresh.thread_id).not.toBe(first.thread_id);
  });

  it("ends at an interrupt with its question and interrupted: true; the next call's message answers it", async () => {
    const client = await connect();
    const asked = structured(await client.callTool({ name: "approval", arguments: { message: "write an email about the picnic" } }));
    expect(asked.interrupted).toBe(true);
    expect(asked.answer).toContain("Subject: The picnic");
    expect(asked.answer).toContain("Send this email? (yes/no)");
    const sent = structured(await client.callTool({ name: "approval", arguments: { message: "yes", thread_id: asked.thread_id } }));
    expect(sent).toEqual({ answer: 'Sent the email "The picnic".', thread_id: asked.thread_id });
  });

  it("passes the configurable and context keys a model allows to the run", async () => {
    const result = await (await connect()).callTool({ name: "settings", arguments: { message: "hi", configurable: { tone: "dry" }, context: { user_name: "Ada" } } });
    expect(structured(result).answer).toBe("tone=dry user_name=Ada");
  });

  it("reports each step of the agent as a progress notification when asked", async () => {
    const progress: Progress[] = [];
    const result = await (await connect()).callTool({ name: "agent", arguments: { message: "what is the weather in Paris?" } }, undefined, {
      onprogress: (update) => progress.push(update),
    });
    expect(structured(result).answer).toBe("Let me check the weather in Paris. \n\nThe weather there today: 18°C and sunny.");
    expect(progress.map((update) => update.progress)).toEqual(progress.map((_, index) => index + 1));
    expect(progress.map((update) => update.message)).toEqual(expect.arrayContaining([expect.stringMatching(/^Calling get_weather/), "get_weather returned: 18°C and sunny"]));
  });

  it("stops the run when the client cancels the call: the thread is free again at once", { timeout: 15_000 }, async () => {
    const client = await connect();
    const controller = new AbortController();
    const threadId = "cancel-me";
    const call = client.callTool({ name: "waits", arguments: { message: "wait", thread_id: threadId } }, undefined, { signal: controller.signal });
    call.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort("user pressed stop");
    await expect(call).rejects.toThrow();
    // A run still holding the thread would keep this call waiting for it.
    const started = Date.now();
    const next = structured(await client.callTool({ name: "waits", arguments: { message: "quick", thread_id: threadId } }, undefined, { timeout: 5_000 }));
    expect(next.answer).toBe("done");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("stops the run when the client closes the call's connection, without a word", { timeout: 15_000 }, async () => {
    const threadId = "hang-up";
    const controller = new AbortController();
    const call = fetch(server.url.replace(/\/v1$/, "/mcp"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "waits", arguments: { message: "wait", thread_id: threadId } } }),
      signal: controller.signal,
    });
    // The call's event stream is open: the run has its thread.
    expect((await call).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    const next = await (await connect()).callTool({ name: "waits", arguments: { message: "quick", thread_id: threadId } }, undefined, { timeout: 5_000 });
    expect(structured(next).answer).toBe("done");
  });

  it("returns a graph's failure as a tool result with isError, not a protocol error, its text kept from the client", async () => {
    const client = await connect(server, undefined, { "X-Request-Id": "req-mcp-fails" });
    const result = await client.callTool({ name: "fails-midway", arguments: { message: "go" } });
    expect(result.isError).toBe(true);
    expect(text(result)).toBe("The graph behind model 'fails-midway' failed (request id req-mcp-fails); the server's log has the error.");
  });

  it("tells the client the graph's error text with --show-graph-errors", async () => {
    const shown = await startServer({ config: CONFIG, showGraphErrors: true, onServerError: () => {} });
    try {
      const result = await (await connect(shown)).callTool({ name: "fails-midway", arguments: { message: "go" } });
      expect(result.isError).toBe(true);
      expect(text(result)).toBe("The graph behind model 'fails-midway' failed: disk full");
    } finally {
      await shown.close();
    }
  });

  it("refuses bad arguments with a protocol error that names the argument", async () => {
    const client = await connect();
    const unknownTool = await protocolError(client.callTool({ name: "nope", arguments: { message: "hi" } }));
    expect(unknownTool.code).toBe(ErrorCode.InvalidParams);
    expect(unknownTool.message).toBe("MCP error -32602: Invalid 'name': no tool 'nope'.");
    const badThread = await protocolError(client.callTool({ name: "echo", arguments: { message: "hi", thread_id: "" } }));
    expect(badThread.code).toBe(ErrorCode.InvalidParams);
    expect(badThread.message).toContain("Invalid 'thread_id'");
    const disallowed = await protocolError(client.callTool({ name: "settings", arguments: { message: "hi", configurable: { model: "x" } } }));
    expect(disallowed.message).toContain("Invalid 'configurable.model': model 'settings' does not let a request set 'model'");
    const unknown = await protocolError(client.callTool({ name: "echo", arguments: { message: "hi", temperature: 0 } }));
    expect(unknown.message).toContain('Unrecognized key: "temperature"');
    const missing = await protocolError(client.callTool({ name: "echo", arguments: {} }));
    expect(missing.message).toContain("Invalid 'message'");
  });
});

describe("/mcp is stateless", () => {
  it("opens no stream on GET and ends no session on DELETE: 405, as the transport spec lets a server say", async () => {
    const url = server.url.replace(/\/v1$/, "/mcp");
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(url, { method, headers: { Accept: "text/event-stream" } });
      expect(response.status, method).toBe(405);
      expect(response.headers.get("allow")).toBe("POST");
      expect(await response.json()).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 }, id: null });
    }
  });

  it("answers without a session id", async () => {
    const response = await fetch(server.url.replace(/\/v1$/, "/mcp"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "curl", version: "1" } } }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    expect(await response.text()).toContain('"serverInfo":{"name":"langgraph-openai"');
  });
});

describe("/mcp with API keys", () => {
  it("refuses a client without a key", async () => {
    await expect(connect(keyed)).rejects.toThrow(/401|API key/);
  });

  it("lists and calls only the models the key may use", async () => {
    const client = await connect(keyed, "sk-echo-only");
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["echo", "counter"]);
    const refused = await protocolError(client.callTool({ name: "approval", arguments: { message: "hi" } }));
    expect(refused.message).toContain("no tool 'approval'");
    expect(text(await client.callTool({ name: "echo", arguments: { message: "hi" } }))).toBe("You said: hi");
  });

  it("keeps each tenant's threads its own: another key's thread id names a fresh thread", async () => {
    const owner = await connect(keyed, "sk-echo-only");
    const first = structured(await owner.callTool({ name: "counter", arguments: { message: "one" } }));
    const other = await connect(keyed, "sk-other");
    const stranger = structured(await other.callTool({ name: "counter", arguments: { message: "two", thread_id: first.thread_id } }));
    expect(stranger.answer).toBe("I hold 2 messages.");
    const again = structured(await owner.callTool({ name: "counter", arguments: { message: "three", thread_id: first.thread_id } }));
    expect(again.answer).toBe("I hold 4 messages.");
  });
});

describe("docs/mcp.md's client configs", () => {
  interface McpServers {
    mcpServers: { graphs: { url?: string; headers?: Record<string, string>; args?: string[]; env?: Record<string, string> } };
  }
  const [claudeDesktop, cursor] = docBlocks("docs/mcp.md", "json").map((block) => JSON.parse(block) as McpServers);

  it("Cursor's headers open this server's /mcp", async () => {
    const { url, headers } = cursor!.mcpServers.graphs;
    expect(url).toBe(DOCS_URL);
    const client = await connect(keyed, undefined, headers);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("Claude Desktop's bridge gets the URL and the same Authorization header", async () => {
    const { args, env } = claudeDesktop!.mcpServers.graphs;
    expect(args).toContain(DOCS_URL);
    const header = args![args!.indexOf("--header") + 1]!.replace("${AUTH_HEADER}", env!.AUTH_HEADER!);
    const [name, value] = [header.slice(0, header.indexOf(":")), header.slice(header.indexOf(":") + 1)];
    const client = await connect(keyed, undefined, { [name]: value });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });
});
