/**
 * This package's own manifest, read at run time: the version `--version` prints and the
 * peer ranges startup checks a graph's LangGraph against. One level up from both
 * `src/` and `dist/`.
 */
import { readFileSync } from "node:fs";

interface Manifest {
  version: string;
  peerDependencies: Record<string, string>;
}

const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as Manifest;

export const PACKAGE_VERSION = manifest.version;

/** The versions of @langchain/langgraph a graph may be built with. */
export const SUPPORTED_LANGGRAPH = manifest.peerDependencies["@langchain/langgraph"]!;
