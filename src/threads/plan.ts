/**
 * What to send a thread that may already hold part of the conversation: the messages
 * it has not seen, a `Command` that resumes its interrupt with the user's answer, or,
 * when the client's history disagrees with the thread's (an edited or regenerated
 * message), the same from the latest earlier checkpoint that agrees with the client:
 * LangGraph's time travel, so the thread forks there and its state follows the client.
 */
import type { BaseMessage } from "@langchain/core/messages";
import { Command, type StateSnapshot } from "@langchain/langgraph";
import type { Interrupt } from "../protocols/chat-completions/schemas.js";
import type { CompiledGraph } from "../registry.js";
import { alignHistory, interruptAnswer } from "./align.js";

export interface ThreadRunPlan {
  /** `{ messages }` with the messages the thread has not seen, or a resuming `Command`. */
  input: unknown;
  /** Set when the run forks from an earlier checkpoint. */
  checkpointId?: string;
}

function pendingInterrupts(snapshot: StateSnapshot): Interrupt[] {
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

/** Resumes every pending interrupt with the user's answer. */
function resumeCommand(interrupts: Interrupt[], answer: BaseMessage): Command {
  const ids = interrupts.map((interrupt) => interrupt.id);
  const resume = interrupts.length === 1 || ids.some((id) => id === undefined)
    ? answer.text
    : Object.fromEntries(ids.map((id) => [id, answer.text]));
  return new Command({ resume });
}

function planFrom(snapshot: StateSnapshot, client: BaseMessage[]): ThreadRunPlan | undefined {
  const messages = threadMessages(snapshot);
  const seen = alignHistory(messages ?? [], client);
  if (seen === undefined || seen >= client.length) return undefined;
  const rest = client.slice(seen);
  const interrupts = pendingInterrupts(snapshot);
  const answer = interrupts.length > 0 ? interruptAnswer(rest, interrupts) : undefined;
  if (answer) return { input: resumeCommand(interrupts, answer) };
  return { input: { messages: rest } };
}

/**
 * For a client that keeps its conversation on the server and sends only the new input:
 * the thread goes on from its latest checkpoint, or from `checkpointId` (a fork there),
 * and a pending interrupt takes a lone user message as its answer.
 */
export async function planContinuation(
  graph: CompiledGraph,
  threadId: string,
  checkpointId: string | undefined,
  input: BaseMessage[],
): Promise<ThreadRunPlan> {
  const snapshot = await graph.getState({ configurable: { thread_id: threadId, ...(checkpointId && { checkpoint_id: checkpointId }) } });
  const interrupts = pendingInterrupts(snapshot);
  const answer = interrupts.length > 0 ? interruptAnswer(input, interrupts) : undefined;
  return { input: answer ? resumeCommand(interrupts, answer) : { messages: input }, ...(checkpointId && { checkpointId }) };
}

/**
 * For a client that resends the whole conversation: only what the thread has not seen,
 * or a fork from the latest checkpoint that agrees with the client's history.
 */
export async function planThreadRun(graph: CompiledGraph, threadId: string, client: BaseMessage[]): Promise<ThreadRunPlan> {
  const config = { configurable: { thread_id: threadId } };
  const current = await graph.getState(config);
  const plan = planFrom(current, client);
  if (plan) return plan;
  for await (const snapshot of graph.getStateHistory(config)) {
    if (!atRest(snapshot)) continue;
    const earlier = planFrom(snapshot, client);
    const checkpointId = snapshot.config.configurable?.checkpoint_id as string | undefined;
    if (earlier) return { ...earlier, checkpointId };
  }
  return { input: { messages: client } };
}
