import { dispatchCustomEvent } from "@langchain/core/callbacks/dispatch";
import { Document } from "@langchain/core/documents";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk, HumanMessage, type AIMessageFields, type BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk, type ChatResult } from "@langchain/core/outputs";
import { BaseRetriever } from "@langchain/core/retrievers";
import type { RunnableConfig } from "@langchain/core/runnables";
import { tool } from "@langchain/core/tools";
import { END, type LangGraphRunnableConfig, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { graph as agent } from "../graphs/agent.js";
import type { ModelSettings } from "../src/config.js";
import { defineModel } from "../src/registry.js";
import type { RunEvent, Step } from "../src/run/events.js";
import { reasoningOf } from "../src/run/reasoning.js";
import { runGraph } from "../src/run/run.js";
import { ScriptedChatModel } from "../src/scripted-model.js";
import { collect } from "./helpers.js";

async function run(graph: unknown, question: string, settings: ModelSettings = {}, steps = true, streamed = true): Promise<RunEvent[]> {
  const entry = await defineModel("graph", graph, settings);
  return collect(
    runGraph({
      entry,
      graph: await entry.getGraph({}),
      input: { messages: [new HumanMessage(question)] },
      threadId: "t",
      request: { model: "graph" },
      streamed,
      steps,
      signal: new AbortController().signal,
    }),
  );
}

const text = (events: RunEvent[]) => events.flatMap((event) => (event.type === "text" ? [event.text] : [])).join("");
const reasoning = (events: RunEvent[]) => events.flatMap((event) => (event.type === "reasoning" ? [event.text] : [])).join("");
const steps = (events: RunEvent[]): Step[] => events.flatMap((event) => (event.type === "step" ? [event.step] : []));

/** Streams its reasoning as content blocks, as ChatAnthropic (`thinking`) and LangChain's standard blocks (`reasoning`) do. */
class BlockReasoningModel extends BaseChatModel {
  constructor(private readonly block: "thinking" | "reasoning") {
    super({});
  }
  _llmType() {
    return "block-reasoning";
  }
  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    const parts: AIMessageFields["content"][] = [
      [{ type: this.block, [this.block]: "Weighing " }],
      [{ type: this.block, [this.block]: "it up." }],
      "The answer",
      " is 42.",
    ];
    for (const content of parts) yield new ChatGenerationChunk({ text: typeof content === "string" ? content : "", message: new AIMessageChunk({ content }) });
  }
  async _generate(): Promise<ChatResult> {
    throw new Error("streams only");
  }
}

/** Cannot stream: its whole answer, reasoning block included, arrives at the end. */
class WholeAnswerModel extends BaseChatModel {
  _llmType() {
    return "whole";
  }
  async _generate(): Promise<ChatResult> {
    const message = new AIMessage({ content: [{ type: "reasoning", reasoning: "Thought it through." }, { type: "text", text: "Done." }] });
    return { generations: [{ text: "Done.", message }] };
  }
}

const oneModelNode = (model: BaseChatModel) =>
  new StateGraph(MessagesAnnotation)
    .addNode("model", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
    .addEdge(START, "model")
    .addEdge("model", END);

describe("a model's reasoning", () => {
  it("is read from additional_kwargs.reasoning_content, as DeepSeek and vLLM send it, and never reaches the text", async () => {
    const model = new ScriptedChatModel({ replies: [{ reasoning: "Let me think about it.", content: "It is 4." }] });
    const events = await run(oneModelNode(model), "2 + 2?");
    expect(reasoning(events)).toBe("Let me think about it.");
    expect(text(events)).toBe("It is 4.");
    expect(events.findIndex((event) => event.type === "reasoning")).toBeLessThan(events.findIndex((event) => event.type === "text"));
  });

  it.each(["thinking", "reasoning"] as const)("is read from %s content blocks as they stream", async (block) => {
    const events = await run(oneModelNode(new BlockReasoningModel(block)), "life?");
    expect(reasoning(events)).toBe("Weighing it up.");
    expect(text(events)).toBe("The answer is 42.");
  });

  it("comes before the text of a model that answers whole", async () => {
    const events = await run(oneModelNode(new WholeAnswerModel({})), "go");
    const said = events.filter((event) => event.type === "reasoning" || event.type === "text");
    expect(said).toEqual([
      { type: "reasoning", text: "Thought it through.", messageId: expect.any(String) },
      { type: "text", text: "Done.", messageId: expect.any(String) },
    ]);
    expect(said[0]!.messageId).toBe(said[1]!.messageId);
  });

  it("of two model calls reads as two paragraphs", async () => {
    const model = new ScriptedChatModel({ replies: [{ reasoning: "First.", content: "A" }, { reasoning: "Second.", content: "B" }] });
    const twoCalls = new StateGraph(MessagesAnnotation)
      .addNode("one", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
      .addNode("two", async (state, config) => ({ messages: [await model.invoke(state.messages, config)] }))
      .addEdge(START, "one")
      .addEdge("one", "two");
    expect(reasoning(await run(twoCalls, "go"))).toBe("First.\n\nSecond.");
  });

  it("reads no reasoning in a plain message", () => {
    expect(reasoningOf(new AIMessageChunk("plain"))).toBe("");
  });
});

describe("the tools a graph runs itself", () => {
  it("are steps with the tool call's id, its arguments and its result, around the answer's text", async () => {
    const events = await run(agent, "What is the weather in Paris?");
    const ran = steps(events);
    expect(ran).toEqual([
      { kind: "tool_call", id: expect.stringMatching(/^call_/), name: "get_weather", args: { city: "Paris" } },
      { kind: "tool_result", id: ran[0]!.kind === "tool_call" ? ran[0]!.id : "", name: "get_weather", output: "18°C and sunny", failed: false, messageId: expect.any(String) },
    ]);
    // The id the result was sent with is the one the thread keeps its ToolMessage under.
    const values = events.find((event) => event.type === "values")?.values as { messages: BaseMessage[] };
    const toolMessage = values.messages.find((message) => message.getType() === "tool");
    expect(ran[1]!.kind === "tool_result" && ran[1]!.messageId).toBe(toolMessage?.id);
    expect(text(events)).toBe("Let me check the weather in Paris. \n\nThe weather there today: 18°C and sunny.");
    const order = events.map((event) => event.type);
    expect(order.indexOf("step")).toBeGreaterThan(order.indexOf("text"));
    expect(order.lastIndexOf("text")).toBeGreaterThan(order.lastIndexOf("step"));
  });

  it("say when a tool failed", async () => {
    const broken = tool(async () => {
      throw new Error("service down");
    }, { name: "lookup", description: "Looks things up.", schema: z.object({ q: z.string() }) });
    const model = new ScriptedChatModel({
      respond: (messages) => (messages.at(-1)?.getType() === "tool" ? "Sorry." : { toolCalls: [{ name: "lookup", args: { q: "x" } }] }),
    });
    const events = await run(createReactAgent({ llm: model, tools: [broken] }), "find x");
    expect(steps(events).at(-1)).toMatchObject({ kind: "tool_result", name: "lookup", output: "service down", failed: true });
  });

  it("are left out by the model's settings, or by the request", async () => {
    expect(steps(await run(agent, "What is 12 * 7?", { steps: { tools: false } }))).toEqual([]);
    const silenced = await run(agent, "What is the weather in Paris?", {}, false);
    expect(silenced.some((event) => event.type === "step" || event.type === "reasoning")).toBe(false);
    expect(text(silenced)).toBe("Let me check the weather in Paris. \n\nThe weather there today: 18°C and sunny.");
    expect((await run(agent, "What is the weather in Paris?", { steps: false })).some((event) => event.type === "step" || event.type === "reasoning")).toBe(false);
  });
});

describe("node steps and progress", () => {
  const pipeline = new StateGraph(MessagesAnnotation)
    .addNode("plan", async (_state, config: LangGraphRunnableConfig) => {
      config.writer?.("Planning the search");
      config.writer?.({ data: "Found 3 sources", type: "progress" });
      config.writer?.({ chunk: [1, 2, 3] });
      await dispatchCustomEvent("progress", { message: "Ranked the sources" }, config);
      return {};
    })
    .addNode("answer", () => ({ messages: [new AIMessage("Here it is.")] }))
    .addEdge(START, "plan")
    .addEdge("plan", "answer");

  it("reports what a graph writes with config.writer, and LangChain's custom events, when they read as text", async () => {
    expect(steps(await run(pipeline, "go"))).toEqual([
      { kind: "progress", text: "Planning the search" },
      { kind: "progress", text: "Found 3 sources" },
      { kind: "progress", text: "Ranked the sources" },
    ]);
  });

  it("names each node as it starts only where the settings ask", async () => {
    const named = steps(await run(pipeline, "go", { steps: { nodes: true, progress: false } }));
    expect(named).toEqual([
      { kind: "node", name: "plan" },
      { kind: "node", name: "answer" },
    ]);
  });

  it("hides everything a node hidden from the client does", async () => {
    const events = await run(pipeline, "go", { stream: { exclude: ["plan"] } });
    expect(steps(events)).toEqual([]);
    expect(text(events)).toBe("Here it is.");
  });
});

class Shelf extends BaseRetriever {
  lc_namespace = ["test"];
  override async _getRelevantDocuments(query: string): Promise<Document[]> {
    return [
      new Document({ pageContent: `Notes on ${query}.`, metadata: { source: "notes.md" } }),
      new Document({ pageContent: "Sales grew 4%.", metadata: { source: "https://example.com/q3", title: "Q3 report" } }),
    ];
  }
}

describe("the documents a graph draws on", () => {
  it("are cited once each, from a retriever, a tool's artifact, or a node's state", async () => {
    const shelf = new Shelf();
    const search = tool(async () => ["Found one.", [new Document({ pageContent: "Costs fell.", metadata: { url: "https://example.com/costs", title: "Costs" } })]], {
      name: "search",
      description: "Searches.",
      schema: z.object({ q: z.string() }),
      responseFormat: "content_and_artifact",
    });
    const rag = new StateGraph(MessagesAnnotation)
      .addNode("retrieve", async (state, config: RunnableConfig) => {
        await shelf.invoke("sales", config);
        await search.invoke({ id: "call_s", name: "search", args: { q: "costs" }, type: "tool_call" }, config);
        return { documents: [new Document({ pageContent: "Sales grew 4%.", metadata: { source: "https://example.com/q3" } })], messages: [] as BaseMessage[] };
      })
      .addNode("answer", () => ({ messages: [new AIMessage("Sales grew and costs fell.")] }))
      .addEdge(START, "retrieve")
      .addEdge("retrieve", "answer");
    const events = await run(rag, "How did we do?");
    expect(events.flatMap((event) => (event.type === "citation" ? [event.citation] : []))).toEqual([
      { title: "notes.md", text: "Notes on sales." },
      { title: "Q3 report", url: "https://example.com/q3", text: "Sales grew 4%." },
      { title: "Costs", url: "https://example.com/costs", text: "Costs fell." },
    ]);
  });
});

/** The events with each run of text or reasoning joined, as a client's answer reads them. */
function joined(events: RunEvent[]): RunEvent[] {
  const out: RunEvent[] = [];
  for (const event of events) {
    const last = out.at(-1);
    if ((event.type === "text" || event.type === "reasoning") && last?.type === event.type) out[out.length - 1] = { ...last, text: last.text + event.text };
    else out.push(event);
  }
  return out;
}

/**
 * Tool call and message ids are minted per call: equal in shape, not in value. The state
 * the run ends in is left out: a model that answers whole reports its usage in more detail.
 */
const withoutIds = (events: RunEvent[]) =>
  JSON.parse(
    JSON.stringify(events.filter((event) => event.type !== "values"))
      .replace(/"call_[\w-]+"/g, '"call"')
      .replace(/"(run-)?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"id"'),
  ) as unknown;

describe("a run whose client does not stream", () => {
  const reasoner = () => oneModelNode(new ScriptedChatModel({ replies: [{ reasoning: "Let me think about it.", content: "It is 4, as you can check." }] }));

  it("lets each model answer in one call: its text arrives whole", async () => {
    const events = await run(reasoner(), "2 + 2?", {}, true, false);
    expect(events.filter((event) => event.type === "text" || event.type === "reasoning")).toEqual([
      { type: "reasoning", text: "Let me think about it.", messageId: expect.any(String) },
      { type: "text", text: "It is 4, as you can check.", messageId: expect.any(String) },
    ]);
    const streamed = await run(reasoner(), "2 + 2?");
    expect(streamed.filter((event) => event.type === "text").length).toBe(7);
  });

  it.each([
    ["a model with reasoning", reasoner, "2 + 2?"],
    ["a ReAct agent's tools and two model calls", () => agent, "What is the weather in Paris?"],
    ["a ReAct agent's arithmetic", () => agent, "What is 12 * 7?"],
  ] as const)("says what a streamed run says, steps, reasoning and usage included: %s", async (_name, graph, question) => {
    const streamed = await run(graph(), question);
    const whole = await run(graph(), question, {}, true, false);
    expect(whole.some((event) => event.type === "step") || whole.some((event) => event.type === "reasoning")).toBe(true);
    expect(withoutIds(joined(whole))).toEqual(withoutIds(joined(streamed)));
    expect(whole.at(-1)).toMatchObject({ type: "usage", usage: { output_tokens: expect.any(Number) } });
    expect((whole.at(-1) as { usage: { output_tokens: number } }).usage.output_tokens).toBeGreaterThan(0);
  });
});
