/** What the bench reads of the `.cpuprofile` files V8's inspector writes (`process.ts`'s `stopProfile`). */

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The npm package a frame's code lives in (`@scope/name` or `name`), or undefined for Node, V8 and our own files. */
export function packageOf(url: string): string | undefined {
  return url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
}
