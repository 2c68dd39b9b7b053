import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { interruptAnswer, lineUpHistory, withoutEchoedReasoning } from "../src/threads/align.js";
import { conversationKey, resumableKey } from "../src/threads/conversation-key.js";
import { threadIdOf } from "../src/threads/thread-id.js";

const user = (text: string) => new HumanMessage(text);
const ai = (text: string, toolCalls: { id: string; name: string }[] = []) =>
  new AIMessage({ content: text, tool_calls: toolCalls.map((call) => ({ ...call, args: {} })) });
const tool = (id: string, text: string) => new ToolMessage({ content: text, tool_call_id: id });
/** How many of the client's messages the thread's messages account for. */
const seenOf = (thread: readonly BaseMessage[], client: readonly BaseMessage[]) => lineUpHistory(thread, client)?.seen;

describe("aligning a client's history with a thread's messages", () => {
  it("counts the messages a thread already holds, so only the new turn is sent", () => {
    const thread = [new SystemMessage("Be brief."), user("hi"), ai("Hello!")];
    const client = [new SystemMessage("Be brief."), user("hi"), ai("Hello!"), user("how are you?")];
    expect(seenOf(thread, client)).toBe(3);
    expect(seenOf([], client)).toBe(0);
  });

  it("takes a message sent as one text part and resent as a string for the same message", () => {
    const thread = [new HumanMessage({ content: [{ type: "text", text: "hi" }] }), ai("Hello!")];
    expect(seenOf(thread, [user("hi"), ai("Hello!"), user("bye")])).toBe(2);
    expect(seenOf([user("hi"), ai("Hello!")], [new HumanMessage({ content: [{ type: "text", text: "hi" }] }), ai("Hello!"), user("bye")])).toBe(2);
  });

  it("lines up a thread of 20,000 messages without running out of stack", () => {
    const history = Array.from({ length: 10_000 }, (_, n) => [user(`question ${n}`), ai(`answer ${n}`)]).flat();
    expect(seenOf(history, [...history, user("one more")])).toBe(20_000);
  });

  it("reads one assistant message as a whole agent turn with tool calls the graph ran itself", () => {
    const thread = [
      user("weather in Paris?"),
      ai("Let me check.", [{ id: "call_1", name: "get_weather" }]),
      tool("call_1", "18°C"),
      ai("It is 18°C."),
    ];
    const client = [user("weather in Paris?"), ai("Let me check.\n\nIt is 18°C."), user("and London?")];
    expect(seenOf(thread, client)).toBe(2);
  });

  it("accepts an answer whose streamed text left out a hidden node's message", () => {
    const thread = [user("hi"), ai("internal plan"), ai("Hello!"), ai("summary for later")];
    expect(seenOf(thread, [user("hi"), ai("Hello!"), user("bye")])).toBe(2);
  });

  it("matches tool results the client sends for the tool calls it was given", () => {
    const thread = [user("look it up"), ai("", [{ id: "call_9", name: "search" }]), tool("call_9", "found it")];
    const client = [
      user("look it up"),
      new AIMessage({ content: "", tool_calls: [{ id: "call_9", name: "search", args: {} }] }),
      tool("call_9", "found it"),
      user("thanks"),
    ];
    expect(seenOf(thread, client)).toBe(3);
    expect(seenOf(thread, [...client.slice(0, 2), tool("call_9", "something else")])).toBeUndefined();
  });

  it("reads an interrupt's question and the user's answer inside one turn", () => {
    const thread = [user("send it"), ai("Draft: hello"), ai("Sent.")];
    const client = [user("send it"), ai("Draft: hello\n\nSend this email? (yes/no)"), user("yes"), ai("Sent."), user("thanks")];
    expect(seenOf(thread, client)).toBe(4);
  });

  it("reads an interrupt that asked before the graph wrote anything", () => {
    const thread = [user("delete everything"), ai("Deleted.")];
    const client = [user("delete everything"), ai("Are you sure?"), user("yes"), ai("Deleted."), user("thanks")];
    expect(seenOf(thread, client)).toBe(4);
  });

  it("finds no alignment when the user edited an earlier message", () => {
    const thread = [user("hi"), ai("Hello!"), user("what is 2 + 2?"), ai("4")];
    expect(seenOf(thread, [user("hi"), ai("Hello!"), user("what is 3 + 3?")])).toBeUndefined();
  });

  it("finds no alignment when the client is behind the thread (a regenerated answer)", () => {
    const thread = [user("hi"), ai("Hello!"), user("tell a joke"), ai("A joke.")];
    expect(seenOf(thread, [user("hi"), ai("Hello!"), user("tell a joke")])).toBeUndefined();
  });

  it("finds no alignment when an assistant message was edited", () => {
    const thread = [user("hi"), ai("Hello!")];
    expect(seenOf(thread, [user("hi"), ai("Goodbye!"), user("why?")])).toBeUndefined();
  });
});

describe("aligning the history Open WebUI rewrites each turn", () => {
  const context = '### Task:\nRespond to the user query using the provided context.\n<context>\n<source id="1" name="report.pdf">Sales grew 4%.</source>\n</context>';
  const system = (text: string, id: string) => new SystemMessage({ content: text, id });

  it("takes a question the thread holds with RAG context in front for the same question resent without it", () => {
    const thread = [user(`${context}\nWhat does the report say?`), ai("Sales grew 4% [1].")];
    expect(seenOf(thread, [user("What does the report say?"), ai("Sales grew 4% [1]."), user("And costs?")])).toBe(2);
    // Open WebUI puts it in every text part of a message with images.
    const image = { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } };
    const withImage = (text: string) => new HumanMessage({ content: [{ type: "text", text }, image] });
    expect(seenOf([withImage(`${context}\nWhat is this?`), ai("A chart.")], [withImage("What is this?"), ai("A chart."), user("ok")])).toBe(2);
  });

  it("still tells an edited question from context: only Open WebUI's <source> entries count as context", () => {
    const thread = [user("Summarise this:\nWhat does the report say?"), ai("It says...")];
    expect(seenOf(thread, [user("What does the report say?"), ai("It says..."), user("ok")])).toBeUndefined();
  });

  it("pairs a changed system prompt with the thread's, to replace it rather than fork", () => {
    const before = system("You are helpful. It is 09:00:00 AM.", "sys-1");
    const after = new SystemMessage("You are helpful. It is 09:05:00 AM.");
    const thread = [before, user("hi"), ai("Hello!")];
    const alignment = lineUpHistory(thread, [after, user("hi"), ai("Hello!"), user("and now?")]);
    expect(alignment).toEqual({ seen: 3, changed: [[before, after]] });
    expect(lineUpHistory(thread, [system("You are helpful. It is 09:00:00 AM.", "x"), user("hi"), ai("Hello!"), user("?")])?.changed).toEqual([]);
  });

  it("accounts for a whole history that ends with the thread's own answer (continue the answer)", () => {
    const thread = [user("hi"), ai("Hello! How")];
    expect(seenOf(thread, [user("hi"), ai("Hello! How")])).toBe(2);
  });
});

describe("the answer to a pending interrupt", () => {
  const interrupts = [{ id: "i1", value: { question: "Send this email? (yes/no)" } }];

  it("is the user's message after the assistant message that showed the question", () => {
    const answer = user("yes");
    expect(interruptAnswer([ai("Draft.\n\nSend this email? (yes/no)"), answer], interrupts)).toBe(answer);
    expect(interruptAnswer([answer], interrupts)).toBe(answer);
  });

  it("is not found when the assistant message shows something else", () => {
    expect(interruptAnswer([ai("Something else"), user("yes")], interrupts)).toBeUndefined();
    expect(interruptAnswer([user("a"), ai("b"), user("c")], interrupts)).toBeUndefined();
  });
});

describe("a client that sends a window of the chat", () => {
  const thread = [new SystemMessage("Be brief."), user("one"), ai("1"), user("two"), ai("2")];
  const window = [new SystemMessage("Be brief. A recap: one."), user("two"), ai("2"), user("three")];

  it("lines up with the end of the thread only when asked to, its system prompt taken as seen", () => {
    expect(lineUpHistory(thread, window)).toBeUndefined();
    expect(lineUpHistory(thread, window, { windowed: true })).toEqual({ seen: 3, changed: [] });
  });

  it("still differs from a thread it does not end", () => {
    expect(lineUpHistory(thread, [user("two"), ai("something else"), user("three")], { windowed: true })).toBeUndefined();
    expect(lineUpHistory(thread, [user("one"), ai("1"), user("three")], { windowed: true })).toBeUndefined();
  });
});

describe("the key of a stateless conversation", () => {
  const history = [user("send it"), ai("Send this email? (yes/no)")];

  it("is what the next request derives from its history without the new user message", () => {
    expect(resumableKey("approval", [...history, user("yes")])).toBe(conversationKey("approval", history));
  });

  it("ignores whitespace differences and depends on the model", () => {
    const spaced = [history[0]!, ai("Send this email?  (yes/no)\n")];
    expect(conversationKey("approval", spaced)).toBe(conversationKey("approval", history));
    expect(conversationKey("other", history)).not.toBe(conversationKey("approval", history));
  });

  it("ignores the system prompt, which a chat UI may change between the question and the answer", () => {
    const withTime = (time: string) => [new SystemMessage(`The time is ${time}.`), ...history];
    expect(resumableKey("approval", [...withTime("09:01"), user("yes")])).toBe(conversationKey("approval", withTime("09:00")));
  });

  it("is found from a window of the chat that moved on, as NextChat sends its last 4 messages", () => {
    const earlier = [user("book a room"), ai("Booked room 12."), user("and a table")];
    const asked = ai("Book the table at 8? (yes/no)");
    const windowed = [...earlier, asked].slice(-4);
    expect(resumableKey("approval", [...windowed.slice(-2), user("yes")])).toBe(conversationKey("approval", [...earlier, asked]));
  });

  it("reads an answer sent back with the reasoning the UI showed before it (quoted by NextChat, or in <think> tags)", () => {
    const quoted = [history[0]!, ai("> Drafting the email\nwith a subject\n\n> Done drafting\n\nSend this email? (yes/no)")];
    expect(resumableKey("approval", [...quoted, user("yes")])).toBe(conversationKey("approval", history));
    const tagged = [history[0]!, ai("<think>\nDrafting the email\n</think>\n\nSend this email? (yes/no)")];
    expect(resumableKey("approval", [...tagged, user("yes")])).toBe(conversationKey("approval", history));
    expect(withoutEchoedReasoning("> a quote that is the whole answer")).toBe("");
    expect(withoutEchoedReasoning("An answer\n\n> with a quote in it")).toBe("An answer\n\n> with a quote in it");
  });

  it("is not looked for unless the request answers an assistant message", () => {
    expect(resumableKey("approval", [user("hi")])).toBeUndefined();
    expect(resumableKey("approval", history)).toBeUndefined();
  });
});

describe("the thread id of a request", () => {
  const headers = (values: Record<string, string>) => (name: string) => values[name];

  it("comes from X-Thread-Id, then metadata.thread_id, then X-OpenWebUI-Chat-Id", () => {
    expect(threadIdOf(headers({ "x-thread-id": "a", "x-openwebui-chat-id": "c" }), { thread_id: "b" })).toBe("a");
    expect(threadIdOf(headers({ "x-openwebui-chat-id": "c" }), { thread_id: "b" })).toBe("b");
    expect(threadIdOf(headers({ "x-openwebui-chat-id": "c" }), null)).toBe("c");
    expect(threadIdOf(headers({}), undefined)).toBeUndefined();
  });

  it("reads an empty thread header as absent, as Open WebUI sends one for a chat it has not saved", () => {
    expect(threadIdOf(headers({ "x-thread-id": "" }), undefined)).toBeUndefined();
    expect(threadIdOf(headers({ "x-thread-id": "  ", "x-openwebui-chat-id": "" }), undefined)).toBeUndefined();
    expect(threadIdOf(headers({ "x-thread-id": "", "x-openwebui-chat-id": "c" }), { thread_id: "b" })).toBe("b");
    expect(threadIdOf(headers({ "x-thread-id": "" }), null)).toBeUndefined();
  });

  it("rejects an empty, overlong or reserved id with a 400", () => {
    expect(() => threadIdOf(headers({ "x-thread-id": "__proto__" }), null)).toThrow(/reserved/);
    expect(() => threadIdOf(headers({}), { thread_id: " " })).toThrow(expect.objectContaining({ status: 400, param: "metadata.thread_id" }));
    expect(() => threadIdOf(headers({ "x-thread-id": "x".repeat(300) }), null)).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe("a resent question that looks like RAG context", () => {
  it("is compared in linear time, however many '<source ' it holds", () => {
    const question = "What now?";
    const thread = [new HumanMessage(`${"<source ".repeat(40_000)}\n${question}`), new AIMessage("Something.")];
    const client = [new HumanMessage(question), new AIMessage("Something."), new HumanMessage("And then?")];
    const start = performance.now();
    lineUpHistory(thread, client);
    expect(performance.now() - start).toBeLessThan(250);
  });
});

describe("a long answer against a turn of many AI messages", () => {
  // Tolerant of a busy machine: comparing each message with the answer anew took 7 s here.
  const MAX_MS = 1000;
  const steps = Array.from({ length: 2_000 }, (_, n) => ai(`step ${n}: looked at  the\\nnext part`));
  const timed = (client: BaseMessage[]) => {
    const start = performance.now();
    const seen = seenOf([user("go"), ...steps], client);
    return { seen, ms: performance.now() - start };
  };

  it("reads the answer once, however many messages the turn holds", () => {
    const { seen, ms } = timed([user("go"), ai("word ".repeat(10_000)), user("next")]);
    expect(seen).toBeUndefined();
    expect(ms).toBeLessThan(MAX_MS);
  });

  it("compares in linear time an answer that almost holds every message", () => {
    // V8's includes() takes the product of the lengths for this text and these patterns.
    const turn = Array.from({ length: 2_000 }, (_, n) => ai(`${"a".repeat(n % 50)}b`));
    const start = performance.now();
    expect(seenOf([user("go"), ...turn], [user("go"), ai("a".repeat(50_000)), user("next")])).toBeUndefined();
    expect(performance.now() - start).toBeLessThan(MAX_MS);
  });

  it("still lines up the answer that holds the whole turn", () => {
    const answer = ai(steps.map((step) => step.text).join("\n\n"));
    const { seen, ms } = timed([user("go"), answer, user("next")]);
    expect(seen).toBe(2);
    expect(ms).toBeLessThan(MAX_MS);
  });
});
