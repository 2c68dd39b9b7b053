/**
 * What a client asks for takes effect: structured output, stop sequences, tool_choice,
 * through the openai SDK, the AI SDK and ChatOpenAI against graphs that use
 * `bindChatRequest`; and the rest of the request's fidelity (usage: null on chunks, an
 * empty thread header, errors without server paths, no listener warnings in long runs).
 */
import { createOpenAI } from "@ai-sdk/openai";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, Output, streamText } from "ai";
import { zodResponseFormat, zodTextFormat } from "openai/helpers/zod";
import { pino } from "pino";
import { Writable } from "node:stream";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ApiError } from "../src/index.js";
import { startFakeUpstream, type FakeUpstream } from "./fake-upstream.js";
import { collect, startServer } from "./helpers.js";
import { WEATHER_REPORT } from "./protocol-graphs/graphs.js";

type Server = Awaited<ReturnType<typeof startServer>>;
let server: Server;
let upstream: FakeUpstream;
const serverErrors: { error: ApiError; cause: unknown }[] = [];
const logLines: Record<string, unknown>[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  upstream = await startFakeUpstream({ content: "Upstream answer." });
  process.env.UPSTREAM_URL = upstream.url;
  const logStream = new Writable({
    write(line, _encoding, done) {
      logLines.push(JSON.parse(String(line)));
      done();
    },
  });
  server = await startServer({
    config: "test/protocol-graphs/langgraph.config.json",
    logger: pino({ level: "warn" }, logStream),
    onServerError: (error, cause) => serverErrors.push({ error, cause }),
  });
});
afterAll(async () => {
  process.env = savedEnv;
  await server.close();
  await upstream.close();
});

const user = (content: string) => [{ role: "user" as const, content }];
const WeatherReport = z.object({ city: z.string(), temperature_c: z.number(), conditions: z.array(z.string()) });

function chatOpenAI(model: string): ChatOpenAI {
  return new ChatOpenAI({ model, apiKey: "unused", configuration: { baseURL: server.url }, maxRetries: 0 });
}

function aiSdk(model: string) {
  return createOpenAI({ baseURL: server.url, apiKey: "unused" }).chat(model);
}

describe("structured output, through a graph that uses bindChatRequest", () => {
  it("parses into the openai SDK's chat.completions.parse() with a zod schema", async () => {
    const completion = await server.client.chat.completions.parse({
      model: "weather",
      messages: user("Weather in Paris?"),
      response_format: zodResponseFormat(WeatherReport, "weather_report"),
    });
    expect(completion.choices[0]?.message.parsed).toEqual(WEATHER_REPORT);
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });

  it("is the AI SDK's generateText output with Output.object, streamed or not", async () => {
    const { output } = await generateText({ model: aiSdk("weather"), output: Output.object({ schema: WeatherReport }), prompt: "Weather in Paris?" });
    expect(output).toEqual(WEATHER_REPORT);
    const streamed = streamText({ model: aiSdk("weather"), output: Output.object({ schema: WeatherReport }), prompt: "Weather in Paris?" });
    expect(await streamed.output).toEqual(WEATHER_REPORT);
  });

  it("reaches the same graph from the Responses API: the openai SDK's responses.parse() with text.format", async () => {
    const response = await server.client.responses.parse({
      model: "weather",
      input: "Weather in Paris?",
      text: { format: zodTextFormat(WeatherReport, "weather_report") },
    });
    expect(response.output_parsed).toEqual(WEATHER_REPORT);
  });

  it("is what ChatOpenAI.withStructuredOutput returns, with the jsonSchema and functionCalling methods", async () => {
    for (const method of ["jsonSchema", "functionCalling"] as const) {
      const structured = chatOpenAI("weather").withStructuredOutput(WeatherReport, { name: "weather_report", method });
      expect(await structured.invoke("Weather in Paris?"), method).toEqual(WEATHER_REPORT);
    }
  });
});

describe("stop sequences", () => {
  it("end the AI SDK's answer before the sequence, with finishReason stop", async () => {
    const result = await generateText({ model: aiSdk("weather"), prompt: "Weather?", stopSequences: ["END"] });
    expect(result.text).toBe("Sunny and 18 degrees in Paris. ");
    expect(result.finishReason).toBe("stop");
  });

  it("are kept by the server for a graph that ignores them, streamed and not alike", async () => {
    const request = { model: "tokens", messages: user("count"), stop: ["five", "seven"] };
    const completion = await server.client.chat.completions.create(request);
    expect(completion.choices[0]?.message.content).toBe("One two three four ");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    const chunks = await collect(await server.client.chat.completions.create({ ...request, stream: true }));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe("One two three four ");
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
    const message = await chatOpenAI("tokens").invoke("count", { stop: ["three"] });
    expect(message.text).toBe("One two ");
  });
});

describe("usage in a stream", () => {
  it("is null on every chunk before the usage chunk when include_usage is set, and absent otherwise", async () => {
    const chunks = await collect(
      await server.client.chat.completions.create({ model: "tokens", messages: user("count"), stream: true, stream_options: { include_usage: true } }),
    );
    expect(chunks.slice(0, -1).map((chunk) => chunk.usage)).toEqual(chunks.slice(0, -1).map(() => null));
    expect(chunks.at(-1)?.usage).toEqual({ prompt_tokens: 11, completion_tokens: 8, total_tokens: 19 });
    const plain = await collect(await server.client.chat.completions.create({ model: "tokens", messages: user("count"), stream: true }));
    expect(plain.every((chunk) => !("usage" in chunk))).toBe(true);
  });
});

describe("a JSON response format the graph does not honour", () => {
  it("passes the answer through as it is and warns the operator", async () => {
    const completion = await server.client.chat.completions.create({ model: "tokens", messages: user("count"), response_format: { type: "json_object" } });
    expect(completion.choices[0]?.message.content).toBe("One two three four five six seven eight.");
    expect(logLines).toContainEqual(expect.objectContaining({ level: 40, model: "tokens", responseFormat: "json_object", msg: expect.stringMatching(/not JSON/) }));
    logLines.length = 0;
    await server.client.chat.completions.create({ model: "weather", messages: user("hi"), response_format: { type: "json_object" } });
    expect(logLines).toEqual([]);
  });
});

describe("the thread headers", () => {
  it("read an empty value as absent, as Open WebUI sends one for a chat it has not saved", async () => {
    for (const header of ["X-Thread-Id", "X-OpenWebUI-Chat-Id"]) {
      const completion = await server.client.chat.completions.create({ model: "tokens", messages: user("count") }, { headers: { [header]: "" } });
      expect(completion.choices[0]?.message.content, header).toBe("One two three four five six seven eight.");
    }
  });
});

describe("a graph that fails", () => {
  it("tells the client which model failed and the request id to quote, never the error's text, which the log has", async () => {
    const response = await fetch(`${server.url}/chat/completions`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Request-Id": "req-fails-1" },
      body: JSON.stringify({ model: "fails-with-paths", messages: user("hi") }),
    });
    expect(response.status).toBe(500);
    const { error } = await response.json();
    expect(error).toMatchObject({ code: "graph_error", message: "The graph behind model 'fails-with-paths' failed (request id req-fails-1); the server's log has the error." });
    expect(String((serverErrors.at(-1)?.cause as Error).message)).toContain("/srv/app/secret-project/prompts/system.txt");
  });

  it("tells the client the whole error with --show-graph-errors, for development", async () => {
    const shown = await startServer({ config: "test/protocol-graphs/langgraph.config.json", showGraphErrors: true, onServerError: () => {} });
    const failure = await shown.client.chat.completions.create({ model: "fails-with-paths", messages: user("hi") }).catch((error: unknown) => error);
    await shown.close();
    expect(failure).toMatchObject({ status: 500, code: "graph_error" });
    expect((failure as Error).message).toContain("open '/srv/app/secret-project/prompts/system.txt'");
  });
});

describe("a run with many model calls", () => {
  it("adds no listener warnings however many requests its ChatOpenAI makes", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      process.env.UPSTREAM_CALLS = "25";
      // Each call's tokens reach the client: 25 paragraphs.
      const answer = Array.from({ length: 25 }, () => "Upstream answer.").join("\n\n");
      const completion = await server.client.chat.completions.create({ model: "many-upstream-calls", messages: user("hi") });
      expect(completion.choices[0]?.message.content).toBe(answer);
      const chunks = await collect(await server.client.chat.completions.create({ model: "many-upstream-calls", messages: user("hi"), stream: true }));
      expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(answer);
      await nextTurn();
      expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([]);
    } finally {
      process.off("warning", onWarning);
      delete process.env.UPSTREAM_CALLS;
    }
  });
});
