#!/usr/bin/env node
// Graphs and this package are TypeScript: register tsx's loader, as LangGraph's CLI does.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli.ts");
await main(process.argv.slice(2));
