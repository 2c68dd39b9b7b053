/**
 * Graphs the protocol tests drive through real clients. Each is a plain LangGraph graph,
 * written as a graph developer would, with no knowledge of the tests' clients.
 */
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { RunnableConfig } from "@langchain/core/runnables";
import { tool } from "@langchain/core/tools";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { bindChatRequest } from "../../src/run/bind-chat-request.js";
import { getChatRequest } from "../../src/run/request-context.js";
import { ScriptedChatModel, type ScriptedReply } from "../../src/scripted-model.js";

type State = typeof MessagesAnnotation.State;

function oneModelGraph(model: ScriptedChatModel) {
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state: State, config: RunnableConfig) => ({ messages: [await model.invoke(state.messages, config)] }))
    .addEdge(START, "model")
    .addEdge("model", END)
    .compile();
}

/** One model call: eight tokens, usage 11 in / 8 out. */
export const tokens = oneModelGraph(
  new ScriptedChatModel({
    replies: [{ content: "One two three four five six seven eight.", usage: { input_tokens: 11, output_tokens: 8 } }],
  }),
);

/** A node that answers without a model, then a model's turn. */
export const noModel = new StateGraph(MessagesAnnotation)
  .addNode("greet", () => ({ messages: [new AIMessage("Hello without a model.")] }))
  .addNode("model", async (state: State, config: RunnableConfig) => ({
    messages: [await new ScriptedChatModel({ replies: ["And hello from a model."] }).invoke(state.messages, config)],
  }))
  .addEdge(START, "greet")
  .addEdge("greet", "model")
  .addEdge("model", END)
  .compile();

/** A node that answers with a plain object, as the state's reducer accepts, then a model's turn. */
export const plainReply = new StateGraph(MessagesAnnotation)
  .addNode("greet", () => ({ messages: [{ role: "assistant", content: "Hello as a plain object." }] }))
  .addNode("model", modelNode("And from a model."))
  .addEdge(START, "greet")
  .addEdge("greet", "model")
  .addEdge("model", END)
  .compile();

/** A node that asks a model to classify the question and keeps only its own answer: that call's usage counts too. */
export const discardsModelAnswer = new StateGraph(MessagesAnnotation)
  .addNode("route", async (state: State, config: RunnableConfig) => {
    const classifier = new ScriptedChatModel({ replies: [{ content: "smalltalk", usage: { input_tokens: 5, output_tokens: 1 } }] });
    const label = await classifier.withConfig({ tags: ["nostream"] }).invoke(state.messages, config);
    return { messages: [new AIMessage(`Routed as ${label.text}.`)] };
  })
  .addEdge(START, "route")
  .addEdge("route", END)
  .compile();

/** A model's turn, then a node that returns that same message again (as a reviewer that keeps it would). */
export const returnsSeenMessage = new StateGraph(MessagesAnnotation)
  .addNode("model", modelNode("Said once."))
  .addNode("review", (state: State) => ({ messages: [state.messages.at(-1)!] }))
  .addEdge(START, "model")
  .addEdge("model", "review")
  .addEdge("review", END)
  .compile();

/** Answers without any model. */
export const modelFree = new StateGraph(MessagesAnnotation)
  .addNode("answer", () => ({ messages: [new AIMessage("No model here.")] }))
  .addEdge(START, "answer")
  .addEdge("answer", END)
  .compile();

/** Shows what it read of the request through `getChatRequest`. */
export const requestEcho = new StateGraph(MessagesAnnotation)
  .addNode("echo", (_state: State, config: RunnableConfig) => {
    const { tools, tool_choice, parallel_tool_calls, temperature, max_tokens, seed, user, metadata, stop } = getChatRequest(config) ?? {};
    const seen = { tools, tool_choice, parallel_tool_calls, temperature, max_tokens, seed, user, metadata, stop };
    return { messages: [new AIMessage(JSON.stringify(seen))] };
  })
  .addEdge(START, "echo")
  .addEdge("echo", END)
  .compile();

const getTime = tool(async ({ zone }) => `12:00 in ${zone}`, {
  name: "get_time",
  description: "The time in a time zone.",
  schema: z.object({ zone: z.string() }),
});

/** A ReAct agent that runs its own tool: 10+3 then 20+4 tokens of usage. */
export const agent = createReactAgent({
  llm: new ScriptedChatModel({
    respond: (messages: BaseMessage[]): ScriptedReply => {
      const last = messages.at(-1);
      if (last?.getType() === "tool") return { content: `It is ${last.text}.`, usage: { input_tokens: 20, output_tokens: 4 } };
      return {
        content: "Checking the clock. ",
        toolCalls: [{ name: "get_time", args: { zone: "UTC" } }],
        usage: { input_tokens: 10, output_tokens: 3 },
      };
    },
  }),
  tools: [getTime],
});

/**
 * Binds the client's tools and calls every one of them at once (with a sentence first);
 * once the client sends the results back, answers from them.
 */
const clientToolModel = new ScriptedChatModel({
  respond: (messages, options): ScriptedReply => {
    const results = [];
    for (let i = messages.length - 1; i >= 0 && messages[i]!.getType() === "tool"; i--) results.unshift(messages[i]!.text);
    if (results.length > 0) return { content: `Results: ${results.join(", ")}.`, usage: { input_tokens: 30, output_tokens: 5 } };
    const tools = (options.tools ?? []) as { function: { name: string } }[];
    if (tools.length === 0) return "No tools to call.";
    const question = messages.at(-1)?.text ?? "";
    return {
      content: "Let me look that up. ",
      toolCalls: tools.map((t, i) => ({ name: t.function.name, args: { query: question, n: i } })),
      usage: { input_tokens: 15, output_tokens: 7 },
    };
  },
});

export const clientTools = new StateGraph(MessagesAnnotation)
  .addNode("model", async (state: State, config: RunnableConfig) => {
    const tools = getChatRequest(config)?.tools ?? [];
    const model = tools.length > 0 ? clientToolModel.bindTools(tools) : clientToolModel;
    return { messages: [await model.invoke(state.messages, config)] };
  })
  .addEdge(START, "model")
  .addEdge("model", END)
  .compile();

/** Passes the request's `max_tokens` to its model, which may stop short. */
export const tokenLimit = new StateGraph(MessagesAnnotation)
  .addNode("model", async (state: State, config: RunnableConfig) => {
    const model = new ScriptedChatModel({ replies: ["One two three four five six seven eight."] });
    const maxTokens = getChatRequest(config)?.max_tokens ?? undefined;
    return { messages: [await model.invoke(state.messages, { ...config, maxTokens })] };
  })
  .addEdge(START, "model")
  .addEdge("model", END)
  .compile();

/** The structured answer the `weather` graph's model gives when asked for JSON or for its report tool. */
export const WEATHER_REPORT = { city: "Paris", temperature_c: 18, conditions: ["sunny", "light wind"] };

/**
 * A graph as a developer writes one for clients that ask for structured output: its node
 * calls `bindChatRequest`, and its model answers fixed JSON when asked for JSON, the tool
 * call a `tool_choice` names, and otherwise a sentence with "END" in it.
 */
const weatherModel = new ScriptedChatModel({
  respond: (_messages, options): ScriptedReply => {
    const choice = options.tool_choice;
    if (typeof choice === "string" && !["auto", "none", "any", "required"].includes(choice)) {
      return { toolCalls: [{ name: choice, args: WEATHER_REPORT }], usage: { input_tokens: 9, output_tokens: 12 } };
    }
    if (options.response_format && options.response_format.type !== "text") {
      return { content: JSON.stringify(WEATHER_REPORT), usage: { input_tokens: 9, output_tokens: 12 } };
    }
    return { content: "Sunny and 18 degrees in Paris. END of the report, and more after it.", usage: { input_tokens: 9, output_tokens: 14 } };
  },
});

export const weather = new StateGraph(MessagesAnnotation)
  .addNode("model", async (state: State, config: RunnableConfig) => ({
    messages: [await bindChatRequest(weatherModel, config).invoke(state.messages, config)],
  }))
  .addEdge(START, "model")
  .addEdge("model", END)
  .compile();

/** A ChatOpenAI whose endpoint the test sets (`UPSTREAM_URL`), called `UPSTREAM_CALLS` times in one run. */
export function manyUpstreamCalls() {
  const model = new ChatOpenAI({ model: "upstream", apiKey: "sk-test", configuration: { baseURL: process.env.UPSTREAM_URL }, maxRetries: 0 });
  return new StateGraph(MessagesAnnotation)
    .addNode("model", async (state: State, config: RunnableConfig) => {
      let last: BaseMessage | undefined;
      for (let call = 0; call < Number(process.env.UPSTREAM_CALLS ?? 1); call++) last = await model.invoke(state.messages, config);
      return { messages: [last!] };
    })
    .addEdge(START, "model")
    .addEdge("model", END)
    .compile();
}

/** Fails with a message that names files on the server, as a missing file or module does. */
export const failsWithPaths = new StateGraph(MessagesAnnotation)
  .addNode("load", () => {
    throw new Error(`ENOENT: no such file or directory, open '/srv/app/secret-project/prompts/system.txt' (from ${import.meta.url})`);
  })
  .addEdge(START, "load")
  .addEdge("load", END)
  .compile();

function modelNode(text: string) {
  const model = new ScriptedChatModel({ replies: [{ content: text, usage: { input_tokens: 1, output_tokens: 2 } }] });
  return async (state: State, config: RunnableConfig) => ({ messages: [await model.invoke(state.messages, config)] });
}

const research = new StateGraph(MessagesAnnotation)
  .addNode("draft", modelNode("Draft text."))
  .addNode("notes", modelNode("Notes text."))
  .addEdge(START, "draft")
  .addEdge("draft", "notes")
  .addEdge("notes", END)
  .compile();

/** A subgraph node ("research": draft then notes) followed by the parent's own "answer" node. */
export const withSubgraph = new StateGraph(MessagesAnnotation)
  .addNode("research", research)
  .addNode("answer", modelNode("Final answer."))
  .addEdge(START, "research")
  .addEdge("research", "answer")
  .addEdge("answer", END)
  .compile();

/** Fails before any output. */
export const failsAtOnce = new StateGraph(MessagesAnnotation)
  .addNode("lookup", () => {
    throw new Error("database unreachable");
  })
  .addEdge(START, "lookup")
  .addEdge("lookup", END)
  .compile();

/** Streams a model's answer, then fails in the next node. */
export const failsMidway = new StateGraph(MessagesAnnotation)
  .addNode("model", modelNode("A partial answer that"))
  .addNode("save", () => {
    throw new Error("disk full");
  })
  .addEdge(START, "model")
  .addEdge("model", "save")
  .addEdge("save", END)
  .compile();

/** A chat model that cannot stream: its answer arrives whole. */
class WholeAnswerModel extends BaseChatModel {
  _llmType(): string {
    return "whole-answer";
  }

  override async _generate(): Promise<ChatResult> {
    const message = new AIMessage({
      content: "Plain answer.",
      usage_metadata: { input_tokens: 4, output_tokens: 6, total_tokens: 10 },
    });
    return { generations: [{ text: message.text, message }] };
  }
}

/** A model that cannot stream, then a streaming model its graph tags `nostream`. */
export const unstreamedModels = new StateGraph(MessagesAnnotation)
  .addNode("plain", async (state: State, config: RunnableConfig) => ({
    messages: [await new WholeAnswerModel({}).invoke(state.messages, config)],
  }))
  .addNode("quiet", async (state: State, config: RunnableConfig) => {
    const model = new ScriptedChatModel({ replies: [{ content: "Quiet answer.", usage: { input_tokens: 2, output_tokens: 3 } }] });
    return { messages: [await model.withConfig({ tags: ["nostream"] }).invoke(state.messages, config)] };
  })
  .addEdge(START, "plain")
  .addEdge("plain", "quiet")
  .addEdge("quiet", END)
  .compile();
