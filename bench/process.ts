/**
 * A server under test in its own process: its own event loop (not the load generator's)
 * and memory we can read from /proc. Each child reports its port over IPC and answers
 * memory readings (after a forced GC) the same way.
 */
import { fork, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { YOUNG_GENERATION_FLAG } from "../src/young-generation.js";
import type { ChildMessage, ParentMessage } from "./servers/child.js";

export interface ServerProcess {
  pid: number;
  port: number;
  /** heapUsed and RSS in bytes, after a full GC when `gc` is set. */
  memory(gc: boolean): Promise<{ heapUsed: number; rss: number }>;
  /** The largest RSS since the last reset, in bytes (VmHWM). */
  peakRss(): number;
  currentRss(): number;
  /** CPU seconds (user and system) the process and its children have used: on a busy machine, steadier than wall time. */
  cpuSeconds(): number;
  resetPeakRss(): void;
  /** Profiles the CPU from now until `stopProfile`, which writes the .cpuprofile file. */
  startProfile(): void;
  stopProfile(file: string): Promise<void>;
  stop(): Promise<void>;
}

function statusField(pid: number, field: "VmHWM" | "VmRSS"): number {
  const match = readFileSync(`/proc/${pid}/status`, "utf8").match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"));
  return match ? Number(match[1]) * 1024 : NaN;
}

/** utime and stime, fields 14 and 15 of /proc/PID/stat (after the parenthesised name), in clock ticks of 1/100 s. */
function ownCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The CPU of `pid` and every process under it (a cluster's workers), from /proc. */
function cpuSeconds(pid: number): number {
  const stats = new Map<number, string>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.set(Number(entry), readFileSync(`/proc/${entry}/stat`, "utf8"));
    } catch {
      // Gone meanwhile.
    }
  }
  const parentOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [other, stat] of stats) {
      if (!tree.has(other) && tree.has(parentOf(stat))) {
        tree.add(other);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const member of tree) total += stats.has(member) ? ownCpuSeconds(stats.get(member)!) : 0;
  return total;
}

export async function startServerProcess(file: string, options: { execArgv?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<ServerProcess> {
  const child: ChildProcess = fork(file, [], {
    // Every server gets the young generation `npm start` gives ours (src/young-generation.ts), so that only the code differs.
    execArgv: ["--expose-gc", "--import", "tsx", YOUNG_GENERATION_FLAG, ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`${file} exited with code ${code} before it was ready`)));
    child.on("message", (message: ChildMessage) => {
      if (message.type === "ready") resolve(message.port);
    });
  });
  child.removeAllListeners("exit");
  const pid = child.pid!;
  const send = (message: ParentMessage) => child.send(message);
  return {
    pid,
    port,
    memory: (gc) =>
      new Promise((resolve) => {
        const onMessage = (message: ChildMessage) => {
          if (message.type !== "memory") return;
          child.off("message", onMessage);
          resolve({ heapUsed: message.heapUsed, rss: message.rss });
        };
        child.on("message", onMessage);
        send({ type: "memory", gc });
      }),
    peakRss: () => statusField(pid, "VmHWM"),
    currentRss: () => statusField(pid, "VmRSS"),
    cpuSeconds: () => cpuSeconds(pid),
    // Writing 5 to clear_refs resets the peak RSS (Linux 4.0+).
    resetPeakRss: () => writeFileSync(`/proc/${pid}/clear_refs`, "5"),
    startProfile: () => send({ type: "profile-start" }),
    stopProfile: (file) =>
      new Promise((resolve) => {
        const onMessage = (message: ChildMessage) => {
          if (message.type !== "profiled") return;
          child.off("message", onMessage);
          resolve();
        };
        child.on("message", onMessage);
        send({ type: "profile-stop", file });
      }),
    stop: () =>
      new Promise((resolve) => {
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        child.once("exit", () => {
          clearTimeout(timer);
          resolve();
        });
        send({ type: "exit" });
      }),
  };
}
