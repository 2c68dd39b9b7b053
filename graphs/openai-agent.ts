/**
 * The same ReAct agent shape as `agent.ts`, with a real model: ChatOpenAI against any
 * OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, LM Studio...). Served by
 * `npm start -- --config examples/openai.config.json` once OPENAI_API_KEY (and
 * OPENAI_BASE_URL for a non-OpenAI endpoint) are set. `bindChatRequest` passes the
 * client's stop sequences, max tokens, sampling and response_format on to ChatOpenAI.
 */
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { bindChatRequest } from "../src/run/bind-chat-request.js";

const getWeather = tool(async ({ city }) => `It is 18°C and sunny in ${city}.`, {
  name: "get_weather",
  description: "Today's weather in a city.",
  schema: z.object({ city: z.string() }),
});

export function graph() {
  const llm = new ChatOpenAI({
    model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
    configuration: { baseURL: process.env.OPENAI_BASE_URL },
    streamUsage: true,
    maxRetries: 2,
  });
  const tools = [getWeather];
  return createReactAgent({ llm: (_state, config) => bindChatRequest(llm, config, { tools, clientTools: false }), tools });
}
