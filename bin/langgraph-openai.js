#!/usr/bin/env node
// The server is built JavaScript; graphs may be TypeScript: register tsx's loader for them,
// as LangGraph's CLI does. Both hooks: a `.ts` graph in a package without
// `"type": "module"` loads as CommonJS.
import { register as registerCommonJs } from "tsx/cjs/api";
import { register } from "tsx/esm/api";

registerCommonJs();
register();
const { main } = await import("../dist/cli.js");
await main(process.argv.slice(2));
