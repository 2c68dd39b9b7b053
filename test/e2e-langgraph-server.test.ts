import OpenAI, { BadRequestError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collect, startServer } from "./helpers.js";

const CONFIG = "test/fixtures/langgraph-server/langgraph.json";

/** The inspect graph's answer: what its run was given. */
interface Received {
  model?: string;
  systemPrompt?: string;
  assistant_id?: string;
  graph_id?: string;
  thread_id?: string;
  user_id?: string;
  langgraph_auth_user?: Record<string, unknown>;
  context?: Record<string, unknown>;
  serverInfo?: { assistantId: string; graphId: string; user?: Record<string, unknown> };
  hasStore: boolean;
}

/** Our extension fields, which the openai SDK sends as they are. */
type Extended = OpenAI.ChatCompletionCreateParamsNonStreaming & { configurable?: unknown; context?: unknown };

describe("graphs written for LangGraph's own server", () => {
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    server = await startServer({ config: CONFIG });
  });
  afterAll(() => server.close());

  async function received(model: string, extra: Partial<Extended> = {}, headers: Record<string, string> = {}): Promise<Received> {
    const body: Extended = { model, messages: [{ role: "user", content: "what were you given?" }], ...extra };
    const completion = await server.client.chat.completions.create(body, { headers });
    return JSON.parse(completion.choices[0]!.message.content!) as Received;
  }

  async function badRequest(model: string, extra: Partial<Extended>): Promise<BadRequestError> {
    const error = await received(model, extra).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BadRequestError);
    return error as BadRequestError;
  }

  it("serves one graph as several model ids, each with its own configurable and context defaults", async () => {
    const fast = await received("inspect-fast");
    const cheerful = await received("inspect-cheerful");
    expect(fast).toMatchObject({ model: "fast-model", systemPrompt: "Be brief.", context: { tone: "plain" } });
    expect(cheerful).toMatchObject({ model: "cheerful-model", context: { tone: "cheerful" } });
    expect(cheerful.systemPrompt).toBeUndefined();
    expect(await received("inspect")).toMatchObject({ model: "default-model", context: {} });

    const models = await collect(server.client.models.list());
    expect(models.map((model) => model.id)).toEqual(["inspect", "configured", "bound", "perModel", "inspect-fast", "inspect-cheerful"]);
    expect(models.find((model) => model.id === "inspect-fast")).toMatchObject({ description: "The inspect graph with a fast model" });
  });

  it("tells the graph its assistant and graph ids where LangGraph.js reads them, with runtime.serverInfo", async () => {
    const fast = await received("inspect-fast");
    expect(fast).toMatchObject({ assistant_id: "inspect-fast", graph_id: "inspect", serverInfo: { assistantId: "inspect-fast", graphId: "inspect" } });
    expect(fast.serverInfo?.user).toBeUndefined();
    expect(fast.langgraph_auth_user).toBeUndefined();
    expect(fast.hasStore).toBe(true);
    expect(await received("inspect")).toMatchObject({ assistant_id: "inspect", graph_id: "inspect" });
  });

  it("tells the graph the user a front end forwards, or the request's user, as LangGraph's server tells its auth user", async () => {
    const forwarded = await received("inspect", {}, { "X-OpenWebUI-User-Id": "u-42", "X-OpenWebUI-User-Name": "Ad%C3%A1 Lovelace", "X-OpenWebUI-User-Role": "user" });
    const user = { identity: "u-42", is_authenticated: false, display_name: "Adá Lovelace", role: "user", permissions: [] };
    expect(forwarded).toMatchObject({ user_id: "u-42", langgraph_auth_user: user, serverInfo: { user } });

    const fromBody = await received("inspect", { user: "grace" });
    expect(fromBody).toMatchObject({ user_id: "grace", serverInfo: { user: { identity: "grace" } } });
  });

  it("gives the graph the thread id it runs on", async () => {
    expect(await received("inspect", {}, { "X-Thread-Id": "inspected-thread" })).toMatchObject({ thread_id: "inspected-thread" });
  });

  it("merges a request's configurable and context over the model's defaults, for the keys the model allows", async () => {
    const answer = await received("inspect", { configurable: { model: "client-model" }, context: { tone: "cheerful", userName: "Ada" } });
    expect(answer).toMatchObject({ model: "client-model", context: { tone: "cheerful", userName: "Ada" } });
    expect(await received("inspect-cheerful", { context: { userName: "Grace" } })).toMatchObject({ context: { tone: "cheerful", userName: "Grace" } });
    // A key named like one of Object's own has no default to be compared with.
    expect(await received("inspect-cheerful", { context: { constructor: "Ada" } })).toMatchObject({ context: { tone: "cheerful" } });
  });

  it("refuses a configurable or context key the model does not allow, naming it", async () => {
    const configurable = await badRequest("inspect-fast", { configurable: { model: "gpt-5" } });
    expect(configurable.param).toBe("configurable.model");
    expect(configurable.message).toMatch(/model 'inspect-fast' does not let a request set 'model' \(its 'allow_configurable' setting allows no configurable key\)/);
    const context = await badRequest("inspect", { context: { mood: "grumpy" } });
    expect(context.param).toBe("context.mood");
    expect(context.message).toMatch(/allows only 'tone', 'userName'/);
  });

  it("refuses values the graph's context schema does not accept, or of another type than the model's default", async () => {
    const tone = await badRequest("inspect", { context: { tone: "sarcastic" } });
    expect(tone.param).toBe("context.tone");
    expect(tone.message).toMatch(/Invalid 'context\.tone': Invalid option: expected one of "plain"\|"cheerful"/);
    const model = await badRequest("inspect", { configurable: { model: 42 } });
    expect(model.param).toBe("configurable.model");
    expect(model.message).toMatch(/Invalid 'configurable\.model': expected string, like the model's default, received number\.$/);
  });

  it("refuses keys the server sets, and fields that are not objects", async () => {
    const wildcard = await badRequest("inspect", { configurable: { thread_id: "someone-elses" } });
    expect(wildcard).toMatchObject({ param: "configurable.thread_id" });
    expect(wildcard.message).toMatch(/the server sets 'thread_id'/);
    expect(await badRequest("inspect", { configurable: "model=gpt-5" })).toMatchObject({ param: "configurable" });
    expect(await badRequest("inspect", { context: ["tone"] })).toMatchObject({ param: "context" });
  });

  it("takes configurable and context from a Responses API request too", async () => {
    const body = { model: "inspect", input: "what were you given?", configurable: { model: "client-model" }, context: { userName: "Ada" } };
    const response = await server.client.responses.create(body as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(JSON.parse(response.output_text)).toMatchObject({ model: "client-model", context: { userName: "Ada" }, assistant_id: "inspect" });
    const refused = await server.client.responses.create({ ...body, model: "inspect-fast" } as OpenAI.Responses.ResponseCreateParamsNonStreaming).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, param: "configurable.model" });
  });

  it("builds a factory's graph with the model's configurable for stored responses too: retrieved, continued", async () => {
    const first = await server.client.responses.create({ model: "perModel", input: "what were you given?" });
    expect(JSON.parse(first.output_text)).toMatchObject({ model: "factory-model" });
    expect((await server.client.responses.retrieve(first.id)).output_text).toBe(first.output_text);
    const next = await server.client.responses.create({ model: "perModel", input: "and now?", previous_response_id: first.id });
    expect(JSON.parse(next.output_text)).toMatchObject({ model: "factory-model" });
  });

  it("builds a factory's graph with the model's configurable for Open WebUI's follow-up suggestions on a chat too", async () => {
    const chat = { "X-OpenWebUI-Chat-Id": `chat-${Date.now()}` };
    await received("perModel", {}, chat);
    const task = '### Task:\nSuggest follow-ups.\nJSON format: { "follow_ups": [] }\n<chat_history>\nUSER: what were you given?\n</chat_history>';
    const followUps = await server.client.chat.completions.create(
      { model: "perModel", messages: [{ role: "user", content: task }] },
      { headers: { ...chat, "X-OpenWebUI-Task": "follow_up_generation" } },
    );
    expect(JSON.parse(followUps.choices[0]!.message.content!)).toHaveProperty("follow_ups");
  });

  it("serves graph.withConfig(...) and a RunnableBinding around a graph, with their config under the model's", async () => {
    expect(await received("configured")).toMatchObject({ model: "set-by-withConfig", assistant_id: "configured", graph_id: "configured" });
    expect(await received("bound")).toMatchObject({ model: "set-by-binding", assistant_id: "bound" });
  });
});

describe("--store none", () => {
  it("gives runs no store", async () => {
    const server = await startServer({ config: CONFIG, storeSpec: "none" });
    const completion = await server.client.chat.completions.create({ model: "inspect", messages: [{ role: "user", content: "store?" }] });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toMatchObject({ hasStore: false });
    await server.close();
  });
});

describe("the user a graph is told of, with API keys", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const apiKeys = [
    { key: "sk-a", tenant: "acme" },
    { key: "sk-b", tenant: "beta" },
    { key: "sk-webui", tenant: "beta", frontEnd: true },
  ];

  beforeAll(async () => {
    server = await startServer({ config: CONFIG, apiKeys });
  });
  afterAll(() => server.close());

  async function received(apiKey: string, extra: Partial<Extended> = {}, headers: Record<string, string> = {}): Promise<Received> {
    const client = new OpenAI({ baseURL: server.url, apiKey, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: "inspect", messages: [{ role: "user", content: "who am I?" }], ...extra }, { headers });
    return JSON.parse(completion.choices[0]!.message.content!) as Received;
  }

  it("is the key's tenant, whatever user another key claims, which it keeps only as an unauthenticated hint", async () => {
    const claimed = await received("sk-b", {}, { "X-OpenWebUI-User-Id": "acme", "X-OpenWebUI-User-Name": "Ada" });
    const user = { identity: "beta", is_authenticated: true, tenant: "beta", claimed_user: { identity: "acme", is_authenticated: false, display_name: "Ada" } };
    expect(claimed).toMatchObject({ user_id: "beta", langgraph_auth_user: user, serverInfo: { user } });
    expect((await received("sk-b", { user: "acme" })).langgraph_auth_user).toMatchObject({ identity: "beta", claimed_user: { identity: "acme" } });
    expect(await received("sk-a")).toMatchObject({ user_id: "acme", langgraph_auth_user: { identity: "acme", is_authenticated: true } });
  });

  it("is the user a front end's key names, inside that key's tenant, never another tenant", async () => {
    const forwarded = await received("sk-webui", {}, { "X-OpenWebUI-User-Id": "acme", "X-OpenWebUI-User-Role": "admin" });
    const user = { identity: "beta:acme", is_authenticated: true, tenant: "beta", user: "acme", role: "admin" };
    expect(forwarded).toMatchObject({ user_id: "beta:acme", langgraph_auth_user: user, serverInfo: { user } });
    expect(forwarded.langgraph_auth_user).not.toHaveProperty("claimed_user");
    expect(await received("sk-webui", { user: "grace" })).toMatchObject({ user_id: "beta:grace" });
    expect(await received("sk-webui")).toMatchObject({ user_id: "beta" });
  });
});
