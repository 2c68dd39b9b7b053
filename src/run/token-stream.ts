/**
 * What a graph run says to the user, as it happens: a LangChain callback handler that
 * sees every token of every chat-model call in the run (subgraphs included) and every
 * message a node returns, and turns them into text events in the order they happen;
 * and what the agent does on the way: the models' reasoning, the tools the graph runs
 * itself, its nodes, the progress it writes, and the documents it draws on.
 *
 * It does the job of LangGraph's `messages` stream mode (`StreamMessagesHandler` in
 * @langchain/langgraph/dist/pregel/messages.js) with the same rules (which calls
 * stream, which node a message belongs to, a message sent once), but a token costs a
 * string rather than an `AIMessageChunk` and a trip through the graph's stream: half
 * the time per token (bench/RESULTS.md).
 */
import { randomUUID } from "node:crypto";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { DocumentInterface } from "@langchain/core/documents";
import type { Serialized } from "@langchain/core/load/serializable";
import { coerceMessageLikeToMessage, isBaseMessage, type BaseMessage, type ToolMessage, type UsageMetadata } from "@langchain/core/messages";
import type { ChatGeneration, ChatGenerationChunk, LLMResult } from "@langchain/core/outputs";
import { getConfig, isCommand } from "@langchain/langgraph";
import { allowManyAbortListeners } from "./abort-listeners.js";
import { citationKey, citationOf, documentsIn, isDocument } from "./citations.js";
import { noUsage, type RunEvent, type Step, type Usage } from "./events.js";
import { textOf } from "./message-text.js";
import { reasoningOf } from "./reasoning.js";
import { progressText, toolArguments, toolOutputText } from "./step-values.js";

/** Whether output of this node reaches the client; `namespace` is its checkpoint namespace, split at `|`. */
export type StreamNodeFilter = (node: string | undefined, namespace: readonly string[]) => boolean;

/** A chat-model call that streams (inside a node, not tagged nostream). */
interface ModelCall {
  /** Its node passes the model's `stream` settings: its text reaches the client. */
  visible: boolean;
  /** It sent tokens; otherwise its answer is sent whole when it ends. */
  streamed: boolean;
  /** The id of the message it makes: the provider's, or the one LangChain gives it (`run-` and the call's run id). */
  messageId: string;
}

/** A node run whose returned messages are looked at. */
interface NodeRun {
  name: string;
  /** Whether what it returns reaches the client. */
  visible: boolean;
  /** Whether its start was reported as a step (its end is, then, too). */
  announced: boolean;
  /** A node of the graph itself, not of a subgraph: it writes the run's state. */
  root: boolean;
}

/** A tool the graph runs itself, between its start and its end. */
interface ToolRun {
  /** The tool call's id, or the run's when the tool was called without one. */
  id: string;
  name: string;
}

/** LangGraph's metadata on a node and on every call inside it. */
interface NodeMetadata {
  langgraph_node?: unknown;
  langgraph_checkpoint_ns?: unknown;
  checkpoint_ns?: unknown;
}

function namespaceOf(metadata: NodeMetadata | undefined): string[] | undefined {
  const namespace = metadata?.langgraph_checkpoint_ns ?? metadata?.checkpoint_ns;
  return typeof namespace === "string" && namespace !== "" ? namespace.split("|") : undefined;
}

function nodeOf(metadata: NodeMetadata | undefined): string | undefined {
  return typeof metadata?.langgraph_node === "string" ? metadata.langgraph_node : undefined;
}

/** An assistant message a node returns as a plain object (`{ role: "assistant", content }`), which the state's reducer accepts. */
function plainAssistantMessage(value: unknown): BaseMessage | undefined {
  if (value === null || typeof value !== "object" || isBaseMessage(value)) return undefined;
  const { role, type } = value as { role?: unknown; type?: unknown };
  if (role !== "assistant" && role !== "ai" && type !== "ai") return undefined;
  try {
    return coerceMessageLikeToMessage(value as Parameters<typeof coerceMessageLikeToMessage>[0]);
  } catch {
    return undefined;
  }
}

/**
 * A returned message's id, given one first when it has none, as LangGraph's messages
 * reducer gives it (the same two fields), only before any event names the message: the
 * thread then keeps the id the events named it by.
 */
function idOf(message: BaseMessage): string {
  if (message.id === undefined || message.id === null) {
    message.id = randomUUID();
    message.lc_kwargs.id = message.id;
  }
  return message.id;
}

/** Which of the agent's steps the run reports (see `stepSettingsSchema` in config.ts). */
export interface StepVisibility {
  reasoning: boolean;
  tools: boolean;
  nodes: boolean;
  progress: boolean;
}

export interface TokenStreamOptions {
  /**
   * Whether the client reads the answer as it is made: only then are models asked to
   * stream their tokens. Otherwise each model call answers in one piece, which the
   * handler sends whole when the call ends, as it does for a model that cannot stream.
   */
  streamTokens: boolean;
  streams: StreamNodeFilter;
  show: StepVisibility;
  /** Receives each event, in order; called while the run goes on. */
  emit: (event: RunEvent) => void;
  /** Whether a write to this key of the graph's own state is the value it will hold; none are reported without it (see `state_changed`). */
  replaces?: (key: string) => boolean;
}

/** The source of reasoning that was a step: a model's reasoning after it needs no separator of ours. */
const STEP = Symbol("step");

export class TokenStreamHandler extends BaseCallbackHandler {
  name = "TokenStreamHandler";
  // Called in line, as the model produces each token and as each node ends, so the
  // text comes in the order the run made it; the handler never waits.
  override awaitHandlers = true;
  /** When true, makes `invoke()` of a chat model stream its tokens to us, as LangGraph's `messages` mode does. */
  readonly lc_prefer_streaming: boolean;

  /** The sum of `usage_metadata` over every chat-model call of the run. */
  readonly usage: Usage = noUsage();

  readonly #options: TokenStreamOptions;
  readonly #emit: (event: RunEvent) => void;
  readonly #show: StepVisibility;
  readonly #modelCalls = new Map<string, ModelCall>();
  /** Tools running in nodes the client may see, by run id. */
  readonly #tools = new Map<string, ToolRun>();
  /** Retrievers running in nodes the client may see. */
  readonly #retrievers = new Set<string>();
  /** Documents already cited. */
  readonly #cited = new Set<string>();
  /** Node runs whose returned messages are looked at, by run id. */
  readonly #nodes = new Map<string, NodeRun>();
  /** Ids of the messages already sent (or hidden by the filter), or which the node's state already held. */
  readonly #seen = new Set<string>();
  /** Ids of the messages whose usage is counted. */
  readonly #counted = new Set<string>();
  /** The model call or message the last text came from: a new one starts a new paragraph. */
  #lastSource: unknown;
  /** The model call or message the last reasoning came from, or STEP. */
  #lastThought: unknown;
  /** The text sent since the source last changed: the last model call's or message's. */
  #paragraph = "";

  /** Whether any text has been sent yet. */
  get sentText(): boolean {
    return this.#lastSource !== undefined;
  }

  /** The text of the last paragraph sent (see `#send`): what the last model call or message said. */
  get lastParagraph(): string {
    return this.#paragraph;
  }

  constructor(options: TokenStreamOptions) {
    super();
    this.#options = options;
    this.lc_prefer_streaming = options.streamTokens;
    this.#emit = options.emit;
    this.#show = options.show;
  }

  #send(source: unknown, text: string, messageId: string): void {
    if (!text) return;
    // Two AI messages in one answer (a ReAct agent's turns) read as two paragraphs.
    if (this.#lastSource !== source) {
      if (this.#lastSource !== undefined) this.#emit({ type: "text", text: "\n\n" });
      this.#paragraph = "";
    }
    this.#lastSource = source;
    this.#paragraph += text;
    this.#emit({ type: "text", text, messageId });
  }

  #think(source: unknown, text: string, messageId: string): void {
    if (!text) return;
    // Two models' reasoning back to back read as two paragraphs (after a step, the protocol separates them).
    if (this.#lastThought !== undefined && this.#lastThought !== source && this.#lastThought !== STEP) {
      this.#emit({ type: "reasoning", text: "\n\n" });
    }
    this.#lastThought = source;
    this.#emit({ type: "reasoning", text, messageId });
  }

  #step(step: Step): void {
    this.#lastThought = STEP;
    this.#emit({ type: "step", step });
  }

  #cite(documents: readonly DocumentInterface[]): void {
    for (const document of documents) {
      const citation = citationOf(document);
      const key = citationKey(citation);
      if (this.#cited.has(key)) continue;
      this.#cited.add(key);
      this.#emit({ type: "citation", citation });
    }
  }

  /** Whether the client may see what runs under this metadata: inside a node that passes the `stream` settings. */
  #visible(metadata: NodeMetadata | undefined): boolean {
    const namespace = namespaceOf(metadata);
    return namespace !== undefined && this.#options.streams(nodeOf(metadata), namespace);
  }

  #count(message: BaseMessage): void {
    const reported = (message as { usage_metadata?: UsageMetadata }).usage_metadata;
    if (message.id !== undefined) {
      if (this.#counted.has(message.id)) return;
      this.#counted.add(message.id);
    }
    if (!reported) return;
    this.usage.input_tokens += reported.input_tokens;
    this.usage.output_tokens += reported.output_tokens;
    this.usage.total_tokens += reported.total_tokens ?? reported.input_tokens + reported.output_tokens;
  }

  override handleChatModelStart(
    _model: Serialized,
    _messages: BaseMessage[][],
    runId: string,
    _parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: NodeMetadata,
  ): void {
    allowManyAbortListeners(extraParams?.options);
    // As LangGraph's `messages` mode: a model tagged nostream, or called outside any node, streams nothing.
    if (tags?.includes("nostream") || tags?.includes("langsmith:nostream")) return;
    const namespace = namespaceOf(metadata);
    if (!namespace) return;
    this.#modelCalls.set(runId, { visible: this.#options.streams(nodeOf(metadata), namespace), streamed: false, messageId: `run-${runId}` });
  }

  override handleLLMNewToken(
    token: string,
    _index: unknown,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    fields?: { chunk?: ChatGenerationChunk },
  ): void {
    const call = this.#modelCalls.get(runId);
    if (!call) return;
    const message = fields?.chunk?.message;
    // A provider's own id (ChatOpenAI's `chatcmpl-...`) is on its first chunk; LangChain keeps it for the message.
    if (!call.streamed && message?.id) call.messageId = message.id;
    call.streamed = true;
    if (!call.visible) return;
    if (!message) return this.#send(runId, token, call.messageId);
    if (this.#show.reasoning) this.#think(runId, reasoningOf(message), call.messageId);
    // The message's text, not the raw token: some providers pass a tool call's JSON as the token.
    this.#send(runId, textOf(message), call.messageId);
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    const call = this.#modelCalls.get(runId);
    this.#modelCalls.delete(runId);
    const generation = output.generations[0]?.[0] as ChatGeneration | undefined;
    const message = generation?.message;
    if (!isBaseMessage(message)) return;
    // A call streamed for us keeps how it ended (ChatOpenAI's `finish_reason: "length"`)
    // in its generation's info, which LangChain's `.stream()` copies onto the message
    // and `invoke` does not: the message the node keeps says it, as an unstreamed one does.
    if (generation?.generationInfo) message.response_metadata = { ...generation.generationInfo, ...message.response_metadata };
    this.#count(message);
    if (!call) return;
    const seen = message.id !== undefined && this.#seen.has(message.id);
    if (message.id !== undefined) this.#seen.add(message.id);
    // A model that cannot stream: its answer is sent whole.
    if (call.streamed || seen || !call.visible) return;
    const messageId = message.id ?? call.messageId;
    if (this.#show.reasoning) this.#think(runId, reasoningOf(message), messageId);
    this.#send(runId, message.text, messageId);
  }

  override handleLLMError(_error: unknown, runId: string): void {
    this.#modelCalls.delete(runId);
  }

  override handleChainStart(
    _chain: Serialized,
    inputs: Record<string, unknown>,
    runId: string,
    _parentRunId?: string,
    tags?: string[],
    metadata?: NodeMetadata,
    _runType?: string,
    runName?: string,
  ): void {
    // Of all the runnables inside a graph, only its nodes run under their own name.
    if (metadata === undefined || runName !== metadata.langgraph_node || tags?.includes("langsmith:hidden")) return;
    const namespace = namespaceOf(metadata);
    if (!namespace) return;
    const visible = this.#options.streams(runName, namespace);
    const announced = visible && this.#show.nodes && !runName!.startsWith("__");
    this.#nodes.set(runId, { name: runName!, visible, announced, root: namespace.length === 1 });
    if (announced) this.#step({ kind: "node", name: runName! });
    // What the node was given is no news: a node that returns its state's messages sends none of them.
    if (inputs === null || typeof inputs !== "object") return;
    for (const value of Object.values(inputs)) {
      if (isBaseMessage(value) && value.id !== undefined) this.#seen.add(value.id);
      else if (Array.isArray(value)) {
        for (const item of value) if (isBaseMessage(item) && item.id !== undefined) this.#seen.add(item.id);
      }
    }
  }

  override handleChainEnd(outputs: unknown, runId: string): void {
    const node = this.#nodes.get(runId);
    if (node === undefined) return;
    this.#nodes.delete(runId);
    this.#returned(outputs, node.visible);
    if (node.root) this.#stateChanged(outputs);
    if (node.announced) this.#emit({ type: "node_finished", name: node.name });
  }

  /** The keys a node's return value (or its Command's update) sets, where the value written is the value held. */
  #stateChanged(outputs: unknown): void {
    const replaces = this.#options.replaces;
    const update = isCommand(outputs) ? outputs.update : outputs;
    if (!replaces || update === null || typeof update !== "object" || Array.isArray(update) || isBaseMessage(update)) return;
    const changed = Object.entries(update).filter(([key, value]) => key !== "messages" && value !== undefined && replaces(key));
    if (changed.length > 0) this.#emit({ type: "state_changed", values: Object.fromEntries(changed) });
  }

  /** A node that fails, or stops at `interrupt()`, ends too. */
  override handleChainError(_error: unknown, runId: string): void {
    const node = this.#nodes.get(runId);
    this.#nodes.delete(runId);
    if (node?.announced) this.#emit({ type: "node_finished", name: node.name });
  }

  override handleToolStart(
    _tool: Serialized,
    input: string,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    metadata?: NodeMetadata,
    runName?: string,
    toolCallId?: string,
  ): void {
    if (!this.#visible(metadata)) return;
    const tool = { id: toolCallId ?? runId, name: runName ?? "tool" };
    this.#tools.set(runId, tool);
    if (this.#show.tools) this.#step({ kind: "tool_call", ...tool, args: toolArguments(input) });
  }

  override handleToolEnd(output: unknown, runId: string): void {
    const tool = this.#tools.get(runId);
    if (!tool) return;
    this.#tools.delete(runId);
    if (this.#show.tools) {
      const failed = isBaseMessage(output) && (output as ToolMessage).status === "error";
      this.#step({ kind: "tool_result", ...tool, output: toolOutputText(output), failed, ...(isBaseMessage(output) && { messageId: idOf(output) }) });
    }
    // A tool that answers with documents (`responseFormat: "content_and_artifact"`) cites them.
    if (isBaseMessage(output)) this.#cite(documentsIn((output as ToolMessage).artifact));
  }

  override handleToolError(error: unknown, runId: string): void {
    const tool = this.#tools.get(runId);
    if (!tool) return;
    this.#tools.delete(runId);
    const output = error instanceof Error ? error.message : String(error);
    if (this.#show.tools) this.#step({ kind: "tool_result", ...tool, output, failed: true });
  }

  override handleRetrieverStart(
    _retriever: Serialized,
    _query: string,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    metadata?: NodeMetadata,
  ): void {
    if (this.#visible(metadata)) this.#retrievers.add(runId);
  }

  override handleRetrieverEnd(documents: DocumentInterface[], runId: string): void {
    if (this.#retrievers.delete(runId)) this.#cite(documents);
  }

  override handleRetrieverError(_error: unknown, runId: string): void {
    this.#retrievers.delete(runId);
  }

  /** LangChain's `dispatchCustomEvent` inside a node: progress, when it reads as text. */
  override handleCustomEvent(_eventName: string, data: unknown, _runId: string, _tags?: string[], metadata?: NodeMetadata): void {
    this.#progress(data, metadata);
  }

  /** Receives what nodes write with `config.writer` (LangGraph's `custom` stream mode). */
  readonly write = (chunk: unknown): void => {
    this.#progress(chunk, getConfig()?.metadata as NodeMetadata | undefined);
  };

  #progress(data: unknown, metadata: NodeMetadata | undefined): void {
    if (!this.#show.progress || !this.#visible(metadata)) return;
    const text = progressText(data);
    if (text) this.#step({ kind: "progress", text });
  }

  /**
   * The messages in a node's return value, as LangGraph's `messages` mode finds them
   * (Commands included), and plain `{ role: "assistant" }` objects in its `messages`.
   */
  #returned(output: unknown, visible: boolean, plainToo = false): void {
    if (isCommand(output)) this.#returned(output.update, visible);
    else if (Array.isArray(output)) {
      for (const value of output) {
        if (isCommand(value) || Array.isArray(value)) this.#returned(value, visible, plainToo);
        else this.#message(value, visible, plainToo);
      }
    } else if (isBaseMessage(output)) this.#message(output, visible, false);
    else if (output !== null && typeof output === "object") {
      for (const [key, value] of Object.entries(output)) {
        if (Array.isArray(value)) this.#returned(value, visible, key === "messages");
        else this.#message(value, visible, key === "messages");
      }
    }
  }

  #message(value: unknown, visible: boolean, plainToo: boolean): void {
    // Documents a node returns in its state (a RAG graph's `documents`) are cited.
    if (isDocument(value)) {
      if (visible) this.#cite([value]);
      return;
    }
    const message = isBaseMessage(value) ? value : plainToo ? plainAssistantMessage(value) : undefined;
    if (!message) return;
    if (message.id !== undefined) {
      if (this.#seen.has(message.id)) return;
      this.#seen.add(message.id);
    }
    if (message.getType() !== "ai") return;
    // A message made without a model call we saw (a provider's SDK called directly) still counts.
    this.#count(message);
    if (!visible) return;
    const source = message.id ?? message;
    const messageId = idOf(message);
    if (this.#show.reasoning) this.#think(source, reasoningOf(message), messageId);
    this.#send(source, message.text, messageId);
  }
}
