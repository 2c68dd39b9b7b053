/**
 * What a graph run says to the user, as it happens: a LangChain callback handler that
 * sees every token of every chat-model call in the run (subgraphs included) and every
 * message a node returns, and turns them into text events in the order they happen.
 *
 * It does the job of LangGraph's `messages` stream mode (`StreamMessagesHandler` in
 * @langchain/langgraph/dist/pregel/messages.js) with the same rules (which calls
 * stream, which node a message belongs to, a message sent once), but a token costs a
 * string rather than an `AIMessageChunk` and a trip through the graph's stream: half
 * the time per token (bench/RESULTS.md).
 */
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import { coerceMessageLikeToMessage, isBaseMessage, type BaseMessage, type UsageMetadata } from "@langchain/core/messages";
import type { ChatGeneration, ChatGenerationChunk, LLMResult } from "@langchain/core/outputs";
import { isCommand } from "@langchain/langgraph";
import { allowManyAbortListeners } from "./abort-listeners.js";
import { noUsage, type Usage } from "./events.js";

/** Whether output of this node reaches the client; `namespace` is its checkpoint namespace, split at `|`. */
export type StreamNodeFilter = (node: string | undefined, namespace: readonly string[]) => boolean;

/** A chat-model call that streams (inside a node, not tagged nostream). */
interface ModelCall {
  /** Its node passes the model's `stream` settings: its text reaches the client. */
  visible: boolean;
  /** It sent tokens; otherwise its answer is sent whole when it ends. */
  streamed: boolean;
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

export interface TokenStreamOptions {
  streams: StreamNodeFilter;
  /** Receives each piece of text for the user, in order; called while the run goes on. */
  onText: (text: string) => void;
}

export class TokenStreamHandler extends BaseCallbackHandler {
  name = "TokenStreamHandler";
  // Called in line, as the model produces each token and as each node ends, so the
  // text comes in the order the run made it; the handler never waits.
  override awaitHandlers = true;
  override ignoreAgent = true;
  override ignoreRetriever = true;
  override ignoreCustomEvent = true;
  /** Makes `invoke()` of a chat model stream its tokens to us, as LangGraph's `messages` mode does. */
  lc_prefer_streaming = true;

  /** The sum of `usage_metadata` over every chat-model call of the run. */
  readonly usage: Usage = noUsage();

  readonly #options: TokenStreamOptions;
  readonly #modelCalls = new Map<string, ModelCall>();
  /** Node runs whose returned messages are looked at, and whether they reach the client. */
  readonly #nodes = new Map<string, boolean>();
  /** Ids of the messages already sent (or hidden by the filter), or which the node's state already held. */
  readonly #seen = new Set<string>();
  /** Ids of the messages whose usage is counted. */
  readonly #counted = new Set<string>();
  /** The model call or message the last text came from: a new one starts a new paragraph. */
  #lastSource: unknown;

  /** Whether any text has been sent yet. */
  get sentText(): boolean {
    return this.#lastSource !== undefined;
  }

  constructor(options: TokenStreamOptions) {
    super();
    this.#options = options;
  }

  #send(source: unknown, text: string): void {
    if (!text) return;
    // Two AI messages in one answer (a ReAct agent's turns) read as two paragraphs.
    if (this.#lastSource !== undefined && this.#lastSource !== source) this.#options.onText("\n\n");
    this.#lastSource = source;
    this.#options.onText(text);
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
    const node = typeof metadata?.langgraph_node === "string" ? metadata.langgraph_node : undefined;
    this.#modelCalls.set(runId, { visible: this.#options.streams(node, namespace), streamed: false });
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
    call.streamed = true;
    // The message's text, not the raw token: some providers pass a tool call's JSON as the token.
    if (call.visible) this.#send(runId, fields?.chunk?.message ? fields.chunk.message.text : token);
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
    if (!call.streamed && !seen && call.visible) this.#send(runId, message.text);
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
    this.#nodes.set(runId, this.#options.streams(runName, namespace));
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
    const visible = this.#nodes.get(runId);
    if (visible === undefined) return;
    this.#nodes.delete(runId);
    this.#returned(outputs, visible);
  }

  override handleChainError(_error: unknown, runId: string): void {
    this.#nodes.delete(runId);
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
    const message = isBaseMessage(value) ? value : plainToo ? plainAssistantMessage(value) : undefined;
    if (!message) return;
    if (message.id !== undefined) {
      if (this.#seen.has(message.id)) return;
      this.#seen.add(message.id);
    }
    if (message.getType() !== "ai") return;
    // A message made without a model call we saw (a provider's SDK called directly) still counts.
    this.#count(message);
    if (visible) this.#send(message.id ?? message, message.text);
  }
}
