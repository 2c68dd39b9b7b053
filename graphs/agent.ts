/**
 * A ReAct agent (LangGraph's prebuilt `createReactAgent`) with two tools it runs itself.
 * Its scripted model decides like a real one would: think, call a tool, then answer from
 * the result; its reasoning and the tool steps reach a chat UI as `reasoning_content`.
 * Every model turn gets the client's stop sequences, max tokens, sampling and
 * response_format through `bindChatRequest`; the tools stay the agent's own, since its
 * tool node runs every call (a client's tools would have nowhere to go).
 */
import { tool } from "@langchain/core/tools";
import { ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { z } from "zod";
import { bindChatRequest } from "../src/run/bind-chat-request.js";
import { ScriptedChatModel, type ScriptedReply } from "../src/scripted-model.js";

const FORECASTS: Record<string, string> = {
  paris: "18°C and sunny",
  london: "12°C with light rain",
  tokyo: "22°C and clear",
};

const getWeather = tool(
  async ({ city }) => FORECASTS[city.toLowerCase()] ?? `no forecast for ${city}`,
  { name: "get_weather", description: "Today's weather in a city.", schema: z.object({ city: z.string() }) },
);

const calculate = tool(
  async ({ a, op, b }) => String({ "+": a + b, "-": a - b, "*": a * b, "/": a / b }[op]),
  {
    name: "calculate",
    description: "Apply + - * or / to two numbers.",
    schema: z.object({ a: z.number(), op: z.enum(["+", "-", "*", "/"]), b: z.number() }),
  },
);

function decide(messages: BaseMessage[]): ScriptedReply {
  const last = messages.at(-1);
  if (last instanceof ToolMessage) {
    const question = [...messages].reverse().find((message) => message.getType() === "human")?.text ?? "";
    return last.name === "get_weather"
      ? `The weather there today: ${last.text}.`
      : `${question.replace(/[?=]/g, "").trim()} = ${last.text}.`;
  }
  const text = last?.text ?? "";
  const city = /weather in ([a-z ]+)/i.exec(text)?.[1]?.trim();
  if (city) {
    return {
      reasoning: `The user asks about the weather in ${city}: get_weather knows it.`,
      content: `Let me check the weather in ${city}. `,
      toolCalls: [{ name: "get_weather", args: { city } }],
    };
  }
  const sum = /(-?\d+(?:\.\d+)?)\s*([-+*/])\s*(-?\d+(?:\.\d+)?)/.exec(text);
  if (sum) return { toolCalls: [{ name: "calculate", args: { a: Number(sum[1]), op: sum[2], b: Number(sum[3]) } }] };
  return "I can look up the weather (try: what's the weather in Paris?) or do arithmetic (try: what is 12 * 7?).";
}

const model = new ScriptedChatModel({ respond: decide, tokenDelayMs: 15 });
const tools = [getWeather, calculate];

export const graph = createReactAgent({
  llm: (_state, config) => bindChatRequest(model, config, { tools, clientTools: false }),
  tools,
});
