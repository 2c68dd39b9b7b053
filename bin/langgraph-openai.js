#!/usr/bin/env node
// LangGraph's version is read before anything imports it: the server's modules import
// names a 0.x copy lacks, which would fail with a SyntaxError instead of one line. A copy
// that cannot be located is left to the server's own loading to report.
const { checkInstalledLangGraph, UnsupportedLangGraphError } = await import("../dist/langgraph-location.js");
try {
  checkInstalledLangGraph();
} catch (error) {
  if (error instanceof UnsupportedLangGraphError) {
    process.stderr.write(`langgraph-openai: ${error.message}\n`);
    process.exit(1);
  }
}

// The server is built JavaScript; graphs may be TypeScript: register tsx's loader for them,
// as LangGraph's CLI does. Both hooks: a `.ts` graph in a package without
// `"type": "module"` loads as CommonJS.
const { register: registerCommonJs } = await import("tsx/cjs/api");
const { register } = await import("tsx/esm/api");
registerCommonJs();
register();
const { main } = await import("../dist/cli.js");
await main(process.argv.slice(2));
