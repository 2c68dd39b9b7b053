/**
 * Graphs whose state is not a conversation, shaped like LangGraph's tutorials, served as
 * models with no config: a RAG graph `{question, documents, generation}` and a data
 * enrichment graph `{topic, extractionSchema}` -> `info`, over chat completions with the
 * openai SDK on a real socket.
 */
import { Document } from "@langchain/core/documents";
import { HumanMessage, type AIMessage, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { Annotation, END, interrupt, messagesStateReducer, START, StateGraph } from "@langchain/langgraph";
import { ToolNode } from "@langchain/langgraph/prebuilt";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createRegistry, type RunningServer } from "../src/index.js";
import { ScriptedChatModel } from "../src/scripted-model.js";
import { collect, startServer } from "./helpers.js";

const LIBRARY = [
  new Document({ pageContent: "LangGraph runs agents as graphs of nodes.", metadata: { title: "LangGraph" } }),
  new Document({ pageContent: "Paris is the capital of France.", metadata: { title: "France" } }),
];

/** The tutorials' RAG graph: retrieve, grade with one model call, generate with another. */
function ragGraph() {
  const State = Annotation.Root({
    question: Annotation<string>,
    documents: Annotation<Document[]>,
    generation: Annotation<string>,
  });
  const grader = new ScriptedChatModel({ replies: ['{"relevant": "yes"}'] });
  const writer = new ScriptedChatModel({
    respond: (messages) => {
      const [question, ...context] = messages.at(-1)!.text.split("\n");
      return `${question} ${context.length} document(s) say: ${context.join(" ")}`;
    },
  });
  return new StateGraph(State)
    .addNode("retrieve", (state) => ({ documents: LIBRARY.filter((document) => state.question.includes(document.metadata.title as string)) }))
    // Its call is tagged nostream, as a grader's usually is: a grade is not for the user.
    .addNode("grade", async (state) => {
      await grader.invoke([new HumanMessage(`Is this relevant to ${state.question}?`)], { tags: ["nostream"] });
      return {};
    })
    .addNode("generate", async (state) => {
      const context = state.documents.map((document) => document.pageContent).join("\n");
      return { generation: (await writer.invoke([new HumanMessage(`${state.question}\n${context}`)])).text };
    })
    .addEdge(START, "retrieve")
    .addEdge("retrieve", "grade")
    .addEdge("grade", "generate")
    .addEdge("generate", END)
    .compile();
}

/** Data enrichment's shape: its input `{topic, extractionSchema}`, its output `{info}`, an agent loop in between. */
function enrichmentGraph() {
  const Input = Annotation.Root({ topic: Annotation<string>, extractionSchema: Annotation<Record<string, unknown>> });
  const Output = Annotation.Root({ info: Annotation<Record<string, unknown>> });
  const State = Annotation.Root({
    ...Input.spec,
    ...Output.spec,
    messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer, default: () => [] }),
  });
  const search = tool(async ({ query }) => `${query} was founded in 2022.`, { name: "search", schema: z.object({ query: z.string() }) });
  const model = new ScriptedChatModel({
    respond: (messages) =>
      messages.some((message) => message.getType() === "tool")
        ? { toolCalls: [{ name: "Info", args: { name: "LangChain", founded: 2022 } }] }
        : { toolCalls: [{ name: "search", args: { query: messages[0]!.text } }] },
  });
  return new StateGraph({ input: Input, output: Output, stateSchema: State })
    .addNode("agent", async (state) => {
      const info = { type: "function" as const, function: { name: "Info", description: "The answer", parameters: state.extractionSchema } };
      const prompt = state.messages.length ? state.messages : [new HumanMessage(`Research ${state.topic}`)];
      const reply = (await model.bindTools([info, search]).invoke(prompt)) as AIMessage;
      const found = reply.tool_calls?.find((call) => call.name === "Info");
      return { messages: [...(state.messages.length ? [] : prompt), reply], ...(found && { info: found.args }) };
    })
    .addNode("search", new ToolNode([search]))
    .addEdge(START, "agent")
    .addConditionalEdges("agent", (state) => (state.info ? END : "search"))
    .addEdge("search", "agent")
    .compile();
}

/** A graph whose zod input schema has one string field among others, named as no usual input is. */
function zodGraph() {
  const State = z.object({ subject: z.string(), limit: z.number().optional(), verdict: z.string().optional() });
  return new StateGraph(State)
    .addNode("judge", (state) => ({ verdict: `${state.subject}: fine` }))
    .addEdge(START, "judge")
    .addEdge("judge", END)
    .compile();
}

/** A question graph whose model speaks, then stops to ask the user. */
function askingGraph() {
  const State = Annotation.Root({ question: Annotation<string>, answer: Annotation<string> });
  const model = new ScriptedChatModel({ replies: ["Let me think."] });
  return new StateGraph(State)
    .addNode("think", async (state) => {
      await model.invoke([new HumanMessage(state.question)]);
      return {};
    })
    .addNode("ask", () => ({ answer: interrupt("Which city?") as string }))
    .addEdge(START, "think")
    .addEdge("think", "ask")
    .addEdge("ask", END)
    .compile();
}

type WithState = OpenAI.ChatCompletionCreateParamsNonStreaming & { state?: Record<string, unknown> };

const EXTRACTION_SCHEMA = { type: "object", properties: { name: { type: "string" }, founded: { type: "number" } }, required: ["name", "founded"] };

let server: RunningServer & { client: OpenAI };

beforeAll(async () => {
  const registry = await createRegistry({
    rag: ragGraph(),
    enrichment: { graph: enrichmentGraph(), settings: { allow_state: ["extractionSchema"] } },
    judge: zodGraph(),
    "rag-documents": { graph: ragGraph(), settings: { output: "documents" } },
    asking: askingGraph(),
  });
  server = await startServer({ registry });
});

afterAll(() => server?.close());

const ask = (model: string, content: string, extra: Partial<WithState> = {}) =>
  server.client.chat.completions.create({ model, messages: [{ role: "user", content }], ...extra } as WithState);

describe("a graph whose state has no messages, as a model", () => {
  it("puts the last user message into a RAG graph's question and answers with its generation", async () => {
    const completion = await ask("rag", "What is LangGraph?");
    expect(completion.choices[0]!.message.content).toBe("What is LangGraph? 1 document(s) say: LangGraph runs agents as graphs of nodes.");
    expect(completion.choices[0]!.finish_reason).toBe("stop");
  });

  it("streams the generation token by token, once, with nothing of the grader's", async () => {
    const stream = await server.client.chat.completions.create({ model: "rag", messages: [{ role: "user", content: "What is LangGraph?" }], stream: true });
    const deltas = (await collect(stream)).map((chunk) => chunk.choices[0]?.delta.content).filter((text): text is string => !!text);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe("What is LangGraph? 1 document(s) say: LangGraph runs agents as graphs of nodes.");
  });

  it("takes the question from the last user message of a longer conversation", async () => {
    const completion = await server.client.chat.completions.create({
      model: "rag",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello" },
        { role: "assistant", content: "Hi" },
        { role: "user", content: "Tell me about France" },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe("Tell me about France 1 document(s) say: Paris is the capital of France.");
  });

  it("answers with an output field the model's settings name, an object as JSON text", async () => {
    const completion = await ask("rag-documents", "What is LangGraph?");
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual([expect.objectContaining({ pageContent: "LangGraph runs agents as graphs of nodes." })]);
  });

  it("runs data enrichment with the topic from the message and the client's extractionSchema, answering its info as JSON", async () => {
    const completion = await ask("enrichment", "LangChain", { state: { extractionSchema: EXTRACTION_SCHEMA } });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ name: "LangChain", founded: 2022 });
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    expect(completion.choices[0]!.message.tool_calls).toBeUndefined();
  });

  it("streams data enrichment's info as the answer, the agent's tool calls as its steps", async () => {
    const stream = await server.client.chat.completions.create({
      model: "enrichment",
      messages: [{ role: "user", content: "LangChain" }],
      stream: true,
      state: { extractionSchema: EXTRACTION_SCHEMA },
    } as OpenAI.ChatCompletionCreateParamsStreaming);
    const chunks = await collect(stream);
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(JSON.parse(text)).toEqual({ name: "LangChain", founded: 2022 });
    const steps = chunks.map((chunk) => (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "").join("");
    expect(steps).toContain("search");
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
  });

  it("answers each turn's question on a named thread", async () => {
    const headers = { "x-thread-id": "rag-thread" };
    const first = await server.client.chat.completions.create({ model: "rag", messages: [{ role: "user", content: "What is LangGraph?" }] }, { headers });
    const answer = first.choices[0]!.message.content!;
    const second = await server.client.chat.completions.create(
      {
        model: "rag",
        messages: [
          { role: "user", content: "What is LangGraph?" },
          { role: "assistant", content: answer },
          { role: "user", content: "And France?" },
        ],
      },
      { headers },
    );
    expect(second.choices[0]!.message.content).toBe("And France? 1 document(s) say: Paris is the capital of France.");
  });

  it("answers the same through the Responses API, state included", async () => {
    const rag = await server.client.responses.create({ model: "rag", input: "What is LangGraph?" });
    expect(rag.output_text).toBe("What is LangGraph? 1 document(s) say: LangGraph runs agents as graphs of nodes.");
    const enrichment = await server.client.responses.create({
      model: "enrichment",
      input: "LangChain",
      state: { extractionSchema: EXTRACTION_SCHEMA },
    } as OpenAI.Responses.ResponseCreateParamsNonStreaming);
    expect(JSON.parse(enrichment.output_text)).toEqual({ name: "LangChain", founded: 2022 });
  });

  it("refuses a state field the model does not allow, naming it", async () => {
    const refused = await ask("rag", "What is LangGraph?", { state: { documents: [] } }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 400, param: "state.documents" });
    expect((refused as Error).message).toMatch(/model 'rag' does not let a request set 'documents' \(its 'allow_state' setting allows no state key\)/);
  });

  it("answers an interrupt's question alone, with nothing of what its models said, when not streamed", async () => {
    const completion = await ask("asking", "Plan a trip");
    expect(completion.choices[0]!.message.content).toBe("Which city?");
  });

  it("finds the one string field of a zod input schema", async () => {
    const completion = await ask("judge", "the plan");
    expect(completion.choices[0]!.message.content).toBe("the plan: fine");
  });

  it("stops startup when a model's input or output setting names no field of its graph", async () => {
    await expect(createRegistry({ rag: { graph: ragGraph(), settings: { input: "query" } } })).rejects.toThrow(
      "graph 'rag': its 'input' setting names 'query', which is not one of the graph's input fields (question, documents, generation)",
    );
  });
});
