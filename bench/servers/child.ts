/**
 * The benchmark side of a server child process: tells the parent its port, and answers
 * its requests over IPC (a full GC and a memory reading, or exit), so that no benchmark
 * route has to be added to the server under test.
 */
export type ParentMessage = { type: "memory"; gc: boolean } | { type: "exit" };
export type ChildMessage = { type: "ready"; port: number } | { type: "memory"; heapUsed: number; rss: number };

export function reportReady(port: number, close: () => Promise<void>): void {
  if (!process.send) throw new Error("run this file as a child process of bench/run.ts");
  process.on("message", (message: ParentMessage) => {
    if (message.type === "exit") {
      // process.exit (not a signal) lets --cpu-prof write its profile.
      close().finally(() => process.exit(0));
      return;
    }
    if (message.gc && globalThis.gc) {
      // A few passes: the first frees objects whose finalizers free more.
      for (let pass = 0; pass < 3; pass++) globalThis.gc();
    }
    const { heapUsed, rss } = process.memoryUsage();
    process.send!({ type: "memory", heapUsed, rss } satisfies ChildMessage);
  });
  process.send({ type: "ready", port } satisfies ChildMessage);
}
