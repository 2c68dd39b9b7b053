/**
 * Optional peers, loaded by the built package as a user's project has it: found from the
 * package or from the folder the server runs in, named with what to install when missing.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { importOptional, MissingPackageError } from "../src/optional-import.js";

const run = promisify(execFile);
const folder = mkdtempSync(join(tmpdir(), "langgraph-openai-optional-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** A package installed only in `folder`, as a user installs an optional peer in a project that `npx` runs the server in. */
function installInFolder(name: string, source: string): void {
  mkdirSync(join(folder, "node_modules", name), { recursive: true });
  writeFileSync(join(folder, "node_modules", name, "package.json"), JSON.stringify({ name, type: "module", exports: "./index.js" }));
  writeFileSync(join(folder, "node_modules", name, "index.js"), source);
}

/** importOptional from dist/, in a node process whose working folder is `folder`. */
async function importFromFolder(name: string): Promise<string> {
  const script = `import { importOptional } from ${JSON.stringify(resolve("dist/optional-import.js"))};
try { console.log((await importOptional(${JSON.stringify(name)}, "for a test")).answer); } catch (error) { console.log(error.name + ": " + error.message); }`;
  return (await run(process.execPath, ["--input-type=module", "-e", script], { cwd: folder })).stdout.trim();
}

describe("importOptional", () => {
  it("names the package, what needs it and what to npm i when it is not installed", async () => {
    const missing = importOptional("@example/not-installed", "for --checkpointer example:", "@example/not-installed pg");
    await expect(missing).rejects.toThrow(MissingPackageError);
    await expect(missing).rejects.toThrow("@example/not-installed is not installed; it is needed for --checkpointer example:: npm i @example/not-installed pg");
  });

  it("imports a package installed beside this one", async () => {
    const { PostgresSaver } = await importOptional<typeof import("@langchain/langgraph-checkpoint-postgres")>("@langchain/langgraph-checkpoint-postgres", "for a test");
    expect(typeof PostgresSaver.fromConnString).toBe("function");
  });

  it("imports a package installed only in the folder the server runs in", async () => {
    installInFolder("project-only-peer", "export const answer = 'found in the project';");
    expect(await importFromFolder("project-only-peer")).toBe("found in the project");
  });

  it("lets a package that is there but fails to load say why", async () => {
    installInFolder("broken-peer", "throw new Error('the native binding did not build');");
    expect(await importFromFolder("broken-peer")).toBe("Error: the native binding did not build");
  });
});
