/**
 * The client of the paced-streams scenario, in a process of its own: 1,000 SSE readers
 * would otherwise share the bench's event loop with its bookkeeping, and their parsing
 * would delay the arrivals they stamp. Forked by `scenarios.pacedStreams` with its
 * request as the one argument; sends back one summary over IPC.
 */
import { performance } from "node:perf_hooks";
import { gapsOf, openaiProtocol, streamOnce } from "./client.js";

export interface PacedRequest {
  port: number;
  streams: number;
  model: string;
  tokens: number;
}

export interface PacedSummary {
  completed: number;
  /** ms from the first request sent to the last stream's end. */
  wall: number;
  /** ms between consecutive content chunks of a stream, over every stream. */
  gaps: number[];
}

const { port, streams, model, tokens } = JSON.parse(process.argv[2]!) as PacedRequest;
const start = performance.now();
const results = await Promise.all(Array.from({ length: streams }, () => streamOnce(port, openaiProtocol, model).catch(() => undefined)));
const wall = performance.now() - start;
// Whole ms: 100,000 of them go back over IPC.
const gaps = gapsOf(results).map(Math.round);
const completed = results.filter((result) => result?.ok && result.sawEnd && result.arrivals.length === tokens).length;
process.send!({ completed, wall, gaps } satisfies PacedSummary, () => process.exit(0));
