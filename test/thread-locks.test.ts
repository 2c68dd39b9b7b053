import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { MemorySaver, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { iterateUntilAborted, untilAborted } from "../src/abortable.js";
import { ClientClosedError, RunTimeoutError, ThreadLockLostError } from "../src/errors.js";
import { fencedSaver } from "../src/threads/lock-fence.js";
import { ThreadLocks } from "../src/threads/locks.js";

const never = new AbortController().signal;

/** Whether `promise` has settled by the time pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("thread locks", () => {
  it("hand a thread to one caller at a time, in the order they came", async () => {
    const locks = new ThreadLocks();
    const order: string[] = [];
    const first = await locks.acquire("t", never);
    const second = locks.acquire("t", never).then((release) => (order.push("second"), release));
    const third = locks.acquire("t", never).then((release) => (order.push("third"), release));
    const otherThread = await locks.acquire("u", never);
    expect(await settled(second)).toBe(false);
    first();
    (await second)();
    (await third)();
    otherThread();
    expect(order).toEqual(["second", "third"]);
  });

  it("let a waiting caller go when its signal aborts, with the signal's reason, and skip it when the thread frees", async () => {
    const locks = new ThreadLocks();
    const first = await locks.acquire("t", never);
    const leaving = new AbortController();
    const abandoned = locks.acquire("t", leaving.signal);
    const next = locks.acquire("t", never);
    leaving.abort(new ClientClosedError());
    await expect(abandoned).rejects.toBeInstanceOf(ClientClosedError);
    expect(await settled(next)).toBe(false);
    first();
    const release = await next;
    // The thread is the next caller's alone: a newcomer waits.
    const newcomer = locks.acquire("t", never);
    expect(await settled(newcomer)).toBe(false);
    release();
    (await newcomer)();
  });

  it("refuse a caller whose signal has already aborted, and ignore a second release", async () => {
    const locks = new ThreadLocks();
    const gone = new AbortController();
    gone.abort(new RunTimeoutError("m", 1));
    await expect(locks.acquire("t", gone.signal)).rejects.toBeInstanceOf(RunTimeoutError);
    const release = await locks.acquire("t", never);
    const next = locks.acquire("t", never);
    release();
    release();
    const nextRelease = await next;
    expect(await settled(locks.acquire("t", never))).toBe(false);
    nextRelease();
  });
});

describe("waiting until aborted", () => {
  it("gives the outcome of the promise, or the signal's reason as soon as it aborts", async () => {
    expect(await untilAborted(Promise.resolve(7), never)).toBe(7);
    await expect(untilAborted(Promise.reject(new Error("boom")), never)).rejects.toThrow("boom");
    const timeout = new AbortController();
    const waiting = untilAborted(new Promise(() => {}), timeout.signal);
    timeout.abort(new RunTimeoutError("m", 2));
    await expect(waiting).rejects.toBeInstanceOf(RunTimeoutError);
  });

  it("stops an iteration whose next item does not come", async () => {
    async function* slow() {
      yield 1;
      await new Promise(() => {});
      yield 2;
    }
    const leaving = new AbortController();
    const seen: number[] = [];
    const iteration = (async () => {
      for await (const item of iterateUntilAborted(slow(), leaving.signal)) {
        seen.push(item);
        leaving.abort(new ClientClosedError());
      }
    })();
    await expect(iteration).rejects.toBeInstanceOf(ClientClosedError);
    expect(seen).toEqual([1]);
  });
});

describe("a checkpointer fenced by a lock that can be lost", () => {
  it("writes while the lock is held, and refuses every write with the loss's reason once it is lost", async () => {
    const saver = new MemorySaver();
    const lost = new AbortController();
    const fenced = fencedSaver(saver, lost.signal);
    const graph = new StateGraph(MessagesAnnotation).addNode("answer", () => ({ messages: [new AIMessage("ok")] })).addEdge(START, "answer").compile();
    const thread = { configurable: { thread_id: "t", __pregel_checkpointer: fenced } };
    await graph.invoke({ messages: [new HumanMessage("one")] }, thread);
    const written = (await saver.getTuple({ configurable: { thread_id: "t" } }))!.checkpoint.id;

    lost.abort(new ThreadLockLostError());
    await expect(graph.invoke({ messages: [new HumanMessage("two")] }, thread)).rejects.toBeInstanceOf(ThreadLockLostError);
    expect((await saver.getTuple({ configurable: { thread_id: "t" } }))!.checkpoint.id).toBe(written);
  });
});
