/**
 * The wire against OpenAI's own OpenAPI spec (`openapi.yaml` of github
 * openai/openai-openapi at f85dbe2, MIT), read from ../shared beside the checkout and
 * never copied here. Every request case below is judged by the spec's
 * `CreateChatCompletionRequest` and by our server over a real socket, and the two must
 * agree, save where a rule the spec states only in prose, or a graph's limits, says
 * otherwise (each such case names its rule). Every response, chunk and error the server
 * sends in a set of runs is validated against the spec's response schemas.
 *
 * The spec is OpenAPI 3.1 with some 3.0 `nullable: true` left (`openai-spec.ts` converts
 * it). For requests, null for an optional field counts as absent (as OpenAI's API and
 * vLLM read it), so the spec's request schemas accept null for every property an
 * object does not require.
 */
import type { ValidateFunction } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatCompletionRequestSchema } from "../src/protocols/chat-completions/schemas.js";
import { startServer } from "./helpers.js";
import { SPEC_PATH, specAvailable, specFields, specRequestSchema, specSchema } from "./openai-spec.js";

/** Why the server's verdict differs from the spec's. */
type Rule =
  /** A rule the spec states in prose, and OpenAI's API enforces. */
  | "prose"
  /** OpenAI's API refuses it, though the spec does not say so. */
  | "api"
  /** A graph cannot do it: refused with a 400 that says so. */
  | "unsupported"
  /** What one request may cost on this server (docs/operations.md). */
  | "limit";

interface Case {
  name: string;
  /** Fields over the valid request's (`model`, `messages`). */
  body: Record<string, unknown>;
  /** The spec's verdict (null for an optional field counting as absent). */
  spec: "accepts" | "refuses";
  /** Ours: accepted, or refused with a 400 naming this field. */
  param?: string;
  rule?: Rule;
}

const hi = [{ role: "user", content: "hi" }];
const ask = (...messages: Record<string, unknown>[]) => ({ messages: [...hi, ...messages] });
const userParts = (...parts: Record<string, unknown>[]) => ({ messages: [{ role: "user", content: parts }] });
const weather = { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } };
const call = (args = '{"city":"Paris"}') => ({ id: "call_1", type: "function", function: { name: "get_weather", arguments: args } });
const keys = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, "v"]));

const accepted = (name: string, body: Record<string, unknown>): Case => ({ name, body, spec: "accepts" });
const refused = (name: string, body: Record<string, unknown>, param: string, rule?: Rule): Case => ({
  name,
  body,
  spec: rule ? "accepts" : "refuses",
  param,
  ...(rule && { rule }),
});

const cases: Case[] = [
  // Messages.
  accepted("every role", {
    messages: [
      { role: "system", content: "Be brief.", name: "rules" },
      { role: "developer", content: [{ type: "text", text: "Metric units." }] },
      { role: "user", content: "Weather?", name: "ada" },
      { role: "assistant", content: null, tool_calls: [call()] },
      { role: "tool", tool_call_id: "call_1", content: [{ type: "text", text: "18°C" }] },
      { role: "assistant", content: [{ type: "text", text: "18°C." }, { type: "refusal", refusal: "No more." }], refusal: null },
      { role: "user", content: "Thanks" },
    ],
  }),
  accepted("user content parts of every kind", userParts(
    { type: "text", text: "What is this?", prompt_cache_breakpoint: { mode: "explicit" } },
    { type: "image_url", image_url: { url: "data:image/png;base64,AAAA", detail: "low" } },
    { type: "input_audio", input_audio: { data: "AAAA", format: "mp3" } },
    { type: "file", file: { filename: "a.pdf", file_data: "data:application/pdf;base64,AAAA" } },
  )),
  accepted("an image url that is not a URL (format is an annotation)", userParts({ type: "image_url", image_url: { url: "cat.png" } })),
  accepted("a function message and an assistant function_call (deprecated)", ask(
    { role: "assistant", content: null, function_call: { name: "get_weather", arguments: '{"city":"Paris"}' } },
    { role: "function", name: "get_weather", content: "18°C" },
    { role: "function", name: "get_weather", content: null },
  )),
  accepted("a custom tool's call in an assistant message", ask({ role: "assistant", tool_calls: [{ id: "c", type: "custom", custom: { name: "shell", input: "ls" } }] })),
  accepted("tool call arguments that are not JSON", ask({ role: "assistant", tool_calls: [call("{oops")] }, { role: "tool", tool_call_id: "call_1", content: "?" })),
  accepted("an assistant message with audio and a name", ask({ role: "assistant", content: "Hi", name: "bot", audio: { id: "audio_1" } })),
  accepted("an echoed reasoning_content or reasoning on an assistant message", ask(
    { role: "assistant", content: "4", reasoning_content: "2+2=4" },
    { role: "user", content: "and?" },
    { role: "assistant", content: "5", reasoning: "more" },
  )),
  accepted("null for a message's optional fields", {
    messages: [
      { role: "system", content: "x", name: null },
      { role: "user", content: [{ type: "image_url", image_url: { url: "https://x/y.png", detail: null }, prompt_cache_breakpoint: null }], name: null },
      { role: "assistant", content: "ok", refusal: null, audio: null, tool_calls: null, function_call: null, name: null },
      { role: "user", content: "hi" },
    ],
  }),
  refused("no model", { model: undefined }, "model"),
  refused("a numeric model", { model: 7 }, "model"),
  refused("an empty model", { model: "" }, "model", "api"),
  refused("no messages", { messages: undefined }, "messages"),
  refused("an empty messages array", { messages: [] }, "messages"),
  refused("a message without a role", { messages: [{ content: "hi" }] }, "messages[0].role"),
  refused("an unknown role", { messages: [{ role: "wizard", content: "hi" }] }, "messages[0].role"),
  refused("numeric content", { messages: [{ role: "user", content: 5 }] }, "messages[0].content"),
  refused("a user message without content", { messages: [{ role: "user" }] }, "messages[0].content"),
  refused("empty content parts", { messages: [{ role: "user", content: [] }] }, "messages[0].content"),
  refused("empty system content parts", { messages: [{ role: "system", content: [] }, ...hi] }, "messages[0].content"),
  refused("an unknown content part type", userParts({ type: "video", video: {} }), "messages[0].content[0].type"),
  refused("a text part without text", userParts({ type: "text" }), "messages[0].content[0].text"),
  refused("an image part without its url", userParts({ type: "image_url", image_url: {} }), "messages[0].content[0].image_url.url"),
  refused("an unknown image detail", userParts({ type: "image_url", image_url: { url: "https://x/y.png", detail: "max" } }), "messages[0].content[0].image_url.detail"),
  refused("an image part in a system message", { messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "x" } }] }, ...hi] }, "messages[0].content[0].type"),
  refused("audio input of an unknown format", userParts({ type: "input_audio", input_audio: { data: "AAAA", format: "ogg" } }), "messages[0].content[0].input_audio.format"),
  refused("a prompt_cache_breakpoint of another mode", userParts({ type: "text", text: "x", prompt_cache_breakpoint: { mode: "implicit" } }), "messages[0].content[0].prompt_cache_breakpoint.mode"),
  refused("a tool message without tool_call_id", ask({ role: "tool", content: "42" }), "messages[1].tool_call_id"),
  refused("a function message without its name", ask({ role: "function", content: "42" }), "messages[1].name"),
  refused("a tool call of an unknown type", ask({ role: "assistant", tool_calls: [{ id: "c", type: "code", function: { name: "f", arguments: "{}" } }] }), "messages[1].tool_calls[0].type"),
  refused("a tool call without arguments", ask({ role: "assistant", tool_calls: [{ id: "c", type: "function", function: { name: "f" } }] }), "messages[1].tool_calls[0].function.arguments"),
  refused("an assistant message with neither content nor tool calls", ask({ role: "assistant" }, ...hi), "messages[1].content", "prose"),

  // Streaming.
  accepted("stream with stream_options", { stream: true, stream_options: { include_usage: true, include_obfuscation: false } }),
  refused("stream as a string", { stream: "yes" }, "stream"),
  refused("stream_options as a string", { stream: true, stream_options: "usage" }, "stream_options"),
  refused("stream_options without stream", { stream_options: { include_usage: true } }, "stream_options", "prose"),
  refused("stream_options with stream false", { stream: false, stream_options: { include_usage: true } }, "stream_options", "prose"),

  // Sampling and limits.
  accepted("sampling at its bounds", { temperature: 2, top_p: 0, presence_penalty: -2, frequency_penalty: 2, max_tokens: 1, max_completion_tokens: 4096 }),
  accepted("a seed beyond 2^53", { seed: 9223372036854775807 }),
  accepted("a negative 64-bit seed", { seed: -9223372036854775808 }),
  accepted("a stop string", { stop: "\n" }),
  accepted("four stop sequences", { stop: ["a", "b", "c", "d"] }),
  refused("a temperature above 2", { temperature: 3 }, "temperature"),
  refused("a temperature as a string", { temperature: "hot" }, "temperature"),
  refused("a negative top_p", { top_p: -1 }, "top_p"),
  refused("a penalty beyond 2", { presence_penalty: 2.5 }, "presence_penalty"),
  refused("a fractional max_tokens", { max_tokens: 1.5 }, "max_tokens"),
  refused("max_tokens of zero", { max_tokens: 0 }, "max_tokens", "api"),
  refused("max_completion_tokens of zero", { max_completion_tokens: 0 }, "max_completion_tokens", "api"),
  refused("a fractional seed", { seed: 1.5 }, "seed"),
  refused("a seed beyond 64 bits", { seed: 1e20 }, "seed"),
  refused("no stop sequence in an array", { stop: [] }, "stop"),
  refused("five stop sequences", { stop: ["a", "b", "c", "d", "e"] }, "stop"),
  refused("a numeric stop sequence", { stop: [1] }, "stop[0]"),
  accepted("a stop sequence of 1,024 characters", { stop: "s".repeat(1024) }),
  refused("a stop string over 1,024 characters", { stop: "s".repeat(1025) }, "stop", "limit"),
  refused("a stop sequence over 1,024 characters", { stop: ["a", "s".repeat(80_000)] }, "stop[1]", "limit"),

  // Identifiers, caching, metadata.
  accepted("user, safety_identifier and prompt caching", {
    user: "ada",
    safety_identifier: "s".repeat(64),
    prompt_cache_key: "k",
    prompt_cache_retention: "24h",
    prompt_cache_options: { ttl: "30m", mode: "explicit" },
  }),
  accepted("metadata at its limits", { metadata: { ...keys(15), ["k".repeat(64)]: "v".repeat(512) } }),
  refused("a safety_identifier of 65 characters", { safety_identifier: "s".repeat(65) }, "safety_identifier"),
  refused("an unknown prompt_cache_retention", { prompt_cache_retention: "1h" }, "prompt_cache_retention"),
  refused("an unknown prompt cache ttl", { prompt_cache_options: { ttl: "1h" } }, "prompt_cache_options.ttl"),
  refused("metadata with a number", { metadata: { team: 7 } }, "metadata.team"),
  refused("17 metadata pairs", { metadata: keys(17) }, "metadata", "prose"),
  refused("a metadata value of 513 characters", { metadata: { note: "v".repeat(513) } }, "metadata.note", "prose"),
  refused("a metadata key of 65 characters", { metadata: { ["k".repeat(65)]: "v" } }, `metadata.${"k".repeat(65)}`, "prose"),

  // Tools.
  accepted("function and custom tools", {
    tools: [
      { ...weather, function: { ...weather.function, description: "Weather.", strict: true } },
      { type: "custom", custom: { name: "shell", description: "Runs a command." } },
      { type: "custom", custom: { name: "sql", format: { type: "grammar", grammar: { definition: "start: /.+/", syntax: "lark" } } } },
      { type: "custom", custom: { name: "note", format: { type: "text" } } },
    ],
  }),
  accepted("tool_choice none, auto and required", { tools: [weather], tool_choice: "required", parallel_tool_calls: false }),
  accepted("tool_choice none without tools", { tool_choice: "none" }),
  accepted("a named function tool_choice", { tools: [weather], tool_choice: { type: "function", function: { name: "get_weather" } } }),
  accepted("a named custom tool_choice", { tools: [{ type: "custom", custom: { name: "shell" } }], tool_choice: { type: "custom", custom: { name: "shell" } } }),
  accepted("allowed_tools", {
    tools: [weather],
    tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [{ type: "function", function: { name: "get_weather" } }] } },
  }),
  accepted("functions and function_call (deprecated)", { functions: [{ name: "get_weather", parameters: { type: "object" } }], function_call: { name: "get_weather" } }),
  refused("tools as an object", { tools: { type: "function" } }, "tools"),
  refused("a tool of an unknown type", { tools: [{ type: "retrieval" }] }, "tools[0].type"),
  refused("a function tool without a name", { tools: [{ type: "function", function: {} }] }, "tools[0].function.name"),
  refused("a custom tool without a name", { tools: [{ type: "custom", custom: {} }] }, "tools[0].custom.name"),
  refused("a custom tool format with an unknown field", { tools: [{ type: "custom", custom: { name: "x", format: { type: "text", extra: 1 } } }] }, "tools[0].custom.format"),
  refused("an unknown grammar syntax", {
    tools: [{ type: "custom", custom: { name: "x", format: { type: "grammar", grammar: { definition: "a", syntax: "peg" } } } }],
  }, "tools[0].custom.format.grammar.syntax"),
  refused("an unknown tool_choice", { tools: [weather], tool_choice: "sometimes" }, "tool_choice"),
  refused("a named tool_choice without its name", { tools: [weather], tool_choice: { type: "function", function: {} } }, "tool_choice.function.name"),
  refused("allowed_tools of an unknown mode", { tools: [weather], tool_choice: { type: "allowed_tools", allowed_tools: { mode: "any", tools: [] } } }, "tool_choice.allowed_tools.mode"),
  refused("parallel_tool_calls as a string", { tools: [weather], parallel_tool_calls: "yes" }, "parallel_tool_calls"),
  refused("a tool name with spaces", { tools: [{ type: "function", function: { name: "look up" } }] }, "tools[0].function.name", "prose"),
  refused("an empty tools array", { tools: [] }, "tools", "api"),
  refused("tool_choice without tools", { tool_choice: "required" }, "tool_choice", "prose"),
  refused("tool_choice naming a tool not in tools", { tools: [weather], tool_choice: { type: "function", function: { name: "get_time" } } }, "tool_choice", "prose"),
  refused("allowed_tools naming a tool not in tools", {
    tools: [weather],
    tool_choice: { type: "allowed_tools", allowed_tools: { mode: "required", tools: [{ type: "function", function: { name: "get_time" } }] } },
  }, "tool_choice.allowed_tools.tools[0]", "prose"),
  refused("empty functions", { functions: [] }, "functions"),
  refused("a function_call of an unknown mode", { functions: [{ name: "f" }], function_call: "required" }, "function_call"),

  // Output.
  accepted("response_format text, json_object and json_schema", {
    response_format: { type: "json_schema", json_schema: { name: "report", description: "A report.", schema: { type: "object" }, strict: true } },
  }),
  accepted("response_format json_object", { response_format: { type: "json_object" } }),
  accepted("what a graph can do of the rest", { n: 1, logprobs: false, top_logprobs: 0, modalities: ["text"], store: true, service_tier: "flex" }),
  accepted("reasoning_effort, verbosity and logit_bias", { reasoning_effort: "xhigh", verbosity: "low", logit_bias: { "50256": -100, "11": 100 } }),
  accepted("prediction, web search and moderation options", {
    prediction: { type: "content", content: [{ type: "text", text: "draft" }] },
    web_search_options: { search_context_size: "low", user_location: { type: "approximate", approximate: { city: "Paris" } } },
    moderation: { model: "omni-moderation-latest", policy: { input: { mode: "block" } } },
  }),
  refused("an unknown response_format", { response_format: { type: "xml" } }, "response_format.type"),
  refused("json_schema without its name", { response_format: { type: "json_schema", json_schema: { schema: {} } } }, "response_format.json_schema.name"),
  refused("json_schema without json_schema", { response_format: { type: "json_schema" } }, "response_format.json_schema"),
  refused("a json_schema name with spaces", { response_format: { type: "json_schema", json_schema: { name: "my report" } } }, "response_format.json_schema.name", "prose"),
  refused("n of 0", { n: 0 }, "n"),
  refused("top_logprobs of 21", { top_logprobs: 21 }, "top_logprobs"),
  refused("an unknown output modality", { modalities: ["video"] }, "modalities[0]"),
  refused("an unknown reasoning_effort", { reasoning_effort: "bogus" }, "reasoning_effort"),
  refused("an unknown service_tier", { service_tier: "bogus" }, "service_tier"),
  refused("an unknown verbosity", { verbosity: "chatty" }, "verbosity"),
  refused("a fractional logit_bias", { logit_bias: { "50256": 1.5 } }, "logit_bias.50256"),
  refused("a logit_bias beyond 100", { logit_bias: { "50256": 101 } }, "logit_bias.50256", "prose"),
  refused("a logit_bias below -100", { logit_bias: { "50256": -101 } }, "logit_bias.50256", "prose"),
  refused("a prediction without content", { prediction: { type: "content" } }, "prediction.content"),
  refused("an unknown search context size", { web_search_options: { search_context_size: "huge" } }, "web_search_options.search_context_size"),
  refused("moderation without its model", { moderation: {} }, "moderation.model"),
  refused("audio output without a format", { audio: { voice: "alloy" } }, "audio"),
  refused("n of 2", { n: 2 }, "n", "unsupported"),
  refused("logprobs", { logprobs: true }, "logprobs", "unsupported"),
  refused("top_logprobs", { top_logprobs: 3 }, "top_logprobs", "unsupported"),
  refused("audio output", { modalities: ["text", "audio"], audio: { voice: "alloy", format: "mp3" } }, "modalities[1]", "unsupported"),

  // Anything else.
  accepted("fields no schema names", { some_future_field: { a: [1, [2]] } }),
];

if (!specAvailable) {
  describe("conformance to OpenAI's OpenAPI spec", () => {
    it(`WAS NOT RUN: ${SPEC_PATH} is missing (CI has it)`, () => {
      console.warn(`\n  spec-conformance: NOT RUN, nor any check against the spec: ${SPEC_PATH} is missing; the rest of the suite ran.\n`);
      expect(process.env.CI, "CI runs with ../shared beside the checkout").not.toBe("true");
    });
  });
} else {
  describe("conformance to OpenAI's OpenAPI spec", () => {
    const spec = {
      request: specRequestSchema("CreateChatCompletionRequest"),
      response: specSchema("CreateChatCompletionResponse"),
      chunk: specSchema("CreateChatCompletionStreamResponse"),
      error: specSchema("ErrorResponse"),
      models: specSchema("ListModelsResponse"),
      requestFields: specFields("CreateChatCompletionRequest"),
    };
    let server: Awaited<ReturnType<typeof startServer>>;
    beforeAll(async () => {
      server = await startServer({ config: "test/protocol-graphs/langgraph.config.json" });
    });
    afterAll(() => server.close());

    const valid = { model: "tokens", messages: hi };
    const post = (body: unknown) =>
      fetch(`${server.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const errors = (validate: ValidateFunction) => JSON.stringify(validate.errors?.slice(0, 3));

    describe("requests", () => {
      it.each(cases)("$name: the spec $spec it; ours agrees or names its rule", async ({ body: fields, spec: verdict, param, rule }) => {
        const body = { ...valid, ...fields };
        expect(spec.request(body) ? "accepts" : "refuses", errors(spec.request)).toBe(verdict);
        const response = await post(body);
        const answer = await response.text();
        if (param === undefined) {
          expect(response.status, answer).toBe(200);
        } else {
          expect(response.status, answer).toBe(400);
          expect(JSON.parse(answer).error.param).toBe(param);
        }
        const agrees = (verdict === "accepts") === (param === undefined);
        expect(rule === undefined, "a case names a rule exactly when the server differs from the spec").toBe(agrees);
      });

      it("accepts null for every optional field of the request, as the spec (with null as absent) does", async () => {
        const optional = Object.keys(spec.requestFields).filter((field) => field !== "model" && field !== "messages");
        expect(optional.length).toBeGreaterThan(30);
        for (const field of optional) {
          const body = { ...valid, [field]: null };
          expect(spec.request(body), `${field}: ${errors(spec.request)}`).toBe(true);
          const response = await post(body);
          expect(response.status, `${field}: ${await response.text()}`).toBe(200);
        }
      });

      it("names every field of the spec's request in our schema", () => {
        const ours = new Set(Object.keys(chatCompletionRequestSchema.shape));
        expect(Object.keys(spec.requestFields).filter((field) => !ours.has(field))).toEqual([]);
      });
    });

    describe("responses", () => {
      const runs: { name: string; body: Record<string, unknown> }[] = [
        { name: "a text answer", body: valid },
        { name: "client tool calls", body: { model: "client-tools", messages: hi, tools: [weather] } },
        { name: "an answer cut at max_tokens", body: { model: "token-limit", messages: hi, max_tokens: 3 } },
        { name: "an answer cut at a stop sequence", body: { model: "tokens", messages: hi, stop: "four" } },
        { name: "structured output", body: { model: "weather", messages: hi, response_format: { type: "json_object" } } },
        { name: "a graph without a model", body: { model: "no-model", messages: hi } },
      ];

      it.each(runs)("validates $name, its chunks and its usage chunk", async ({ body }) => {
        const completion = await (await post(body)).json();
        expect(spec.response(completion), errors(spec.response)).toBe(true);
        const response = await post({ ...body, stream: true, stream_options: { include_usage: true } });
        const events = (await response.text()).split("\n\n").filter(Boolean);
        expect(events.at(-1)).toBe("data: [DONE]");
        const chunks = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, "")));
        expect(chunks.length).toBeGreaterThan(2);
        for (const chunk of chunks) expect(spec.chunk(chunk), `${JSON.stringify(chunk)}: ${errors(spec.chunk)}`).toBe(true);
      });

      it("validates error bodies: 400, 404, 500, and the error event of a stream that fails midway", async () => {
        const failures = [
          await post({ ...valid, temperature: 9 }),
          await post({ ...valid, model: "nope" }),
          await post({ ...valid, model: "fails-at-once" }),
        ];
        expect(failures.map((response) => response.status)).toEqual([400, 404, 500]);
        for (const response of failures) {
          const body = await response.json();
          expect(spec.error(body), errors(spec.error)).toBe(true);
        }
        const streamed = await (await post({ ...valid, model: "fails-midway", stream: true })).text();
        const event = JSON.parse(streamed.split("\n\n").filter(Boolean).at(-1)!.replace(/^data: /, ""));
        expect(spec.error(event), errors(spec.error)).toBe(true);
      });

      it("validates the model list", async () => {
        const models = await (await fetch(`${server.url}/models`)).json();
        expect(spec.models(models), errors(spec.models)).toBe(true);
      });
    });
  });
}
