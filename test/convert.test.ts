import { AIMessage, FunctionMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { toLangChainMessages, toOpenAIToolCalls } from "../src/protocols/chat-completions/convert.js";

describe("OpenAI messages to LangChain messages", () => {
  it("maps every role to its LangChain message", () => {
    const messages = toLangChainMessages([
      { role: "system", content: "Be brief." },
      { role: "developer", content: "Use metric units." },
      { role: "user", content: "Hi", name: "ada" },
      { role: "assistant", content: "Hello!" },
    ]);
    expect(messages.map((message) => [message.constructor, message.text])).toEqual([
      [SystemMessage, "Be brief."],
      [SystemMessage, "Use metric units."],
      [HumanMessage, "Hi"],
      [AIMessage, "Hello!"],
    ]);
    expect(messages[2]?.name).toBe("ada");
  });

  it("keeps content parts as content blocks", () => {
    const [message] = toLangChainMessages([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this picture?" },
          { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
        ],
      },
    ]);
    expect(message?.content).toEqual([
      { type: "text", text: "What is in this picture?" },
      { type: "image_url", image_url: { url: "https://example.com/cat.png", detail: "low" } },
    ]);
    expect(message?.text).toBe("What is in this picture?");
  });

  it("parses an assistant's tool calls and links the tool results to them", () => {
    const [call, result] = toLangChainMessages([
      {
        role: "assistant",
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "now", arguments: "" } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "18°C" },
    ]) as [AIMessage, ToolMessage];
    expect(call).toBeInstanceOf(AIMessage);
    expect(call.content).toBe("");
    expect(call.tool_calls).toEqual([
      { id: "call_1", name: "get_weather", args: { city: "Paris" }, type: "tool_call" },
      { id: "call_2", name: "now", args: {}, type: "tool_call" },
    ]);
    expect(result).toBeInstanceOf(ToolMessage);
    expect(result.tool_call_id).toBe("call_1");
    expect(result.text).toBe("18°C");
  });

  it("keeps tool call arguments that are not JSON (the spec allows any string) as an invalid tool call", () => {
    const [call] = toLangChainMessages([
      {
        role: "assistant",
        tool_calls: [
          { id: "c1", type: "function", function: { name: "f", arguments: "{nope" } },
          { id: "c2", type: "function", function: { name: "g", arguments: '{"ok":true}' } },
        ],
      },
    ]) as [AIMessage];
    expect(call.tool_calls).toEqual([{ type: "tool_call", id: "c2", name: "g", args: { ok: true } }]);
    expect(call.invalid_tool_calls).toEqual([
      { type: "invalid_tool_call", id: "c1", name: "f", args: "{nope", error: expect.any(String) },
    ]);
  });

  it("reads the deprecated function_call and function messages as LangChain does", () => {
    const [call, result] = toLangChainMessages([
      { role: "assistant", function_call: { name: "get_weather", arguments: '{"city":"Paris"}' } },
      { role: "function", name: "get_weather", content: "18°C" },
    ]) as [AIMessage, FunctionMessage];
    expect(call.additional_kwargs.function_call).toEqual({ name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(call.content).toBe("");
    expect(result).toBeInstanceOf(FunctionMessage);
    expect(result).toMatchObject({ name: "get_weather", content: "18°C" });
  });

  it("reads a custom tool's call as @langchain/openai writes it", () => {
    const [call] = toLangChainMessages([
      { role: "assistant", tool_calls: [{ id: "c1", type: "custom", custom: { name: "shell", input: "ls -la" } }] },
    ]) as [AIMessage];
    expect(call.tool_calls).toEqual([{ type: "tool_call", id: "c1", name: "shell", args: { input: "ls -la" }, isCustomTool: true }]);
  });
});

describe("LangChain tool calls to OpenAI tool calls", () => {
  it("writes arguments as a JSON string and keeps the ids", () => {
    expect(toOpenAIToolCalls([{ id: "call_9", name: "search", args: { query: "cats", limit: 3 } }])).toEqual([
      { id: "call_9", type: "function", function: { name: "search", arguments: '{"query":"cats","limit":3}' } },
    ]);
  });
});
