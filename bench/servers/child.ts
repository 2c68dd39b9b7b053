/**
 * The benchmark side of a server child process: tells the parent its port, and answers
 * its requests over IPC (a full GC and a memory reading, or exit), so that no benchmark
 * route has to be added to the server under test.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

export type ParentMessage =
  | { type: "memory"; gc: boolean }
  | { type: "profile-start" }
  | { type: "profile-stop"; file: string }
  | { type: "exit" };
export type ChildMessage =
  | { type: "ready"; port: number }
  | { type: "memory"; heapUsed: number; rss: number }
  | { type: "profiled"; file: string };

let session: Session | undefined;

/** A CPU profile of just the load, not of start-up (as --cpu-prof would include). */
async function profile(message: Extract<ParentMessage, { type: "profile-start" | "profile-stop" }>): Promise<void> {
  if (message.type === "profile-start") {
    session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    return;
  }
  const { profile } = await session!.post("Profiler.stop");
  session!.disconnect();
  writeFileSync(message.file, JSON.stringify(profile));
  process.send!({ type: "profiled", file: message.file } satisfies ChildMessage);
}

export function reportReady(port: number): void {
  if (!process.send) throw new Error("run this file as a child process of bench/run.ts");
  process.on("message", (message: ParentMessage) => {
    // Nothing to flush: closing the server first would wait out idle keep-alive sockets.
    if (message.type === "exit") process.exit(0);
    if (message.type === "profile-start" || message.type === "profile-stop") {
      void profile(message);
      return;
    }
    if (message.gc && globalThis.gc) {
      // A few passes: the first frees objects whose finalizers free more.
      for (let pass = 0; pass < 3; pass++) globalThis.gc();
    }
    const { heapUsed, rss } = process.memoryUsage();
    process.send!({ type: "memory", heapUsed, rss } satisfies ChildMessage);
  });
  // If the bench dies, its servers must not live on.
  process.once("disconnect", () => process.exit(0));
  process.send({ type: "ready", port } satisfies ChildMessage);
}
