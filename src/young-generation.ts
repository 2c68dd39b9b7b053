/**
 * V8's young generation, sized for a server with many answers in flight. Every token
 * leaves short-lived objects behind (LangChain's message chunks and callback promises,
 * our event and its SSE text); with 1,000 streams open, Node 20's default 16 MB semi-space
 * fills every few milliseconds while most of what it holds is still in use, so each
 * scavenge copies it and promotes much of it. At 64 MB the server spent a quarter to a
 * third less CPU on 1,000 paced streams, at the same peak memory (bench/RESULTS.md). V8
 * reads the size once, at start-up: it is a flag of the `node` command (`npm start`
 * passes it), not something a running server can change.
 */
export const YOUNG_GENERATION_FLAG = "--max-semi-space-size=64";

/** `execArgv` with the flag, unless it, or NODE_OPTIONS, already sizes the young generation. */
export function withYoungGeneration(execArgv: readonly string[], nodeOptions = process.env.NODE_OPTIONS ?? ""): string[] {
  // V8 takes its flags with dashes or underscores.
  const sized = (option: string) => option.replaceAll("_", "-").startsWith("--max-semi-space-size");
  if (execArgv.some(sized) || nodeOptions.split(/\s+/).some(sized)) return [...execArgv];
  return [...execArgv, YOUNG_GENERATION_FLAG];
}
