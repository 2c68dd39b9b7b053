/**
 * `npx tsx bench/profile.ts [ours|floor|bare] [paths]`: CPU profiles of a server (ours by default)
 * under the benchmark's load (after a warm-up), one per path: non-streamed requests under
 * autocannon (the one-node graph with no model, then one that calls a model), 2,000-token
 * streams, and 1,000 paced streams (`paced`; the only one `bare` serves). `paths` picks some,
 * comma-separated. Prints where the time goes, by package and by
 * function (self time), and leaves the .cpuprofile files in bench/profiles/ for
 * Chrome DevTools or speedscope.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openaiProtocol } from "./client.js";
import { packageOf, type CpuProfile } from "./cpu-profile.js";
import { startServerProcess } from "./process.js";
import * as scenarios from "./scenarios.js";
import type { Sizes } from "./scenarios.js";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const which = process.argv[2] ?? "ours";
const paths = new Set((process.argv[3] ?? (which === "bare" ? "paced" : "non-streamed,non-streamed-model-call,2000-token-stream,paced")).split(","));
const sizes: Sizes = {
  throughputSeconds: 10,
  connections: 50,
  longStreams: 15,
  firstTokenRequests: 0,
  firstTokenConcurrency: 1,
  slowStreams: 0,
  pacedStreams: 1000,
  leakRequests: 0,
};

/** Where a frame's code lives: a package, a file of ours, or Node itself. */
function place(url: string): string {
  if (url === "") return "(native / V8)";
  const pkg = packageOf(url);
  if (pkg) return pkg;
  if (url.startsWith("node:")) return url.split("/").slice(0, 2).join("/");
  const ours = url.match(/\/(src|bench)\/(.+)$/);
  return ours ? `${ours[1]}/${ours[2]}` : url;
}

/** A frame's file: within its package, or our own path. */
function detail(url: string): string {
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\/(.*)$/);
  if (pkg) return `${pkg[1]}/${pkg[2]!.replace(/^dist\//, "")}`;
  return place(url);
}

function summarize(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, index) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
  let total = 0;
  const byPlace = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, micros] of selfTime) {
    const { callFrame } = byId.get(id)!;
    if (callFrame.functionName === "(idle)") continue;
    total += micros;
    const where = place(callFrame.url);
    byPlace.set(where, (byPlace.get(where) ?? 0) + micros);
    const name = `${callFrame.functionName || "(anonymous)"}  ${detail(callFrame.url) || where}:${callFrame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  }
  const rows = (map: Map<string, number>, count: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, count)
      .map(([name, micros]) => `  ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`)
      .join("\n");
  return `busy ${(total / 1e6).toFixed(1)} s of CPU\n\nself time by place:\n${rows(byPlace, 15)}\n\nself time by function:\n${rows(byFunction, top)}`;
}

async function profileOne(label: string, measure: (target: scenarios.Target) => Promise<unknown>): Promise<void> {
  if (!paths.has(label)) return;
  const dir = here("./profiles");
  mkdirSync(dir, { recursive: true });
  const file = `${dir}/${which}-${label}.cpuprofile`;
  const server = await startServerProcess(here(`./servers/${which}.ts`));
  const target = { name: which, protocol: openaiProtocol, server };
  try {
    // Warm up first: the profile should show the steady state, not start-up and JIT.
    if (which === "bare") await scenarios.pacedStreams(target, { ...sizes, pacedStreams: 100 });
    else {
      await scenarios.throughput(target, { ...sizes, throughputSeconds: 2 });
      await scenarios.longStream(target, { ...sizes, longStreams: 2 });
    }
    server.startProfile();
    await measure(target);
    await server.stopProfile(file);
  } finally {
    await server.stop();
  }
  process.stdout.write(`\n## ${which}: ${label}\n${summarize(file)}\n`);
}

await profileOne("non-streamed", (target) => scenarios.throughput(target, sizes));
await profileOne("non-streamed-model-call", (target) => scenarios.throughput(target, sizes, sizes.connections, "short"));
await profileOne("2000-token-stream", (target) => scenarios.longStream(target, sizes));
await profileOne("paced", async (target) => {
  const { wall } = await scenarios.pacedStreams(target, sizes);
  process.stdout.write(`\n${sizes.pacedStreams} paced streams: ${(wall / 1000).toFixed(1)} s\n`);
});
