/**
 * A server with no keys on the operator's machine, seen from a web page the operator
 * visits: it may not read answers cross-origin, nor reach the server by DNS rebinding.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "./helpers.js";

type Server = Awaited<ReturnType<typeof startServer>>;

const CHAT = JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hi" }] });

/** A chat request as a rebound page sends it: to the server's address, naming another host. */
function chatAs(server: Server, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: "127.0.0.1", port: server.port, path: "/v1/chat/completions", method: "POST", headers: { Host: host, "Content-Type": "application/json" } },
      (response) => {
        let body = "";
        response.setEncoding("utf8").on("data", (text: string) => (body += text));
        response.on("end", () => resolve({ status: response.statusCode!, body }));
      },
    );
    outgoing.on("error", reject).end(CHAT);
  });
}

async function preflightFrom(server: Server, origin: string): Promise<string | null> {
  const response = await fetch(`${server.url}/chat/completions`, {
    method: "OPTIONS",
    headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type" },
  });
  return response.headers.get("access-control-allow-origin");
}

describe("a server without keys, bound to loopback", () => {
  let server: Server;

  beforeAll(async () => {
    server = await startServer({ config: "langgraph.config.json" });
  });
  afterAll(() => server.close());

  it("lets only pages served from this machine's loopback read its answers", async () => {
    expect(await preflightFrom(server, "https://evil.example")).toBeNull();
    expect(await preflightFrom(server, "http://localhost.evil.example")).toBeNull();
    expect(await preflightFrom(server, "http://localhost:5173")).toBe("http://localhost:5173");
    expect(await preflightFrom(server, "http://127.0.0.1:3000")).toBe("http://127.0.0.1:3000");
    expect(await preflightFrom(server, "http://[::1]:8080")).toBe("http://[::1]:8080");
  });

  it("refuses a request for a host name rebound to it, and answers localhost and IP addresses", async () => {
    const rebound = await chatAs(server, `evil.example:${server.port}`);
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: "host_not_allowed", type: "invalid_request_error" } });
    expect(JSON.parse(rebound.body).error.message).toMatch(/--allowed-host evil\.example/);
    for (const host of [`localhost:${server.port}`, `127.0.0.1:${server.port}`, `[::1]:${server.port}`, `app.localhost:${server.port}`]) {
      expect((await chatAs(server, host)).status).toBe(200);
    }
  });
});

describe("the operator's choices", () => {
  it("answers a host name given with --allowed-host", async () => {
    const server = await startServer({ config: "langgraph.config.json", allowedHosts: ["my-box.lan"] });
    expect((await chatAs(server, `My-Box.lan:${server.port}`)).status).toBe(200);
    expect((await chatAs(server, `other.lan:${server.port}`)).status).toBe(403);
    await server.close();
  });

  it("opens CORS to any origin with --cors-origin '*', or with keys, where every call needs one", async () => {
    const open = await startServer({ config: "langgraph.config.json", corsOrigins: ["*"] });
    expect(await preflightFrom(open, "https://chat.example.com")).toBe("*");
    await open.close();
    const keyed = await startServer({ config: "langgraph.config.json", apiKeys: [{ key: "sk-a" }] });
    expect(await preflightFrom(keyed, "https://chat.example.com")).toBe("*");
    await keyed.close();
  });
});
