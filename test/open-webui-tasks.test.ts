import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { answerTask, titleFrom } from "../src/open-webui/task-answers.js";
import { parseChatHistory, recognizeTask } from "../src/open-webui/tasks.js";
import { choicesInQuestion, interruptChoices } from "../src/run/interrupt-text.js";
import { fillTaskTemplate, PROMPTS, withRagContext, type OpenWebUIMessage } from "./open-webui-client.js";

const chat: OpenWebUIMessage[] = [
  { role: "user", content: "What is the weather in Paris?" },
  { role: "assistant", content: "Let me check the weather in Paris.\nThe weather there today: 18°C and sunny." },
  { role: "user", content: "And what is 12 * 7?\nShow your work." },
  { role: "assistant", content: "12 * 7 = 84." },
];

const task = (template: string, messages = chat, extra?: Record<string, string>) => [new HumanMessage(fillTaskTemplate(template, messages, new Date(), extra))];

describe("Open WebUI's tasks, recognised by their structure", () => {
  it("knows each default task by the JSON its prompt asks for", () => {
    expect(recognizeTask(task(PROMPTS.TITLE_TEMPLATE), undefined)?.kind).toBe("title");
    expect(recognizeTask(task(PROMPTS.TAGS_TEMPLATE), undefined)?.kind).toBe("tags");
    expect(recognizeTask(task(PROMPTS.FOLLOW_UP_TEMPLATE), undefined)?.kind).toBe("follow_ups");
    expect(recognizeTask(task(PROMPTS.QUERY_TEMPLATE), undefined)?.kind).toBe("queries");
    const autocomplete = task(PROMPTS.AUTOCOMPLETE_TEMPLATE, chat, { "{{TYPE}}": "General", "{{PROMPT}}": "The sun was" });
    expect(recognizeTask(autocomplete, undefined)?.kind).toBe("autocomplete");
  });

  it("reads the chat history the prompt quotes, messages over several lines included", () => {
    const recognized = recognizeTask(task(PROMPTS.FOLLOW_UP_TEMPLATE), undefined)!;
    expect(recognized.history).toEqual(chat.map(({ role, content }) => ({ role, text: content })));
    expect(parseChatHistory("USER: hi\nASSISTANT: ")).toEqual([
      { role: "user", text: "hi" },
      { role: "assistant", text: "" },
    ]);
  });

  it("takes a task after the model's own system prompt, as Open WebUI adds it to a workspace model's tasks", () => {
    expect(recognizeTask([new SystemMessage("You are terse."), ...task(PROMPTS.TAGS_TEMPLATE)], undefined)?.kind).toBe("tags");
  });

  it("leaves a chat's own messages alone, the RAG template's `### Task:` included", () => {
    expect(recognizeTask([new HumanMessage("What is the weather in Paris?")], undefined)).toBeUndefined();
    const rag = withRagContext("What does the report say?", [{ name: "report.pdf", text: "Sales grew 4%." }]);
    expect(rag.startsWith("### Task:")).toBe(true);
    expect(recognizeTask([new HumanMessage(rag)], undefined)).toBeUndefined();
    // A conversation that quotes a task prompt is still a conversation.
    expect(recognizeTask([new HumanMessage("hi"), ...task(PROMPTS.TITLE_TEMPLATE)], undefined)).toBeUndefined();
  });

  it("answers an operator's own template with the keys its JSON asks for, empty", () => {
    const custom = "### Task:\nRate the chat.\n### Output:\nJSON format: { \"mood\": \"calm\", \"score\": 3, \"topics\": [\"a\"] }\n<chat_history>\nUSER: hi\n</chat_history>";
    const recognized = recognizeTask([new HumanMessage(custom)], undefined)!;
    expect(recognized.kind).toBe("json");
    expect(JSON.parse(answerTask(recognized))).toEqual({ mood: "", score: 0, topics: [] });
  });

  it("knows Open WebUI's legacy tool choice, and chooses no tool", () => {
    const messages = [
      new SystemMessage('Available Tools: [{"name": "web_search"}]\n\nYour task is to choose and return the correct tool(s)...\n{\n  "tool_calls": []\n}'),
      new HumanMessage("Query: What is the weather in Paris?"),
    ];
    const recognized = recognizeTask(messages, undefined)!;
    expect(recognized.kind).toBe("function_calling");
    expect(JSON.parse(answerTask(recognized))).toEqual({ tool_calls: [] });
  });
});

describe("Open WebUI's tasks, named by the {{TASK}} header", () => {
  it("follows the header over the structure: a task by name, none when it is empty", () => {
    const ownTitlePrompt = [new HumanMessage("Donne un titre à cette conversation :\nUSER: Quel temps fait-il à Paris ?")];
    expect(recognizeTask(ownTitlePrompt, "title_generation")?.kind).toBe("title");
    expect(recognizeTask(task(PROMPTS.TITLE_TEMPLATE), "")).toBeUndefined();
  });

  it("leaves a task that needs a real answer (mixture of agents) to a model", () => {
    expect(recognizeTask([new HumanMessage("Synthesize these responses")], "moa_response_generation")?.kind).toBe("generation");
  });
});

describe("answers to Open WebUI's tasks", () => {
  const answer = (template: string, messages = chat, choices?: string[]) =>
    JSON.parse(answerTask(recognizeTask(task(template, messages), undefined)!, choices));

  it("titles a new chat from its first question, as the prompt's chat history holds it", () => {
    const newChat: OpenWebUIMessage[] = [
      { role: "user", content: "What is the weather in Paris?" },
      { role: "assistant", content: "" },
    ];
    expect(answer(PROMPTS.TITLE_TEMPLATE, newChat)).toEqual({ title: "What is the weather in Paris" });
    expect(titleFrom("## **Plan** a trip to `Lisbon` next spring, please?")).toBe("Plan a trip to Lisbon next");
  });

  it("gives no tags, and the last question as the search query", () => {
    expect(answer(PROMPTS.TAGS_TEMPLATE)).toEqual({ tags: [] });
    expect(answer(PROMPTS.QUERY_TEMPLATE)).toEqual({ queries: ["And what is 12 * 7? Show your work."] });
    expect(answer(PROMPTS.AUTOCOMPLETE_TEMPLATE)).toEqual({ text: "" });
  });

  it("suggests a pending interrupt's answers as follow-ups, and none otherwise", () => {
    expect(answer(PROMPTS.FOLLOW_UP_TEMPLATE, chat, ["yes", "no"])).toEqual({ follow_ups: ["yes", "no"] });
    expect(answer(PROMPTS.FOLLOW_UP_TEMPLATE)).toEqual({ follow_ups: [] });
  });
});

describe("the answers an interrupt offers", () => {
  it("reads the choices a question lists at its end, or in its value", () => {
    expect(choicesInQuestion("Draft ready.\n\nSend this email? (yes/no)")).toEqual(["yes", "no"]);
    expect(choicesInQuestion("Which size? (small | medium | large)")).toEqual(["small", "medium", "large"]);
    expect(choicesInQuestion("I used a tool (the calculator) for this.")).toEqual([]);
    expect(interruptChoices([{ value: { question: "Send this email? (yes/no)", draft: "..." } }])).toEqual(["yes", "no"]);
    expect(interruptChoices([{ value: { question: "Pick one", options: ["red", { label: "green" }, { value: "blue" }] } }])).toEqual(["red", "green", "blue"]);
  });
});

describe("a hostile task prompt", () => {
  /** Each of these took seconds of the event loop (quadratic scans) before. */
  const elapsed = (work: () => unknown) => {
    const start = performance.now();
    work();
    return performance.now() - start;
  };

  it("is read in linear time: open braces, unclosed chat histories, punctuation runs", () => {
    const braces = `### Task:\n<chat_history>\nUSER: hi\n</chat_history>\n${"{".repeat(80_000)}`;
    expect(elapsed(() => recognizeTask([new HumanMessage(braces)], "title_generation"))).toBeLessThan(250);
    const unclosed = `### Task:\n${"<chat_history>".repeat(20_000)}`;
    expect(elapsed(() => recognizeTask([new HumanMessage(unclosed)], undefined))).toBeLessThan(250);
    expect(elapsed(() => titleFrom(`${",".repeat(100_000)}x`))).toBeLessThan(250);
  });

  it("names no task by an Object property: the header 'constructor' is a generation, a key 'constructor' plain JSON", () => {
    expect(recognizeTask([new HumanMessage("### Task:\nwrite")], "constructor")?.kind).toBe("generation");
    const prompt = '### Task:\nAnswer.\n### Output:\nJSON format: { "constructor": 1 }\n<chat_history>\nUSER: hi\n</chat_history>';
    expect(recognizeTask([new HumanMessage(prompt)], undefined)?.kind).toBe("json");
  });
});
