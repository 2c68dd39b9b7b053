/**
 * The playground page in a real browser (Debian's Chromium, see `browser.ts`), against
 * real servers: the bin serving this repository's example graphs, as a newcomer starts it,
 * and a server of the test's own with an API key and a graph that fails mid-answer.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { MessagesAnnotation, StateGraph } from "@langchain/langgraph";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRegistry } from "../src/index.js";
import { ScriptedChatModel } from "../src/scripted-model.js";
import { launchChromium, screenshot, type Browser } from "./browser.js";
import { docBlocks, startServer } from "./helpers.js";
import { killServerProcesses, startServerProcess, type ServerProcess } from "./server-process.js";

let browser: Browser;
let examples: ServerProcess;
let origin: string;

beforeAll(async () => {
  [browser, examples] = await Promise.all([launchChromium(), startServerProcess([])]);
  origin = new URL(examples.url).origin;
}, 60_000);
afterAll(async () => {
  await browser?.close();
  killServerProcesses();
});

async function openPage(url = origin): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url);
  return page;
}

async function pickModel(page: Page, name: RegExp): Promise<void> {
  await page.getByRole("radio", { name }).check();
  await page.locator("#graph svg").waitFor();
}

async function sendMessage(page: Page, text: string): Promise<void> {
  await page.getByLabel(/^Message/).fill(text);
  await page.getByLabel(/^Message/).press("Enter");
}

/** What the page shows a moment later: a busy machine (the whole suite at once) may take seconds. */
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 15_000 });

const nodeNames = (page: Page) => page.locator("#graph svg g.node text").allTextContents();

/** From now on, the graph's nodes in the order they are highlighted as running. */
async function watchRunningNodes(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { running: string[] }).running = seen;
    new MutationObserver((mutations) => {
      // Records come in batches, after the fact: a node's class just after each change is the
      // old value of its next record, or its class now for its last one.
      const after = new Map<Element, string>();
      const classes = mutations
        .reverse()
        .map((mutation) => {
          const node = mutation.target as Element;
          const value = after.get(node) ?? node.getAttribute("class") ?? "";
          after.set(node, mutation.oldValue ?? "");
          return { name: node.getAttribute("data-node")!, value };
        })
        .reverse();
      for (const { name, value } of classes) if (value.split(" ").includes("running") && seen.at(-1) !== name) seen.push(name);
    }).observe(document.getElementById("graph")!, { attributes: true, attributeFilter: ["class"], attributeOldValue: true, subtree: true });
  });
  return () => page.evaluate(() => (window as unknown as { running: string[] }).running.splice(0));
}

const nodeClass = (page: Page, node: string) => page.locator(`#graph [data-node="${node}"]`).getAttribute("class");

describe("the playground, on the example graphs", { timeout: 60_000 }, () => {
  it("lists every model with its name and description", async () => {
    const page = await openPage();
    const models = page.locator("#model-list label");
    await poll(() => models.count()).toBe(5);
    await poll(() => models.allInnerTexts()).toContainEqual(expect.stringContaining("Email approval"));
    expect(await page.getByRole("radio", { name: /Email approval/ }).textContent()).toBe("");
    expect(await models.filter({ hasText: "Email approval" }).innerText()).toContain("asks you to approve it before sending it");
    await page.close();
  });

  it("draws the chosen model's graph with its nodes named", async () => {
    const page = await openPage();
    await pickModel(page, /Weather agent/);
    await poll(() => nodeNames(page)).toEqual(expect.arrayContaining(["start", "agent", "tools", "end"]));
    await pickModel(page, /Email approval/);
    await poll(() => nodeNames(page)).toEqual(["start", "draft", "approve", "send", "end"]);
    expect(await page.locator("#graph svg path.edge").count()).toBe(6);
    await page.close();
  });

  it("streams an answer, with the agent's steps and tool calls in a collapsible block, its usage and timings", async () => {
    const page = await openPage();
    await pickModel(page, /Weather agent/);
    // Every length the answer's text has had, seen as the page changes.
    await page.evaluate(() => {
      const lengths: number[] = [];
      (window as unknown as { lengths: number[] }).lengths = lengths;
      new MutationObserver(() => {
        const text = document.querySelector("#transcript .message.assistant:last-child .text")?.textContent ?? "";
        if (lengths.at(-1) !== text.length) lengths.push(text.length);
      }).observe(document.getElementById("transcript")!, { childList: true, subtree: true, characterData: true });
    });
    await sendMessage(page, "What's the weather in Paris?");
    const answer = page.locator("#transcript .message.assistant").last();
    await answer.locator(".meta").waitFor();
    expect(await answer.locator(".text").textContent()).toContain("18°C and sunny");
    const lengths = await page.evaluate(() => (window as unknown as { lengths: number[] }).lengths);
    expect(lengths.filter((length) => length > 0).length).toBeGreaterThan(5);
    const steps = answer.locator("details.steps");
    expect(await steps.getAttribute("open")).toBeNull();
    await steps.locator("summary").click();
    expect(await steps.locator("li").allInnerTexts()).toEqual([
      "Step: agent",
      "The user asks about the weather in Paris: get_weather knows it.",
      "Step: tools",
      'Calls get_weather({"city":"Paris"})\n→ 18°C and sunny',
      "Step: agent",
    ]);
    // Each of the agent's messages a paragraph of the answer.
    expect(await answer.locator(".text").innerText()).toMatch(/^Let me check the weather in Paris\. ?\n\nThe weather there today: 18°C and sunny\.$/);
    expect(await nodeClass(page, "tools")).toContain("visited");
    expect(await answer.locator(".meta").innerText()).toMatch(/^\d+ tokens in, \d+ out · first output after \d+ ms · \d+\.\d\d s in all$/);
    await screenshot(page, "agent-answer");
    await page.close();
  });

  it("chats with approval through its interrupt while watching its graph, on one thread", async () => {
    const page = await openPage();
    await pickModel(page, /Email approval/);
    const running = await watchRunningNodes(page);
    await sendMessage(page, "Write an email about the team offsite");
    const interrupt = page.getByRole("region", { name: "The graph asks" });
    await interrupt.waitFor();
    expect(await interrupt.innerText()).toContain("Send this email? (yes/no)");
    // Each node lit up as it ran; the thread waits at `approve`, as its checkpoint says.
    expect(await running()).toEqual(["draft", "approve"]);
    expect(await nodeClass(page, "draft")).toContain("visited");
    expect(await nodeClass(page, "approve")).toContain("waiting");
    const first = page.locator("#transcript .message.assistant").last();
    expect(await first.locator(".text").innerText()).toContain("Subject: The team offsite");
    await first.locator("details.steps summary").click();
    expect(await first.locator("details.steps li").allInnerTexts()).toEqual(["Step: draft", "Step: approve"]);
    await screenshot(page, "approval-interrupt");
    const threadId = await page.locator("#thread-id").innerText();

    await interrupt.getByRole("button", { name: "yes" }).click();
    const answer = page.locator("#transcript .message.assistant").last();
    await answer.locator(".meta").waitFor();
    expect(await answer.locator(".text").innerText()).toBe('Sent the email "The team offsite".');
    expect(await interrupt.isVisible()).toBe(false);
    expect(await page.locator("#thread-id").innerText()).toBe(threadId);
    expect(await running()).toEqual(["approve", "send"]);
    expect(await nodeClass(page, "approve")).not.toContain("waiting");
    expect(await nodeClass(page, "send")).toContain("visited");
    await page.locator("#state summary").click();
    const state = JSON.parse(await page.locator("#state-json").innerText()) as { thread_id: string; next: string[]; values: { messages: { type: string }[] } };
    expect(state.thread_id).toBe(threadId);
    expect(state.next).toEqual([]);
    expect(state.values.messages.map((message) => message.type)).toEqual(["human", "ai", "ai"]);
    await screenshot(page, "approval-sent");
    await page.close();
  });

  it("answers an interrupt in its own words, and continues a thread by id in another tab", async () => {
    const page = await openPage();
    await pickModel(page, /Email approval/);
    await sendMessage(page, "Draft an email about lunch");
    await page.getByRole("region", { name: "The graph asks" }).waitFor();
    const threadId = await page.locator("#thread-id").innerText();
    await page.close();

    const other = await openPage();
    await pickModel(other, /Email approval/);
    await other.getByLabel("Continue a thread by id").fill(threadId);
    await other.getByRole("button", { name: "Continue" }).click();
    const interrupt = other.getByRole("region", { name: "The graph asks" });
    await interrupt.waitFor();
    expect(await other.locator("#transcript .message.user").first().innerText()).toBe("Draft an email about lunch");
    await interrupt.getByLabel("Your answer").fill("no");
    await interrupt.getByLabel("Your answer").press("Enter");
    await poll(() => other.locator("#transcript .message.assistant .text").last().innerText()).toBe("OK, I did not send it.");
    await other.close();
  });

  it("gives the request as curl, openai SDK and ChatOpenAI code that each run as they are, on the page's thread", async () => {
    const page = await openPage();
    await pickModel(page, /^Echo/);
    await page.getByLabel(/^Message/).fill("hello from the snippet");
    await page.locator("#code summary").click();
    const code = page.locator("#code-text");
    const run = promisify(execFile);
    const curl = await code.innerText();
    expect(curl).toContain(`${origin}/v1/chat/completions`);
    expect((await run("sh", ["-c", curl])).stdout).toContain('"content":"You said: hello from the snippet"');
    for (const kind of ["openai", "ChatOpenAI"]) {
      await page.getByLabel("Show the request as").selectOption(kind);
      // Plain JavaScript too, so node runs it from the repository, where both packages are installed.
      const { stdout } = await run(process.execPath, ["--input-type=module", "-e", await code.innerText()]);
      expect(stdout).toBe("You said: hello from the snippet");
    }
    expect(await code.innerText()).toContain(`"X-Thread-Id":"${await page.locator("#thread-id").innerText()}"`);
    await page.getByRole("button", { name: "Copy" }).click();
    await poll(() => page.evaluate(() => navigator.clipboard.readText())).toBe(await code.innerText());
    await page.close();
  });

  it("stops an answer half-way, and the thread takes the next message", async () => {
    const page = await openPage();
    await pickModel(page, /^Chat/);
    await sendMessage(page, "Tell me a long story");
    const answer = page.locator("#transcript .message.assistant").last();
    await poll(() => answer.locator(".text").innerText()).not.toBe("");
    await page.getByRole("button", { name: "Stop" }).click();
    expect(await answer.getByRole("alert").innerText()).toBe("Stopped.");
    expect(await page.getByRole("button", { name: "Stop" }).isDisabled()).toBe(true);
    await sendMessage(page, "Hello again");
    await page.locator("#transcript .message.assistant").nth(1).locator(".meta").waitFor();
    expect(await page.locator("#transcript .message.assistant").nth(1).getByRole("alert").count()).toBe(0);
    await page.close();
  });

  it("is usable from the keyboard: Shift+Enter adds a line, Enter sends", async () => {
    const page = await openPage();
    await pickModel(page, /^Echo/);
    const box = page.getByLabel(/^Message/);
    await box.focus();
    await page.keyboard.type("first line");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("second line");
    expect(await box.inputValue()).toBe("first line\nsecond line");
    await page.keyboard.press("Enter");
    await poll(() => page.locator("#transcript .message.assistant .text").last().innerText()).toBe("You said: first line\nsecond line");
    await page.close();
  });
});

describe("docs/playground.md", () => {
  it("has curl commands for the graph and thread routes that run as written, on the server a newcomer starts", async () => {
    const blocks = docBlocks("docs/playground.md", "sh");
    expect(blocks).toHaveLength(1);
    // One command a line, once the lines a backslash continues are joined.
    const commands = blocks[0]!.replaceAll("http://127.0.0.1:8000", origin).replace(/\\\n/g, " ").trim().split("\n");
    const outputs: Record<string, unknown>[] = [];
    for (const command of commands) outputs.push(JSON.parse((await promisify(execFile)("sh", ["-c", command])).stdout) as Record<string, unknown>);
    const [graph, answer, state] = outputs;
    expect(graph).toMatchObject({ object: "graph", model: "approval" });
    expect(answer).toMatchObject({ object: "chat.completion" });
    expect(state).toMatchObject({ object: "thread.state", thread_id: "lunch", next: ["approve"], question: "Send this email? (yes/no)" });
  });
});

describe("the playground with an API key, and a graph that fails mid-answer", { timeout: 60_000 }, () => {
  const KEY = "sk-playground-test";
  let server: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    const writer = new ScriptedChatModel({ replies: ["Here is the first half of the answer"], tokenDelayMs: 5 });
    const flaky = new StateGraph(MessagesAnnotation)
      .addNode("write", async (state, config) => ({ messages: [await writer.invoke(state.messages, config)] }))
      .addNode("check", () => {
        throw new Error("the fact checker is unreachable");
      })
      .addEdge("__start__", "write")
      .addEdge("write", "check")
      .compile();
    const registry = await createRegistry({ flaky: { graph: flaky, settings: { name: "Flaky", description: "Fails after its first node" } } });
    server = await startServer({ registry, apiKeys: [{ key: KEY }] });
  });
  afterAll(() => server?.close());

  it("shows a 401 plainly, asks for the key once, and keeps it in the tab", async () => {
    const page = await openPage(new URL(server.url).origin);
    const dialog = page.getByRole("dialog", { name: "API key" });
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain("401: You didn't provide an API key.");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await poll(() => page.locator("#model-list .error").innerText()).toMatch(/^401: You didn't provide an API key/);
    await screenshot(page, "401");

    await page.reload();
    await dialog.waitFor();
    await dialog.getByLabel(/needs an API key/).fill("sk-wrong");
    await dialog.getByLabel(/needs an API key/).press("Enter");
    await poll(() => dialog.innerText()).toContain("401: Incorrect API key provided.");
    await dialog.getByLabel(/needs an API key/).fill(KEY);
    await dialog.getByRole("button", { name: "Use this key" }).click();
    await poll(() => page.locator("#model-list label").allInnerTexts()).toEqual([expect.stringContaining("Flaky")]);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([KEY]);

    // The key outlives a reload of the tab: no second question.
    await page.reload();
    await poll(() => page.locator("#model-list label").count()).toBe(1);
    expect(await dialog.isVisible()).toBe(false);
    await page.close();
  });

  it("shows an error in the middle of a stream under the text that came before it", async () => {
    const page = await openPage(new URL(server.url).origin);
    await page.getByRole("dialog", { name: "API key" }).getByLabel(/needs an API key/).fill(KEY);
    await page.getByRole("dialog", { name: "API key" }).getByLabel(/needs an API key/).press("Enter");
    await page.locator("#graph svg").waitFor();
    await sendMessage(page, "Tell me something");
    const answer = page.locator("#transcript .message.assistant").last();
    const error = answer.getByRole("alert");
    await error.waitFor();
    expect(await answer.locator(".text").innerText()).toBe("Here is the first half of the answer");
    expect(await error.innerText()).toMatch(/^The graph behind model 'flaky' failed \(request id [0-9a-f-]{36}\); the server's log has the error\.$/);
    await screenshot(page, "mid-stream-error");
    await page.close();
  });
});
