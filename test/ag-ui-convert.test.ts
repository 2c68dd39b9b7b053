import type { AIMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { InvalidRequestError } from "../src/errors.js";
import { toAgUiMessages, toLangChainMessages } from "../src/protocols/ag-ui/convert.js";
import type { Message } from "../src/protocols/ag-ui/schemas.js";

describe("AG-UI messages <-> LangChain messages", () => {
  it("keeps each message's id, and leaves out what the client was shown of the agent's reasoning", () => {
    const messages: Message[] = [
      { id: "s1", role: "system", content: "Be brief." },
      { id: "u1", role: "user", content: "Hi" },
      { id: "r1", role: "reasoning", content: "The user greets me." },
      { id: "a1", role: "assistant", content: "Hello!" },
    ];
    const converted = toLangChainMessages(messages);
    expect(converted.map((message) => [message.getType(), message.id, message.text])).toEqual([
      ["system", "s1", "Be brief."],
      ["human", "u1", "Hi"],
      ["ai", "a1", "Hello!"],
    ]);
    // The id is where LangChain's serialization (a checkpoint) reads it too.
    expect(converted.map((message) => message.lc_kwargs.id)).toEqual(["s1", "u1", "a1"]);
    expect(toAgUiMessages(converted)).toEqual(messages.filter((message) => message.role !== "reasoning"));
  });

  it("reads tool calls whose arguments are not JSON as LangChain's invalid tool calls, and a tool's error as a failed ToolMessage", () => {
    const [assistant, tool] = toLangChainMessages([
      {
        id: "a1",
        role: "assistant",
        toolCalls: [
          { id: "c1", type: "function", function: { name: "f", arguments: '{"x":1}' } },
          { id: "c2", type: "function", function: { name: "g", arguments: "not json" } },
        ],
      },
      { id: "t1", role: "tool", toolCallId: "c1", content: "boom", error: "boom" },
    ]);
    expect((assistant as AIMessage).tool_calls).toEqual([expect.objectContaining({ id: "c1", name: "f", args: { x: 1 } })]);
    expect((assistant as AIMessage).invalid_tool_calls).toEqual([expect.objectContaining({ id: "c2", name: "g", args: "not json" })]);
    expect(tool).toMatchObject({ tool_call_id: "c1", status: "error", id: "t1" });
    expect(toAgUiMessages([tool as ToolMessage])).toEqual([{ id: "t1", role: "tool", content: "boom", toolCallId: "c1", error: "boom" }]);
  });

  it("takes images by URL or as data, both ways, and refuses parts a graph cannot take", () => {
    const user: Message = {
      id: "u1",
      role: "user",
      content: [
        { type: "text", text: "What is this?" },
        { type: "image", source: { type: "url", value: "https://example.com/cat.png" } },
        { type: "image", source: { type: "data", value: "aGk=", mimeType: "image/png" } },
      ],
    };
    const [converted] = toLangChainMessages([user]);
    expect(converted!.content).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
      { type: "image_url", image_url: { url: "data:image/png;base64,aGk=" } },
    ]);
    expect(toAgUiMessages([converted!])).toEqual([user]);

    const audio: Message = { id: "u2", role: "user", content: [{ type: "audio", source: { type: "url", value: "https://example.com/a.mp3" } }] };
    const refused = (() => {
      try {
        toLangChainMessages([user, audio]);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(InvalidRequestError);
    expect(refused).toMatchObject({ status: 400, param: "messages[1].content[0]" });
  });
});
