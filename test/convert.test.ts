import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { toLangChainMessages, toOpenAIToolCalls } from "../src/protocols/chat-completions/convert.js";
import { InvalidRequestError } from "../src/errors.js";
import type { ChatMessage } from "../src/protocols/chat-completions/schemas.js";

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
        content: null,
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

  it("rejects tool call arguments that are not JSON, naming the field", () => {
    const messages: ChatMessage[] = [
      { role: "user", content: "hi" },
      { role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{nope" } }] },
    ];
    expect(() => toLangChainMessages(messages)).toThrow(InvalidRequestError);
    expect(() => toLangChainMessages(messages)).toThrow(
      expect.objectContaining({ param: "messages[1].tool_calls[0].function.arguments" }),
    );
  });
});

describe("LangChain tool calls to OpenAI tool calls", () => {
  it("writes arguments as a JSON string and keeps the ids", () => {
    expect(toOpenAIToolCalls([{ id: "call_9", name: "search", args: { query: "cats", limit: 3 } }])).toEqual([
      { id: "call_9", type: "function", function: { name: "search", arguments: '{"query":"cats","limit":3}' } },
    ]);
  });
});
