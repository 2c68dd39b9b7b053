/**
 * Structured output from a graph whose model keeps LangChain's base
 * `withStructuredOutput` and has no `response_format` option, as many providers' models:
 * here one that answers prose unless a tool call is forced, as some providers do. The
 * clients that ask for JSON get JSON.
 */
import { createOpenAI } from "@ai-sdk/openai";
import { MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, Output, streamText } from "ai";
import { zodResponseFormat } from "openai/helpers/zod";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { bindChatRequest, createRegistry, type RunningServer } from "../src/index.js";
import { collect, startServer, ToolsOnlyModel } from "./helpers.js";

const WEATHER = { city: "Paris", temperature_c: 18, conditions: ["sunny"] };
const Weather = z.object({ city: z.string(), temperature_c: z.number(), conditions: z.array(z.string()) });

/** Prose, unless `tool_choice` forces a tool call. */
const model = new ToolsOnlyModel({
  respond: (_messages, options) =>
    options.tool_choice ? { toolCalls: [{ name: String(options.tool_choice), args: WEATHER }] } : "It is sunny in Paris, about 18 degrees.",
});

const graph = new StateGraph(MessagesAnnotation)
  .addNode("answer", async (state, config) => ({ messages: [await bindChatRequest(model, config).invoke(state.messages, config)] }))
  .addEdge(START, "answer")
  .compile();

let server: RunningServer & { client: Awaited<ReturnType<typeof startServer>>["client"] };

beforeAll(async () => {
  server = await startServer({ registry: await createRegistry({ weather: graph }) });
});

afterAll(() => server?.close());

const chatOpenAI = () => new ChatOpenAI({ model: "weather", apiKey: "unused", configuration: { baseURL: server.url }, maxRetries: 0 });

describe("structured output from a model that answers JSON only to a forced tool call", () => {
  it("answers prose when no format is asked for", async () => {
    const completion = await server.client.chat.completions.create({ model: "weather", messages: [{ role: "user", content: "Weather?" }] });
    expect(completion.choices[0]!.message.content).toBe("It is sunny in Paris, about 18 degrees.");
  });

  it("parses into the openai SDK's chat.completions.parse()", async () => {
    const completion = await server.client.chat.completions.parse({
      model: "weather",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      response_format: zodResponseFormat(Weather, "weather_report"),
    });
    expect(completion.choices[0]!.message.parsed).toEqual(WEATHER);
    expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([]);
  });

  it("streams the JSON as the answer's text", async () => {
    const stream = await server.client.chat.completions.create({
      model: "weather",
      messages: [{ role: "user", content: "Weather in Paris?" }],
      response_format: zodResponseFormat(Weather, "weather_report"),
      stream: true,
    });
    const chunks = await collect(stream);
    expect(JSON.parse(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""))).toEqual(WEATHER);
    expect(chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
  });

  it("is the AI SDK's generateText output with Output.object, streamed or not", async () => {
    const model = createOpenAI({ baseURL: server.url, apiKey: "unused" }).chat("weather");
    const { output } = await generateText({ model, output: Output.object({ schema: Weather }), prompt: "Weather in Paris?" });
    expect(output).toEqual(WEATHER);
    const streamed = streamText({ model, output: Output.object({ schema: Weather }), prompt: "Weather in Paris?" });
    expect(await streamed.output).toEqual(WEATHER);
  });

  it("is what ChatOpenAI.withStructuredOutput returns, with the jsonSchema and jsonMode methods", async () => {
    for (const method of ["jsonSchema", "jsonMode"] as const) {
      const structured = chatOpenAI().withStructuredOutput(Weather, { name: "weather_report", method });
      expect(await structured.invoke("Weather in Paris? Answer in JSON."), method).toEqual(WEATHER);
    }
  });
});
