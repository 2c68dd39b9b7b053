/**
 * Chat UIs other than Open WebUI, replayed as they talk to the server (`chat-ui-clients.ts`):
 * their background requests (titles, summaries, translations...) are answered without a
 * run, whatever the chat is waiting for, and their chats go on as they send them.
 */
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph as approval } from "../graphs/approval.js";
import { createRegistry, RunTracker } from "../src/index.js";
import { NextChat, readSse, type ChatClient } from "./chat-ui-clients.js";
import { startServer } from "./helpers.js";

const API_KEY = "sk-ui";
const checkpointer = new MemorySaver();
const runs = new RunTracker();
let runsStarted = 0;
runs.onStart(() => void (runsStarted += 1));
let server: Awaited<ReturnType<typeof startServer>>;
const client = (model: string): ChatClient => ({ url: server.url, apiKey: API_KEY, model });

beforeAll(async () => {
  const registry = await createRegistry({ approval }, checkpointer);
  server = await startServer({ registry, checkpointer, runs, apiKeys: [{ key: API_KEY, tenant: "ui" }] });
});
afterAll(async () => {
  await server.close();
});

async function threadCount(): Promise<number> {
  const ids = new Set<string>();
  for await (const tuple of checkpointer.list({})) ids.add(tuple.config.configurable?.thread_id);
  return ids.size;
}

describe("NextChat on the approval graph", () => {
  const chat = () => new NextChat(client("approval"));

  it("leaves the question waiting through the title and summary requests, and the user's own yes sends the email", async () => {
    const nextChat = chat();
    const first = await nextChat.ask("Write an email to the team about the launch");
    expect(first.text).toContain("Subject: The launch");
    expect(first.text).toMatch(/Send this email\? \(yes\/no\)$/);
    const runsBefore = runsStarted;
    const threadsBefore = await threadCount();

    const title = await nextChat.askTitle();
    expect(title.status).toBe(200);
    expect((await title.json()).choices[0].message.content).toBe("Write an email to the team");
    const summary = await readSse(await nextChat.askSummary());
    const summaryText = summary.map((chunk) => chunk.choices?.[0]?.delta?.content ?? "").join("");
    expect(summaryText).toBe("The user asked: Write an email to the team about the launch");
    // Neither ran the graph, nor touched the thread that waits for the answer.
    expect(runsStarted).toBe(runsBefore);
    expect(await threadCount()).toBe(threadsBefore);

    const yes = await nextChat.ask("yes");
    expect(yes.text).toBe('Sent the email "The launch".');
  });
});
