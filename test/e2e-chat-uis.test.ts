/**
 * Chat UIs other than Open WebUI, replayed as they talk to the server (`chat-ui-clients.ts`):
 * their background requests (titles, summaries, translations...) are answered without a
 * run, whatever the chat is waiting for, and their chats go on as they send them.
 */
import { AIMessage } from "@langchain/core/messages";
import { END, interrupt, MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graph as approval } from "../graphs/approval.js";
import { graph as echo } from "../graphs/echo.js";
import { failsMidway } from "./protocol-graphs/graphs.js";
import { createRegistry, RunTracker } from "../src/index.js";
import { contentText, HistoryChat, NextChat, quoteChat, quotedParagraphs, readSse, type ChatClient } from "./chat-ui-clients.js";
import { startServer, threadCount } from "./helpers.js";

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
      echo,
      "approval-tasks-on-echo": { graph: approval, settings: { tasks: { model: "echo" } } },
      "approval-own-patterns": { graph: approval, settings: { task_patterns: [{ kind: "title", fingerprint: "name this chat in three words", reply: "Email" }] } },
      // Its email takes longer to write than the run may take.
      "approval-cut": { graph: approval, settings: { run_timeout: 0.15 } },
      "approval-cut-notice": { graph: approval, settings: { run_timeout: 0.15, chat_ui: { error_notice: true } } },
      "fails-midway-notice": { graph: failsMidway, settings: { chat_ui: { error_notice: true } } },
    },
    checkpointer,
  );
  server = await startServer({ registry, checkpointer, runs, apiKeys: [{ key: API_KEY, tenant: "ui" }] });
});
afterAll(async () => {
  await server.close();
});

describe("NextChat on the approval graph", () => {
  const chat = () => new NextChat(client("approval"));

  it("leaves the question waiting through the title and summary requests, and the user's own yes sends the email", async () => {
    const nextChat = chat();
    const first = await nextChat.ask("Write an email to the team about the launch");
    expect(first.text).toContain("Subject: The launch");
    expect(first.text).toMatch(/Send this email\? \(yes\/no\)$/);
    const runsBefore = runsStarted;
    const threadsBefore = await threadCount(checkpointer);

    const title = await nextChat.askTitle();
    expect(title.status).toBe(200);
    expect((await title.json()).choices[0].message.content).toBe("Write an email to the team");
    const summary = await readSse(await nextChat.askSummary());
    expect(contentText(summary)).toBe("The user asked: Write an email to the team about the launch");
    // Neither ran the graph, nor touched the thread that waits for the answer.
    expect(runsStarted).toBe(runsBefore);
    expect(await threadCount(checkpointer)).toBe(threadsBefore);

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

  it("keeps a failed graph's error text out of the notice, as out of the error event", async () => {
    const failed = await new NextChat({ ...client("fails-midway-notice"), headers: { "X-Request-Id": "req-notice-1" } }).ask("go");
    const shown = "The graph behind model 'fails-midway-notice' failed (request id req-notice-1); the server's log has the error.";
    expect(failed.chunks.at(-1)).toMatchObject({ error: { code: "graph_error", message: shown } });
    expect(failed.text).toBe(`A partial answer that\n\n⚠️ The answer stopped here: ${shown}`);
    expect(failed.text).not.toContain("disk full");
  });
});

const EMAIL = "Write an email to the team about the launch";
const QUESTION = /Send this email\? \(yes\/no\)$/;
const SENT = 'Sent the email "The launch".';

/** Runs started and threads kept while `during` runs. */
async function footprint(during: () => Promise<void>): Promise<{ runs: number; threads: number }> {
  const [runsBefore, threadsBefore] = [runsStarted, await threadCount(checkpointer)];
  await during();
  return { runs: runsStarted - runsBefore, threads: (await threadCount(checkpointer)) - threadsBefore };
}

describe("LibreChat on the approval graph (a custom endpoint, titles on)", () => {
  it("answers its title request without a run, and its pruned history still answers the question", async () => {
    const libreChat = new HistoryChat(client("approval"), { system: "You are a helpful assistant.", window: 3 });
    expect((await libreChat.ask("Write a hello to the team")).text).toMatch(QUESTION);
    expect((await libreChat.ask("no")).text).toBe("OK, I did not send it.");
    expect((await libreChat.ask(EMAIL)).text).toMatch(QUESTION);
    const title = `Provide a 5-word-or-less title for the conversation, in title case, nothing else.\n\nConversation:\n${quoteChat(libreChat.messages.slice(0, 2), { user: "User", assistant: "AI" })}`;
    const used = await footprint(async () => {
      expect(await libreChat.background([{ role: "user", content: title }])).toBe("Write a hello to the team");
    });
    expect(used).toEqual({ runs: 0, threads: 0 });
    // Pruned to its last 3 messages, the history now starts with an answer.
    expect(libreChat.context()[1]).toMatchObject({ role: "assistant" });
    expect((await libreChat.ask("yes")).text).toBe(SENT);
  });
});

describe("LobeChat on the approval graph", () => {
  it("answers its topic title and translation requests without a run, and the user's yes sends the email", async () => {
    const lobeChat = new HistoryChat(client("approval"), { system: "You are LobeChat, a helpful assistant." });
    const asked = await lobeChat.ask(EMAIL);
    expect(asked.text).toMatch(QUESTION);
    const used = await footprint(async () => {
      const title = await lobeChat.background([
        { role: "system", content: "You summarize chats. Generate a concise title that captures the essence of the conversation, ten words at most." },
        { role: "user", content: quoteChat(lobeChat.messages, { user: "user", assistant: "assistant" }) },
      ]);
      expect(title).toBe("Write an email to the team");
      const translated = await lobeChat.background([
        { role: "system", content: "You are a professional translator. Translate the input text to French; only the translation." },
        { role: "user", content: asked.text },
      ]);
      // No model to translate with: the text comes back as it was (a `tasks` model translates).
      expect(translated).toBe(asked.text);
    });
    expect(used).toEqual({ runs: 0, threads: 0 });
    expect((await lobeChat.ask("yes")).text).toBe(SENT);
  });
});

describe("the other UIs' background requests, asked while the question waits", () => {
  it("answers Chatbox's, Cherry Studio's, big-AGI's and Jan's without a run, and the user's yes still sends the email", async () => {
    const chat = new HistoryChat(client("approval"));
    await chat.ask(EMAIL);
    const quoted = "```\n" + chat.messages.map((message) => message.content).join("\n\n---------\n\n") + "\n```";
    const used = await footprint(async () => {
      // Chatbox: a name for the chat, and whether to search the web first.
      expect(await chat.background([{ role: "user", content: `Please give this conversation a name, briefly.\n\n${quoted}\n\nThe name:` }])).toBe("Write an email to the team");
      expect(
        await chat.background([
          { role: "system", content: "As a professional web researcher who can access latest data, choose search or proceed, as JSON." },
          ...chat.messages,
        ]),
      ).toBe('{"action":"proceed"}');
      // Cherry Studio: the topic's name, and a translation.
      expect(await chat.background([{ role: "system", content: "Summarize the conversation into a title in English, short." }, ...chat.messages])).toBe("Write an email to the team");
      expect(
        await chat.background([{ role: "user", content: "Your only task is to translate text enclosed with <translate_input> into German.\n<translate_input>\nyes\n</translate_input>" }]),
      ).toBe("yes");
      // big-AGI: its title assistant over the last lines.
      const lines = chat.messages.map((message) => `- ${message.role === "user" ? "You" : "Assistant"}: ${message.content.split("\n")[0]}`).join("\n");
      expect(await chat.background([{ role: "system", content: "You are an AI conversation titles assistant." }, { role: "user", content: "```\n" + lines + "\n```" }])).toBe(
        "Write an email to the team",
      );
      // Jan: the first question, quoted.
      expect(await chat.background([{ role: "user", content: `Summarize in a 10-word Title. Give the title only. "${EMAIL}"` }])).toBe("Write an email to the team");
    });
    expect(used).toEqual({ runs: 0, threads: 0 });
    expect((await chat.ask("yes")).text).toBe(SENT);
  });
});

describe("where background requests go, per model", () => {
  it("sends them to the model `tasks` names, on no thread, and the question still waits for the user", async () => {
    const nextChat = new NextChat(client("approval-tasks-on-echo"));
    expect((await nextChat.ask(EMAIL)).text).toMatch(QUESTION);
    const used = await footprint(async () => {
      const title = await nextChat.askTitle();
      expect((await title.json()).choices[0].message.content).toMatch(/^You said: Please generate a four to five word title/);
    });
    expect(used).toEqual({ runs: 1, threads: 0 });
    expect((await nextChat.ask("yes")).text).toBe(SENT);
  });

  it("recognises the operator's own patterns, with their answer", async () => {
    const chat = new HistoryChat(client("approval-own-patterns"));
    await chat.ask(EMAIL);
    expect(await chat.background([...chat.messages, { role: "user", content: "Name this chat in three words." }])).toBe("Email");
    expect((await chat.ask("yes")).text).toBe(SENT);
  });
});

describe("a window of the chat on a named thread", () => {
  it("goes on from the thread's end each turn: no fork, nothing sent twice", async () => {
    const threadId = "windowed-chat";
    const chat = new HistoryChat({ ...client("echo"), headers: { "X-Thread-Id": threadId } }, { system: "Be brief.", window: 2 });
    for (const said of ["one", "two", "three", "four"]) expect((await chat.ask(said)).text).toBe(`You said: ${said}`);
    const thread = `t=ui/${threadId}`;
    const state = await echo.getState({ configurable: { thread_id: thread } });
    expect((state.values.messages as { text: string }[]).map((message) => message.text)).toEqual([
      "Be brief.",
      "one",
      "You said: one",
      "two",
      "You said: two",
      "three",
      "You said: three",
      "four",
      "You said: four",
    ]);
    const parents = new Map<string, number>();
    for await (const tuple of checkpointer.list({ configurable: { thread_id: thread } })) {
      const parent = tuple.parentConfig?.configurable?.checkpoint_id as string | undefined;
      if (parent) parents.set(parent, (parents.get(parent) ?? 0) + 1);
    }
    expect([...parents.values()].filter((children) => children > 1)).toEqual([]);
  });
});
