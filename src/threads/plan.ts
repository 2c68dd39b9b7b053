/**
 * What to send a thread that may already hold part of the conversation: the messages
 * it has not seen, a `Command` that resumes its interrupt with the user's answer, or,
 * when the client's history disagrees with the thread's (an edited or regenerated
 * message), the same from the latest earlier checkpoint that agrees with the client:
 * LangGraph's time travel, so the thread forks there and its state follows the client.
 *
 * A changed system prompt does not fork: the new one replaces the thread's in place
 * (the same message id, which LangGraph's messages reducer replaces), so the graph's
 * other state is kept and the graph reads the current prompt. A history that ends with
 * an answer the thread already holds asks to continue it ("Continue response" in Open
 * WebUI): the graph runs again on the thread with no new message.
 */
import { setImmediate } from "node:timers/promises";
import { RemoveMessage, SystemMessage, type BaseMessage } from "@langchain/core/messages";
import { REMOVE_ALL_MESSAGES, type Command, type StateSnapshot } from "@langchain/langgraph";
import { iterateUntilAborted, untilAborted } from "../abortable.js";
import { InvalidRequestError } from "../errors.js";
import type { LangGraphCopy } from "../langgraph-copy.js";
import { refuseThreadGrowth, type CostLimits } from "../limits.js";
import type { Interrupt } from "../run/events.js";
import { jsonSafe } from "../run/json-safe.js";
import type { CompiledGraph } from "../registry.js";
import { interruptAnswer, lineUpHistory, type Alignment } from "./align.js";

export interface ThreadRunPlan {
  /** `{ messages }` with the messages the thread has not seen, or a resuming `Command`. */
  input: unknown;
  /** Set when the run forks from an earlier checkpoint. */
  checkpointId?: string;
}

/** What a client writes into the thread besides messages. */
export interface ThreadWrites {
  /** Answers to pending interrupts by interrupt id, as LangGraph's `Command({ resume })` takes them. */
  resume?: Record<string, unknown>;
  /**
   * State values the client sets, already limited to the keys the model lets it set: only
   * those that differ from the thread's are written (a client sends back the whole state
   * it was sent, and a reducer would add it again).
   */
  state?: Record<string, unknown>;
}

export interface PlanOptions {
  /** The graph's own LangGraph: a resuming Command is made with it. */
  langgraph: LangGraphCopy;
  /** The request's: reading the thread stops waiting when it aborts. */
  signal: AbortSignal;
  /** What the thread may hold once the input is added (`limits.ts`). */
  limits: CostLimits;
}

export function pendingInterrupts(snapshot: StateSnapshot): Interrupt[] {
  return snapshot.tasks.flatMap((task) => task.interrupts.map(({ id, value }) => ({ id, value })));
}

function threadMessages(snapshot: StateSnapshot): BaseMessage[] | undefined {
  const messages = (snapshot.values as Record<string, unknown> | undefined)?.messages;
  return Array.isArray(messages) ? (messages as BaseMessage[]) : undefined;
}

/** A checkpoint a conversation can continue from: a finished run, an interrupt, or the thread's start. */
function atRest(snapshot: StateSnapshot): boolean {
  return snapshot.next.length === 0 || pendingInterrupts(snapshot).length > 0 || snapshot.metadata?.step === -1;
}

/** Resumes every pending interrupt with the user's answer, in a Command of the graph's own LangGraph, writing `messages` (a changed system prompt) and `state` on the way. */
function resumeCommand(langgraph: LangGraphCopy, interrupts: Interrupt[], answer: BaseMessage, messages: BaseMessage[] = [], state: Record<string, unknown> = {}): Command {
  const ids = interrupts.map((interrupt) => interrupt.id);
  const resume = interrupts.length === 1 || ids.some((id) => id === undefined)
    ? answer.text
    : Object.fromEntries(ids.map((id) => [id, answer.text]));
  const update = { ...state, ...(messages.length > 0 && { messages }) };
  return new langgraph.Command({ resume, ...(Object.keys(update).length > 0 && { update }) });
}

/** The client's new system prompts, each under the id of the thread's message it replaces. */
function replacements(changed: Alignment["changed"]): BaseMessage[] {
  return changed.map(([thread, client]) => new SystemMessage({ content: client.content, id: thread.id }));
}

/** The client's state values that differ from the thread's, compared as JSON. */
function changedState(snapshot: StateSnapshot, state: Record<string, unknown> | undefined): Record<string, unknown> {
  const values = (snapshot.values ?? {}) as Record<string, unknown>;
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state ?? {})) {
    const current = Object.hasOwn(values, key) ? values[key] : undefined;
    if (JSON.stringify(jsonSafe(current)) !== JSON.stringify(value)) changed[key] = value;
  }
  return changed;
}

/** The answers of `resume` for the thread's pending interrupts, written with the client's new messages and state. */
function planResume(snapshot: StateSnapshot, client: BaseMessage[], writes: ThreadWrites, { langgraph, limits }: PlanOptions): ThreadRunPlan {
  const pending = new Set(pendingInterrupts(snapshot).map((interrupt) => interrupt.id));
  const unknown = Object.keys(writes.resume ?? {}).find((id) => !pending.has(id));
  if (unknown !== undefined) throw new InvalidRequestError(`Invalid 'resume': the thread has no pending interrupt '${unknown}'.`, "resume");
  const messages = threadMessages(snapshot) ?? [];
  const alignment = lineUpHistory(messages, client);
  if (!alignment) throw new InvalidRequestError("Invalid 'resume': the messages sent are not the thread's, which waits at its interrupt.", "resume");
  const rest = client.slice(alignment.seen);
  refuseThreadGrowth(messages, rest, limits);
  const update = { ...changedState(snapshot, writes.state), messages: [...replacements(alignment.changed), ...rest] };
  return { input: new langgraph.Command({ resume: writes.resume, update }) };
}


function planFrom(snapshot: StateSnapshot, client: BaseMessage[], { langgraph, limits }: PlanOptions, writes: ThreadWrites, windowed = false): ThreadRunPlan | undefined {
  const messages = threadMessages(snapshot) ?? [];
  const alignment = lineUpHistory(messages, client, { windowed });
  if (!alignment) return undefined;
  const replaced = replacements(alignment.changed);
  const rest = client.slice(alignment.seen);
  const state = changedState(snapshot, writes.state);
  if (rest.length === 0) {
    // The thread holds the whole history: continuing its last answer (or, with no history, running on the state
    // the client changed), or nothing to do (a fork finds the turn to redo).
    const last = client.at(-1)?.getType();
    const goesOn = last === "ai" || (last === undefined && Object.keys(state).length > 0);
    return goesOn ? { input: { ...state, messages: replaced } } : undefined;
  }
  const interrupts = pendingInterrupts(snapshot);
  const answer = interrupts.length > 0 ? interruptAnswer(rest, interrupts) : undefined;
  refuseThreadGrowth(messages, answer ? [] : rest, limits);
  if (answer) return { input: resumeCommand(langgraph, interrupts, answer, replaced, state) };
  return { input: { ...state, messages: [...replaced, ...rest] } };
}

/** The id of the system message that instructions for one request become (the Responses API's `instructions`). */
export const INSTRUCTIONS_MESSAGE_ID = "instructions";

/**
 * The messages that make a thread's instructions those of this request, as OpenAI
 * documents `instructions`: never carried over to the next response. The same
 * instructions change nothing; others replace them in place (LangGraph's messages
 * reducer replaces a message with the same id); none removes them; a thread that had
 * none gets them first, by rewriting its messages behind them.
 */
export function instructionsEdit(messages: readonly BaseMessage[], instructions: string | null): BaseMessage[] {
  const current = messages.find((message) => message.id === INSTRUCTIONS_MESSAGE_ID);
  if (instructions === null) return current ? [new RemoveMessage({ id: INSTRUCTIONS_MESSAGE_ID })] : [];
  const message = new SystemMessage({ id: INSTRUCTIONS_MESSAGE_ID, content: instructions });
  if (current) return current.text === instructions ? [] : [message];
  if (messages.length === 0) return [message];
  return [new RemoveMessage({ id: REMOVE_ALL_MESSAGES }), message, ...messages];
}

/**
 * For a client that keeps its conversation on the server and sends only the new input:
 * the thread goes on from its latest checkpoint, or from `checkpointId` (a fork there),
 * and a pending interrupt takes a lone user message as its answer. `instructions`
 * (a string, or null for none) replace the thread's earlier ones for this run; a run
 * that resumes an interrupt goes on where it stopped, with the instructions it had.
 */
export async function planContinuation(
  graph: CompiledGraph,
  threadId: string,
  checkpointId: string | undefined,
  input: BaseMessage[],
  options: PlanOptions & { instructions?: string | null },
): Promise<ThreadRunPlan> {
  const { langgraph, signal, limits, instructions } = options;
  const latest = await untilAborted(graph.getState({ configurable: { thread_id: threadId } }), signal);
  // Naming the latest checkpoint is going on, not a fork: LangGraph would write a fork checkpoint first.
  const fork = checkpointId !== undefined && latest.config.configurable?.checkpoint_id !== checkpointId ? { checkpointId } : {};
  const snapshot = fork.checkpointId
    ? await untilAborted(graph.getState({ configurable: { thread_id: threadId, checkpoint_id: fork.checkpointId } }), signal)
    : latest;
  const interrupts = pendingInterrupts(snapshot);
  const answer = interrupts.length > 0 ? interruptAnswer(input, interrupts) : undefined;
  const held = threadMessages(snapshot) ?? [];
  refuseThreadGrowth(held, answer ? [] : input, limits);
  if (answer) return { input: resumeCommand(langgraph, interrupts, answer), ...fork };
  const edit = instructions === undefined ? [] : instructionsEdit(held, instructions);
  return { input: { messages: [...edit, ...input] }, ...fork };
}

/**
 * How many of a thread's latest checkpoints a fork search reads back. Every step of a
 * run writes one, and reading one back revives its whole state: a search through all of
 * them took seconds a request on a thread of thousands of steps, or one forked again and
 * again. This reaches an edit a few turns back in a chat, or an agent's tool steps in
 * the last turn; a history that agrees with none of them starts over (see below).
 */
export const MAX_FORK_CHECKPOINTS = 64;

/**
 * For a client that resends the whole conversation (or the window of it a chat UI keeps):
 * only what the thread has not seen, or a fork from the latest checkpoint that agrees
 * with the client's history (among the last `MAX_FORK_CHECKPOINTS`); else the client's
 * whole history as new. With `resume`, the thread must wait at those interrupts and hold
 * the client's history: the run answers them, never a fork.
 */
export async function planThreadRun(graph: CompiledGraph, threadId: string, client: BaseMessage[], options: PlanOptions & ThreadWrites): Promise<ThreadRunPlan> {
  const config = { configurable: { thread_id: threadId } };
  const current = await untilAborted(graph.getState(config), options.signal);
  if (options.resume && Object.keys(options.resume).length > 0) return planResume(current, client, options, options);
  // A client that sends a window of the chat goes on from the thread's end, rather than forking at its start.
  const plan = planFrom(current, client, options, options) ?? planFrom(current, client, options, options, true);
  if (plan) return plan;
  const latest = current.config.configurable?.checkpoint_id;
  const history = graph.getStateHistory(config, { limit: MAX_FORK_CHECKPOINTS });
  for await (const snapshot of iterateUntilAborted(history, options.signal)) {
    // Reading a checkpoint back revives its whole state: other requests go first between them.
    await setImmediate();
    const checkpointId = snapshot.config.configurable?.checkpoint_id as string | undefined;
    // The latest checkpoint is `current`, lined up with the client's history above.
    if (checkpointId === latest || !atRest(snapshot)) continue;
    const earlier = planFrom(snapshot, client, options, options);
    if (earlier) return { ...earlier, checkpointId };
  }
  refuseThreadGrowth([], client, options.limits);
  return { input: { ...changedState(current, options.state), messages: client } };
}
