import { AIMessage, AIMessageChunk, HumanMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { tool } from "@langchain/core/tools";
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { bindChatRequest } from "../src/run/bind-chat-request.js";
import { REQUEST_CONFIG_KEY, REQUEST_LOG_CONFIG_KEY, type ChatRequestContext } from "../src/run/request-context.js";
import { ScriptedChatModel, type ScriptedCallOptions } from "../src/scripted-model.js";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { ToolsOnlyModel } from "./helpers.js";

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Today's weather in a city.",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false },
  },
};
const timeTool = {
  type: "function" as const,
  function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] } },
};
const reportSchema = {
  type: "object",
  properties: { city: { type: "string" }, temperature: { type: "number", minimum: -50 }, sunny: { type: "boolean" } },
  required: ["city", "temperature", "sunny"],
  additionalProperties: false,
};

/** A node's config as the server builds it, with a logger that keeps what it hears. */
function configFor(request: Partial<ChatRequestContext>, debug: string[] = []): RunnableConfig {
  const log = { debug: (details: object, message: string) => debug.push(`${message} ${JSON.stringify(details)}`) };
  return { configurable: { [REQUEST_CONFIG_KEY]: { model: "graph", ...request }, [REQUEST_LOG_CONFIG_KEY]: log } };
}

describe("bindChatRequest with ChatOpenAI", () => {
  let upstream: FakeUpstream;
  const chatOpenAI = () =>
    new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "sk-test", configuration: { baseURL: upstream.url }, temperature: 0.1, maxTokens: 500, maxRetries: 0 });

  beforeAll(async () => {
    upstream = await startFakeUpstream({ content: '{"city":"Paris","temperature":18,"sunny":true}' });
  });
  beforeEach(() => {
    upstream.requests.length = 0;
  });
  afterAll(() => upstream.close());

  it("sends every option of the request to the endpoint, as call options or on a copy of the model", async () => {
    const debug: string[] = [];
    const config = configFor(
      {
        tools: [weatherTool, timeTool],
        tool_choice: "required",
        parallel_tool_calls: false,
        stop: ["END"],
        max_completion_tokens: 42,
        temperature: 0.7,
        top_p: 0.5,
        frequency_penalty: 0.3,
        presence_penalty: -0.2,
        seed: 7,
        response_format: { type: "json_schema", json_schema: { name: "report", schema: reportSchema, strict: true } },
      },
      debug,
    );
    const answer = await bindChatRequest(chatOpenAI(), config).invoke("weather?");
    expect(answer).toBeInstanceOf(AIMessage);
    expect(answer.text).toBe('{"city":"Paris","temperature":18,"sunny":true}');
    expect(upstream.requests[0]).toMatchObject({
      model: "gpt-4o-mini",
      tools: [{ type: "function", function: { name: "get_weather" } }, { type: "function", function: { name: "get_time" } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      stop: ["END"],
      max_tokens: 42,
      temperature: 0.7,
      top_p: 0.5,
      frequency_penalty: 0.3,
      presence_penalty: -0.2,
      seed: 7,
      response_format: { type: "json_schema", json_schema: { name: "report", schema: reportSchema, strict: true } },
    });
    expect(debug).toEqual([]);
  });

  it("names the function a tool_choice names, streamed as a graph's model streams", async () => {
    const config = configFor({ tools: [weatherTool, timeTool], tool_choice: { type: "function", function: { name: "get_time" } } });
    for await (const _ of await bindChatRequest(chatOpenAI(), config).stream("time?"));
    expect(upstream.requests[0]).toMatchObject({ stream: true, tool_choice: { type: "function", function: { name: "get_time" } } });
  });

  it("narrows the tools to allowed_tools, with its mode", async () => {
    const config = configFor({
      tools: [weatherTool, timeTool],
      tool_choice: { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_time" } }] } },
    });
    await bindChatRequest(chatOpenAI(), config).invoke("time?");
    expect(upstream.requests[0]).toMatchObject({ tool_choice: "required", tools: [{ function: { name: "get_time" } }] });
    expect(upstream.requests[0]!.tools).toHaveLength(1);
  });

  it("leaves the model it was given as it was", async () => {
    const model = chatOpenAI();
    await bindChatRequest(model, configFor({ temperature: 1.5, max_tokens: 9, stop: "END" })).invoke("hi");
    await model.invoke("hi");
    expect(upstream.requests[0]).toMatchObject({ temperature: 1.5, max_tokens: 9, stop: ["END"] });
    expect(upstream.requests[1]).toMatchObject({ temperature: 0.1, max_tokens: 500 });
    expect(upstream.requests[1]).not.toHaveProperty("stop");
  });

  it("binds the graph's own tools, and leaves the client's out when the graph runs every call itself", async () => {
    const lookup = tool(async () => "found", { name: "lookup", description: "Looks up.", schema: z.object({ q: z.string() }) });
    const debug: string[] = [];
    const config = configFor({ tools: [weatherTool], tool_choice: "required", max_tokens: 5 }, debug);
    await bindChatRequest(chatOpenAI(), config, { tools: [lookup], clientTools: false }).invoke("hi");
    expect(upstream.requests[0]).toMatchObject({ tools: [{ function: { name: "lookup" } }], max_tokens: 5 });
    expect(upstream.requests[0]).not.toHaveProperty("tool_choice");
    expect(debug).toEqual([expect.stringContaining("'tools' dropped")]);
  });

  it("is the model itself when the graph runs outside the server", () => {
    const model = chatOpenAI();
    expect(bindChatRequest(model, undefined)).toBe(model);
    expect(bindChatRequest(model, {})).toBe(model);
  });
});

describe("bindChatRequest with the ScriptedChatModel", () => {
  const reply = "The weather in Paris is sunny. END of report.";
  const scripted = (respond = (): string => reply) => new ScriptedChatModel({ respond });
  const ask = (model: ScriptedChatModel, request: Partial<ChatRequestContext>, debug: string[] = []) =>
    bindChatRequest(model, configFor(request, debug)).invoke([new HumanMessage("Weather in Paris?")]);

  it("stops before a stop sequence and after max tokens", async () => {
    expect((await ask(scripted(), { stop: ["END", "sunny"] })).text).toBe("The weather in Paris is ");
    const cut = await ask(scripted(), { max_completion_tokens: 3 });
    expect(cut.text).toBe("The weather in ");
    expect(cut.response_metadata.finish_reason).toBe("length");
  });

  it("calls the tool that tool_choice names, with arguments that fit its schema", async () => {
    const answer = await ask(scripted(), { tools: [weatherTool, timeTool], tool_choice: { type: "function", function: { name: "get_time" } } });
    expect(answer.tool_calls).toEqual([expect.objectContaining({ name: "get_time", args: { zone: reply } })]);
  });

  it("calls a tool when tool_choice is required, and none when it is none", async () => {
    const required = await ask(scripted(), { tools: [weatherTool], tool_choice: "required" });
    expect(required.tool_calls).toEqual([expect.objectContaining({ name: "get_weather", args: { city: reply } })]);
    const calling = () => ({ content: "Checking. ", toolCalls: [{ name: "get_weather", args: { city: "Paris" } }] });
    const none = await bindChatRequest(new ScriptedChatModel({ respond: calling }), configFor({ tools: [weatherTool], tool_choice: "none" })).invoke("hi");
    expect(none.tool_calls).toEqual([]);
    expect(none.text).toBe("Checking. ");
  });

  it("makes one tool call at most when parallel_tool_calls is false", async () => {
    const both = () => ({ toolCalls: [{ name: "get_weather", args: { city: "Paris" } }, { name: "get_time", args: { zone: "CET" } }] });
    const model = new ScriptedChatModel({ respond: both });
    expect((await bindChatRequest(model, configFor({ tools: [weatherTool, timeTool] })).invoke("hi")).tool_calls).toHaveLength(2);
    const one = await bindChatRequest(model, configFor({ tools: [weatherTool, timeTool], parallel_tool_calls: false })).invoke("hi");
    expect(one.tool_calls?.map((call) => call.name)).toEqual(["get_weather"]);
  });

  it("answers JSON that fits a json_schema response format, and JSON for json_object", async () => {
    const schema = await ask(scripted(), { response_format: { type: "json_schema", json_schema: { name: "report", schema: reportSchema } } });
    expect(JSON.parse(schema.text)).toEqual({ city: reply, temperature: 0, sunny: true });
    const object = await ask(scripted(), { response_format: { type: "json_object" } });
    expect(JSON.parse(object.text)).toEqual({ answer: reply });
    const own = await ask(scripted(() => '{"mine":1}'), { response_format: { type: "json_object" } });
    expect(own.text).toBe('{"mine":1}');
  });

  it("answers a client's schema that asks for a billion items, or refers to itself, at once and in a bounded size", async () => {
    const huge = { type: "array", minItems: 1_000_000_000, items: { type: "string", minLength: 1_000_000_000 } };
    const looping = { type: "object", properties: Object.fromEntries(["a", "b", "c", "d"].map((key) => [key, { $ref: "#" }])) };
    for (const schema of [huge, looping]) {
      const answer = await ask(scripted(), { response_format: { type: "json_schema", json_schema: { name: "huge", schema } } });
      expect(answer.text.length).toBeLessThan(1_000_000);
      expect(() => JSON.parse(answer.text)).not.toThrow();
    }
  }, 5_000);

  it("drops what the model cannot take with a debug log, and still answers", async () => {
    const debug: string[] = [];
    const answer = await ask(scripted(), { temperature: 0.2, top_p: 0.9, seed: 3 }, debug);
    expect(answer.text).toBe(reply);
    expect(debug).toEqual([
      expect.stringContaining("'temperature' dropped"),
      expect.stringContaining("'top_p' dropped"),
      expect.stringContaining("'seed' dropped"),
    ]);
  });
});

/** A provider's model with a withStructuredOutput of its own: here LangChain's, set on the model, so what it binds shows. */
function ownStructuredOutput(model: ToolsOnlyModel): ToolsOnlyModel {
  return Object.assign(model, { withStructuredOutput: model.withStructuredOutput });
}

describe("bindChatRequest's json_schema for a model without a response_format option", () => {
  it("binds the schema as a tool forced by tool_choice when the model keeps LangChain's base withStructuredOutput, and answers its JSON text", async () => {
    const seen: ScriptedCallOptions[] = [];
    const model = new ToolsOnlyModel({
      respond: (_messages: BaseMessage[], options) => {
        seen.push(options);
        return { toolCalls: [{ name: "report", args: { city: "Paris", temperature: 18, sunny: true } }] };
      },
    });
    const config = configFor({ response_format: { type: "json_schema", json_schema: { name: "report", schema: reportSchema } } });
    const answer = await bindChatRequest(model, config).invoke("weather?");
    expect(answer).toBeInstanceOf(AIMessageChunk);
    expect(JSON.parse(answer.text)).toEqual({ city: "Paris", temperature: 18, sunny: true });
    expect(answer.tool_calls ?? []).toEqual([]);
    expect(seen[0]?.tools).toEqual([expect.objectContaining({ function: expect.objectContaining({ name: "report", parameters: reportSchema }) })]);
    expect(seen[0]?.tool_choice).toBe("report");
  });

  it("gets JSON from a model that answers prose unless a tool call is forced", async () => {
    const model = new ToolsOnlyModel({
      respond: (_messages, options) => (options.tool_choice ? { toolCalls: [{ name: String(options.tool_choice), args: { city: "Paris", temperature: 18, sunny: true } }] } : "It is sunny."),
    });
    const config = configFor({ response_format: { type: "json_schema", json_schema: { name: "report", schema: reportSchema } } });
    expect(JSON.parse((await bindChatRequest(model, config).invoke("weather?")).text)).toEqual({ city: "Paris", temperature: 18, sunny: true });
    expect((await bindChatRequest(model, configFor({})).invoke("weather?")).text).toBe("It is sunny.");
  });

  it("goes through a provider's own withStructuredOutput, and comes back as the message's JSON text", async () => {
    const seen: ScriptedCallOptions[] = [];
    const model = ownStructuredOutput(
      new ToolsOnlyModel({
        respond: (_messages, options) => {
          seen.push(options);
          return { toolCalls: [{ name: "report", args: { city: "Paris", temperature: 18, sunny: true } }] };
        },
      }),
    );
    const config = configFor({ response_format: { type: "json_schema", json_schema: { name: "report", schema: reportSchema } } });
    expect(JSON.parse((await bindChatRequest(model, config).invoke("weather?")).text)).toEqual({ city: "Paris", temperature: 18, sunny: true });
    // The provider's own way, not ours: LangChain's binds the tool and forces nothing.
    expect(seen[0]?.tool_choice).toBeUndefined();
  });

  it("forces json_object through a tool taking any object, for a model with LangChain's base withStructuredOutput", async () => {
    const model = new ToolsOnlyModel({
      respond: (_messages, options) => (options.tool_choice ? { toolCalls: [{ name: String(options.tool_choice), args: { answer: 42 } }] } : "plain"),
    });
    const answer = await bindChatRequest(model, configFor({ response_format: { type: "json_object" } })).invoke("hi");
    expect(JSON.parse(answer.text)).toEqual({ answer: 42 });
  });

  it("drops json_object for a model with its own withStructuredOutput, which needs a schema", async () => {
    const debug: string[] = [];
    const answer = await bindChatRequest(ownStructuredOutput(new ToolsOnlyModel({ replies: ["plain"] })), configFor({ response_format: { type: "json_object" } }, debug)).invoke("hi");
    expect(answer.text).toBe("plain");
    expect(debug).toEqual([expect.stringContaining("'response_format' dropped")]);
  });
});
