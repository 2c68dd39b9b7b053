/**
 * Packages only some users need are installed by the user: the SQLite and Postgres
 * checkpointers and their drivers (optional peers), and `openai` for the test client
 * (not even a peer: a peer range would conflict with the `openai` that other packages'
 * peers bring, and stop a plain `npm i`). They are imported when a feature asks for one,
 * and a missing one is named with the command that installs it, in one line.
 */
import { pathToFileURL } from "node:url";
import { resolve } from "import-meta-resolve";

export class MissingPackageError extends Error {
  override name = "MissingPackageError";
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === "ERR_MODULE_NOT_FOUND";
}

/**
 * Where `name` is: from this package, as its own `import` would find it; else from the
 * folder the server runs in, where the user installed it when `npx` runs a copy of
 * langgraph-openai that the project does not have.
 */
function locate(name: string): string | undefined {
  for (const parent of [import.meta.url, pathToFileURL(`${process.cwd()}/`).href]) {
    try {
      return resolve(name, parent);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return undefined;
}

/**
 * Imports an optional peer. `purpose` finishes "… is not installed; it is needed …",
 * e.g. `for --checkpointer sqlite:PATH`; `install` is what to `npm i` (default: `name`).
 * A package that is there but fails to load throws its own error.
 */
export async function importOptional<T>(name: string, purpose: string, install: string = name): Promise<T> {
  const url = locate(name);
  if (url === undefined) throw new MissingPackageError(`${name} is not installed; it is needed ${purpose}: npm i ${install}`);
  return (await import(url)) as T;
}
