/**
 * `npx tsx bench/cost-per-request.ts [graph ...]`: the CPU one non-streamed request costs
 * our server and the floor, and where it goes, by package. Each server answers the same
 * fixed number of requests (20 connections, after a warm-up) under the CPU profiler;
 * the profile's busy time divided by the requests is what one request cost, whatever
 * else the machine was doing: a steadier figure than requests per second on a shared
 * machine, and one that says where the difference lies. Graphs: echo, short, react
 * (bench/graphs.ts); by default short, the one node that calls a model.
 */
import autocannon from "autocannon";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { openaiProtocol } from "./client.js";
import { packageOf, type CpuProfile } from "./cpu-profile.js";
import { startServerProcess } from "./process.js";

const REQUESTS = 8000;
const WARM_UP = 3000;
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

function place(url: string, functionName: string): string {
  if (functionName === "(garbage collector)") return "GC";
  if (url === "") return "V8 / native";
  const pkg = packageOf(url);
  if (pkg) return pkg;
  if (url.startsWith("node:")) return `node:${url.split("/")[1] ?? ""}`;
  return /\/src\//.test(url) ? "our src/ (and the scripted model)" : url;
}

/** Microseconds of CPU per request, by place, from a profile of `requests` requests. */
function perRequest(file: string, requests: number): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byPlace = new Map<string, number>([["total", 0]]);
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id)!;
    if (frame.functionName === "(idle)") return;
    const micros = (profile.timeDeltas[index] ?? 0) / requests;
    const where = place(frame.url, frame.functionName);
    byPlace.set(where, (byPlace.get(where) ?? 0) + micros);
    byPlace.set("total", byPlace.get("total")! + micros);
  });
  return byPlace;
}

async function profileServer(name: "ours" | "floor", graph: string): Promise<Map<string, number>> {
  const server = await startServerProcess(here(`./servers/${name}.ts`));
  try {
    const { path, body } = openaiProtocol.invoke(graph);
    const load = (amount: number) =>
      autocannon({ url: `http://127.0.0.1:${server.port}${path}`, method: "POST", headers: { "content-type": "application/json" }, body, connections: 20, amount });
    await load(WARM_UP);
    mkdirSync(here("./profiles"), { recursive: true });
    const file = here(`./profiles/${name}-${graph}-per-request.cpuprofile`);
    server.startProfile();
    const result = await load(REQUESTS);
    await server.stopProfile(file);
    if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers and ${result.errors} errors`);
    return perRequest(file, REQUESTS);
  } finally {
    await server.stop();
  }
}

for (const graph of process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["short"]) {
  const ours = await profileServer("ours", graph);
  const floor = await profileServer("floor", graph);
  const places = [...new Set([...ours.keys(), ...floor.keys()])].filter((where) => where !== "total");
  const difference = (where: string) => (ours.get(where) ?? 0) - (floor.get(where) ?? 0);
  const row = (label: string, a: number, b: number, extra = "") => `${label.padEnd(36)}${a.toFixed(0).padStart(8)}${b.toFixed(0).padStart(8)}${extra}`;
  const lines = [
    `\n## ${graph}: µs of CPU per non-streamed request (${REQUESTS} requests, 20 connections)`,
    `${"".padEnd(36)}${"ours".padStart(8)}${"floor".padStart(8)}${"difference".padStart(11)}`,
    row("all", ours.get("total")!, floor.get("total")!, `${difference("total").toFixed(0).padStart(11)}   floor / ours ${(floor.get("total")! / ours.get("total")!).toFixed(2)}×`),
    ...places
      .sort((a, b) => difference(b) - difference(a))
      .slice(0, 12)
      .map((where) => row(where, ours.get(where) ?? 0, floor.get(where) ?? 0, difference(where).toFixed(0).padStart(11))),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
