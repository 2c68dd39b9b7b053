/**
 * What the server's log says of hostile or failed requests: nothing a client sends can
 * forge a line, and each failure is logged once, as what it is.
 */
import { once } from "node:events";
import net from "node:net";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { bannerUrl, runCommand, startServer } from "./helpers.js";

let stopServer: (() => void) | undefined;
afterEach(() => stopServer?.());

describe("pretty logs", () => {
  it("escape the control characters of a client's path: no forged line, no terminal escape", async () => {
    const { output, finished, stop } = runCommand(process.execPath, ["bin/langgraph-openai.js", "serve", "--port", "0", "--log-format", "pretty", "--log-level", "info"]);
    stopServer = stop;
    const url = await bannerUrl(output, finished);
    const response = await fetch(`${url}/x%0AFORGED%20admin%20logged%20in%1B%5B31m`);
    expect(response.status).toBe(404);
    stop();
    const { stdout } = await finished;
    expect(stdout).toContain("GET /v1/x\\nFORGED admin logged in\\u001b[31m 404");
    expect(stdout.split("\n").some((line) => line.startsWith("FORGED"))).toBe(false);
    expect(stdout).not.toContain("\u001b");
  });
});

describe("request log lines", () => {
  const lines: Record<string, unknown>[] = [];
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    server = await startServer({ config: "langgraph.config.json", logger, bodyLimit: 512 * 1024 });
  });
  afterAll(() => server.close());

  it("log a chunked body Node's parser refuses as the 400 the client got, not as a client that left", async () => {
    const socket = net.connect(server.port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8").on("data", (text: string) => (answer += text));
    socket.on("error", () => {});
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"mod\r\nzz\r\n');
    await once(socket, "close");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    await expect.poll(() => lines.find((line) => line.path === "/v1/chat/completions")).toMatchObject({ status: 400, errorCode: "malformed_body", level: 30 });
    expect(lines.filter((line) => line.status === 499)).toEqual([]);
  });

  it("say a body limit in readable units", async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "x".repeat(600 * 1024) }] }),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).error.message).toBe("Request body is larger than the limit of 512 KB.");
  });
});
