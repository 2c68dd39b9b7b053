/**
 * Where a copy of @langchain/langgraph is installed and which version it is, read from
 * its package.json without loading it. Nothing here imports LangGraph: the bin asks
 * before it imports the server (whose modules import LangGraph by name, and fail with a
 * bare SyntaxError on a 0.x copy that lacks one of the names), and startup asks before
 * it imports a graph's file.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { resolve } from "import-meta-resolve";
import semver from "semver";
import { SUPPORTED_LANGGRAPH } from "./package-info.js";

const LANGGRAPH = "@langchain/langgraph";

/** Where a LangGraph copy is, before anything of it is loaded. */
export interface LangGraphLocation {
  version: string;
  /** The folder it is installed in. */
  path: string;
  /** Its ES module entry, as `import` from the graph's file resolves it. */
  url: string;
}

export class UnsupportedLangGraphError extends Error {
  override name = "UnsupportedLangGraphError";
}

/** The package folder holding `file`: the nearest package.json named @langchain/langgraph above it. */
function packageFolder(file: string): { path: string; version: string } {
  for (let folder = dirname(file); ; folder = dirname(folder)) {
    try {
      const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { name?: string; version?: string };
      if (manifest.name === LANGGRAPH && manifest.version) return { path: folder, version: manifest.version };
    } catch {
      // No package.json here (or a folder of build output with a partial one): look higher.
    }
    if (dirname(folder) === folder) throw new Error(`no package.json of ${LANGGRAPH} above ${file}`);
  }
}

/** The copy `import "@langchain/langgraph"` in `file` would load, or undefined when there is none. */
export function locateLangGraph(file: string): LangGraphLocation | undefined {
  let url: string;
  try {
    url = resolve(LANGGRAPH, pathToFileURL(file).href);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND") return undefined;
    throw error;
  }
  return { url, ...packageFolder(fileURLToPath(url)) };
}

/** Throws one line naming the version found and the range supported. */
export function checkSupported(location: { version: string; path: string }): void {
  if (semver.satisfies(location.version, SUPPORTED_LANGGRAPH, { includePrerelease: true })) return;
  throw new UnsupportedLangGraphError(
    `${LANGGRAPH} ${location.version} (in ${location.path}) is not supported: langgraph-openai needs ${SUPPORTED_LANGGRAPH}`,
  );
}

/**
 * For the bin, before it imports the server: the copy this package would import and
 * the one the project in `folder` has, each checked. Throws `UnsupportedLangGraphError`.
 */
export function checkInstalledLangGraph(folder: string = process.cwd()): void {
  for (const from of [fileURLToPath(import.meta.url), join(folder, "package.json")]) {
    const location = locateLangGraph(from);
    if (location) checkSupported(location);
  }
}
