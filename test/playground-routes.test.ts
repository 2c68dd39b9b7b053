/**
 * What the playground stands on, over a real socket: the page and its files (served
 * without a key, from the build, with nothing from elsewhere), `--no-playground`, and the
 * JSON routes it reads: a model's graph and a thread's state, each behind the API key and
 * the thread's tenant.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph as approval } from "../graphs/approval.js";
import { parseCli } from "../src/cli.js";
import { createRegistry } from "../src/index.js";
import { graphSchema } from "../src/routes/graph.js";
import { threadStateSchema } from "../src/routes/thread-state.js";
import { startServer } from "./helpers.js";
import { killServerProcesses, startServerProcess } from "./server-process.js";

const ACME = "sk-acme";
const OTHER = "sk-other";
const ECHO_ONLY = "sk-echo-only";
let server: Awaited<ReturnType<typeof startServer>>;
let origin: string;

beforeAll(async () => {
  const registry = await createRegistry({ approval, "team/approval": approval });
  server = await startServer({ registry, apiKeys: [{ key: ACME }, { key: OTHER }, { key: ECHO_ONLY, models: ["echo"] }] });
  origin = new URL(server.url).origin;
});
afterAll(async () => {
  await server?.close();
  killServerProcesses();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${origin}${path}`, { headers });
const withKey = (key: string) => ({ Authorization: `Bearer ${key}` });

describe("the page", () => {
  it("is served to a browser at / without a key, and refers only to its own files", async () => {
    const response = await get("/", { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toMatch(/^default-src 'self';/);
    const html = await response.text();
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(references).toEqual(["data:,", "/playground/style.css", "/playground/main.js"]);
  });

  it("weighs under 48 KB, every file it loads included", async () => {
    const html = await (await get("/", { Accept: "text/html" })).text();
    const script = await (await get("/playground/main.js")).text();
    // main.js and the modules it imports, transitively.
    const modules = new Map<string, string>([["main.js", script]]);
    for (const [, text] of modules) {
      for (const [, name] of text.matchAll(/from "\.\/([\w-]+\.js)"/g)) {
        if (!modules.has(name!)) modules.set(name!, await (await get(`/playground/${name}`)).text());
      }
    }
    const css = await (await get("/playground/style.css")).text();
    const bytes = [html, css, ...modules.values()].reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    expect(modules.size).toBeGreaterThan(5);
    expect(bytes).toBeLessThan(48 * 1024);
  });

  it("serves its scripts and styles with their types, and nothing else under /playground/", async () => {
    const script = await get("/playground/main.js");
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await get("/playground/style.css")).headers.get("content-type")).toBe("text/css; charset=utf-8");
    for (const path of ["/playground/tsconfig.json", "/playground/main.ts", "/playground/..%2F..%2Fpackage.json", "/playground/nothing.js"]) {
      const response = await get(path, withKey(ACME));
      expect(response.status, path).toBe(404);
    }
  });

  it("leaves / to the JSON routes for any other client: 401 without a key, 404 with one", async () => {
    expect((await get("/", { Accept: "application/json" })).status).toBe(401);
    const response = await get("/", { Accept: "application/json", ...withKey(ACME) });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "unknown_url" } });
  });

  it("is on unless --no-playground says otherwise", () => {
    expect(parseCli([], {})).toMatchObject({ playground: true });
    expect(parseCli(["--no-playground"], {})).toMatchObject({ playground: false });
  });

  it("is off with --no-playground", async () => {
    const [on, off] = await Promise.all([startServerProcess([]), startServerProcess(["--no-playground"])]);
    const page = (url: string) => fetch(new URL("/", url), { headers: { Accept: "text/html" } });
    expect((await page(on.url)).status).toBe(200);
    const response = await page(off.url);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "unknown_url" } });
    expect((await fetch(new URL("/playground/main.js", off.url))).status).toBe(404);
  }, 60_000);
});

describe("GET /graphs/{model}", () => {
  it("gives the graph's nodes and edges as LangGraph's getGraph() draws them", async () => {
    const response = await get("/graphs/approval", withKey(ACME));
    expect(response.status).toBe(200);
    const graph = graphSchema.parse(await response.json());
    expect(graph.nodes.map((node) => node.id)).toEqual(["__start__", "draft", "approve", "send", "__end__"]);
    expect(graph.edges).toContainEqual({ source: "draft", target: "approve", conditional: false });
    expect(graph.edges).toContainEqual({ source: "approve", target: "send", conditional: true });
  });

  it("takes a model id with a slash", async () => {
    const graph = graphSchema.parse(await (await get("/graphs/team/approval", withKey(ACME))).json());
    expect(graph.model).toBe("team/approval");
  });

  it("needs a key, and hides models the key may not use", async () => {
    expect((await get("/graphs/approval")).status).toBe(401);
    const hidden = await get("/graphs/approval", withKey(ECHO_ONLY));
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toMatchObject({ error: { code: "model_not_found" } });
    expect((await get("/graphs/nope", withKey(ACME))).status).toBe(404);
  });
});

describe("GET /threads/{thread_id}/state", () => {
  const chat = (key: string, threadId: string, content: string) =>
    fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Thread-Id": threadId, "X-Thread-Mode": "continue", ...withKey(key) },
      body: JSON.stringify({ model: "approval", messages: [{ role: "user", content }] }),
    });
  const state = (key: string, threadId: string, model = "approval") =>
    get(`/threads/${encodeURIComponent(threadId)}/state?model=${encodeURIComponent(model)}`, withKey(key));

  it("shows what the thread holds, the node it waits at and the question it asks", async () => {
    expect((await chat(ACME, "trip/1", "write an email about the trip")).status).toBe(200);
    const response = await state(ACME, "trip/1");
    expect(response.status).toBe(200);
    const body = threadStateSchema.parse(await response.json());
    expect(body).toMatchObject({ thread_id: "trip/1", model: "approval", next: ["approve"], question: "Send this email? (yes/no)", choices: ["yes", "no"] });
    expect(body.interrupts).toHaveLength(1);
    expect(body.values.messages).toEqual([
      expect.objectContaining({ type: "human", content: "write an email about the trip" }),
      expect.objectContaining({ type: "ai", content: expect.stringMatching(/^Draft email:/), usage_metadata: expect.any(Object) }),
    ]);

    await chat(ACME, "trip/1", "yes");
    const after = threadStateSchema.parse(await (await state(ACME, "trip/1")).json());
    expect(after).toMatchObject({ next: [], question: null, choices: [], interrupts: [] });
    expect((after.values.messages as { content: string }[]).at(-1)?.content).toBe('Sent the email "The trip".');
  });

  it("is the tenant's own: another key's thread of the same name is not found", async () => {
    await chat(ACME, "private", "write an email about salaries");
    const response = await state(OTHER, "private");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "thread_not_found", param: "thread_id" } });
    expect((await state(ACME, "private")).status).toBe(200);
  });

  it("answers 400 without a model, 404 for a model the key may not use or a thread never run", async () => {
    const noModel = await get("/threads/private/state", withKey(ACME));
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toMatchObject({ error: { param: "model" } });
    expect((await state(ECHO_ONLY, "private")).status).toBe(404);
    expect((await state(ACME, "never-run")).status).toBe(404);
    expect((await get("/threads/private/state?model=approval")).status).toBe(401);
  });
});
