#!/usr/bin/env node
// Graphs and this package are TypeScript: register tsx's loader, as LangGraph's CLI does.
// Both hooks: a `.ts` graph in a package without `"type": "module"` loads as CommonJS.
import { register as registerCommonJs } from "tsx/cjs/api";
import { register } from "tsx/esm/api";

registerCommonJs();
register();
const { main } = await import("../src/cli.js");
await main(process.argv.slice(2));
