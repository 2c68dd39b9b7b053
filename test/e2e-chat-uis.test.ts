/**
 * Chat UIs other than Open WebUI, replayed as they talk to the server (`chat-ui-clients.ts`):
 * their background requests (titles, summaries, translations...) are answered without a
 * run, whatever the chat is waiting for, and their chats go on as they send them.
 */
import { AIMessage } from "@langchain/core/messages";
import { END, interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph as approval } from "../graphs/approval.js";
import { createRegistry, RunTracker } from "../src/index.js";
import { NextChat, quotedParagraphs, readSse, type ChatClient } from "./chat-ui-clients.js";
import { startServer } from "./helpers.js";

const API_KEY = "sk-ui";
const checkpointer = new MemorySaver();
const runs = new RunTracker();
let runsStarted = 0;
runs.onStart(() => void (runsStarted += 1));
let server: Awaited<ReturnType<typeof startServer>>;
const client = (model: string): ChatClient => ({ url: server.url, apiKey: API_KEY, model });

/** Books what the user asks for: two steps it reports on the way, then a question. */
const booking = new StateGraph(MessagesAnnotation)
  .addNode("look", async (state, config) => {
    const wanted = state.messages.filter((message) => message.getType() === "human").at(-1)?.text ?? "";
    config.writer?.(`Looking for ${wanted.replace(/^book /i, "")}`);
    config.writer?.("Found one free at 8 pm");
    return {};
  })
  .addNode("ask", () => {
    const answer = interrupt<{ question: string }, string>({ question: "Book it for 8 pm? (yes/no)" });
    return { messages: [new AIMessage(/^y/i.test(answer.trim()) ? "Booked for 8 pm." : "Not booked.")] };
  })
  .addEdge(START, "look")
  .addEdge("look", "ask")
  .addEdge("ask", END)
  .compile();

beforeAll(async () => {
  const registry = await createRegistry(
    {
      approval,
      booking,
      // Its email takes longer to write than the run may take.
      "approval-cut": { graph: approval, settings: { run_timeout: 0.15 } },
      "approval-cut-notice": { graph: approval, settings: { run_timeout: 0.15, chat_ui: { error_notice: true } } },
    },
    checkpointer,
  );
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

describe("NextChat's stream, as it shows it and sends it back", () => {
  it("keeps every step inside the quoted reasoning, and the answer after it", async () => {
    const nextChat = new NextChat(client("booking"));
    const { text } = await nextChat.ask("book a table");
    expect(quotedParagraphs(text)).toEqual(["> Looking for a table", "> Found one free at 8 pm"]);
    expect(text.endsWith("\n\nBook it for 8 pm? (yes/no)")).toBe(true);
  });

  it("answers each question of a long chat it sends a window of, with the quoted reasoning echoed back, and no turn lost", async () => {
    const nextChat = new NextChat(client("booking"));
    for (const wanted of ["a table", "a taxi", "a cinema seat", "a hotel room"]) {
      expect((await nextChat.ask(`book ${wanted}`)).text).toContain("Book it for 8 pm? (yes/no)");
      // By the second question NextChat sends only the last 4 messages: the first turns are gone.
      expect([wanted, (await nextChat.ask("yes")).text]).toEqual([wanted, "Booked for 8 pm."]);
    }
    expect(nextChat.messages).toHaveLength(16);
  });
});

describe("a stream that fails, as NextChat shows it (it drops the error event)", () => {
  it("looks complete by default, as OpenAI's wire has it, and says it stopped with the model's error_notice", async () => {
    const cut = await new NextChat(client("approval-cut")).ask("Write an email to the team about the launch");
    expect(cut.chunks.at(-1)).toMatchObject({ error: { code: "run_timeout" } });
    expect(cut.text).toMatch(/^Draft email:/);
    expect(cut.text).not.toContain("stopped");

    const noticed = await new NextChat(client("approval-cut-notice")).ask("Write an email to the team about the launch");
    expect(noticed.chunks.at(-1)).toMatchObject({ error: { code: "run_timeout" } });
    expect(noticed.text).toMatch(/^Draft email:[\s\S]*\n\n⚠️ The answer stopped here: The run of model 'approval-cut-notice' took longer than 0.15 seconds and was stopped\.$/);
  });
});
