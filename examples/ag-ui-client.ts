/**
 * An AG-UI front end's side of this server, in a script: `@ag-ui/client`'s HttpAgent runs
 * the example `agent` (its reasoning, tool calls and answer print as they stream), asks it
 * again on the same thread, then runs `approval`, whose interrupt it answers by id.
 *
 *   npm start                                   # in one terminal
 *   npx tsx examples/ag-ui-client.ts            # in another; or give the server's URL
 *
 * With API keys on, set API_KEY: the agent sends it as `Authorization: Bearer ...`.
 */
import { HttpAgent, type AgentSubscriber } from "@ag-ui/client";
import { randomUUID } from "node:crypto";

const base = process.argv[2] ?? "http://127.0.0.1:8000";
const headers: Record<string, string> = process.env.API_KEY ? { Authorization: `Bearer ${process.env.API_KEY}` } : {};

const print: AgentSubscriber = {
  onReasoningMessageContentEvent: ({ event }) => void process.stdout.write(`\x1b[2m${event.delta}\x1b[0m`),
  onTextMessageStartEvent: () => void process.stdout.write("\n"),
  onTextMessageContentEvent: ({ event }) => void process.stdout.write(event.delta),
  onToolCallEndEvent: ({ toolCallName, toolCallArgs }) => void console.log(`\n[calls ${toolCallName} with ${JSON.stringify(toolCallArgs)}]`),
  onToolCallResultEvent: ({ event }) => void console.log(`[${event.toolCallId} returned ${JSON.stringify(event.content)}]`),
  onRunFinishedEvent: () => void process.stdout.write("\n"),
};

function ask(agent: HttpAgent, question: string): Promise<unknown> {
  console.log(`\n> ${question}`);
  agent.addMessage({ id: randomUUID(), role: "user", content: question });
  return agent.runAgent({}, print);
}

// One thread, two runs: the second resends the whole conversation, which the server lines up with its thread.
const weather = new HttpAgent({ url: `${base}/ag-ui/agent`, headers });
await ask(weather, "What's the weather in Paris?");
await ask(weather, "And the weather in London?");

// Human in the loop: the run finishes at an interrupt; the next run answers it by its id.
const approval = new HttpAgent({ url: `${base}/ag-ui/approval`, headers });
await ask(approval, "Write an email about the team picnic");
for (const interrupt of approval.pendingInterrupts) console.log(`[interrupt ${interrupt.id}: ${interrupt.message}] yes`);
const resume = approval.pendingInterrupts.map((interrupt) => ({ interruptId: interrupt.id, status: "resolved" as const, payload: "yes" }));
await approval.runAgent({ resume }, print);
