/** The results table, for stdout and for bench/RESULTS.md (between two markers, so notes around it survive). */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import type { Sizes } from "./scenarios.js";

export interface Figure {
  label: string;
  unit: string;
  /** By server name. */
  values: Record<string, number>;
  /** false where a ratio means nothing (differences near zero). */
  ratio?: boolean;
}


function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString("en");
  return value.toFixed(1);
}

/** One row per figure, one column per server, and each server's ratio to `baseline`. */
export function formatTable(figures: Figure[], names: string[], baseline = "floor"): string {
  const others = names.filter((name) => name !== baseline);
  const header = ["Figure", "unit", ...names, ...others.map((name) => `${name} / ${baseline}`)];
  const rows = figures.map((figure) => {
    const base = figure.values[baseline]!;
    const ratios = others.map((name) => {
      const value = figure.values[name]!;
      const ratio = value / base;
      if (figure.ratio === false || !Number.isFinite(ratio)) return "";
      return `${Math.abs(ratio) >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
    });
    return [figure.label, figure.unit, ...names.map((name) => formatNumber(figure.values[name]!)), ...ratios];
  });
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map((_, i) => (i < 2 ? "---" : "--:"))), ...rows.map(line)].join("\n");
}

const root = fileURLToPath(new URL("../", import.meta.url));

function packageVersion(name: string, from = root): string {
  try {
    return (JSON.parse(readFileSync(`${from}/node_modules/${name}/package.json`, "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}

const START = "<!-- bench:results:start -->";
const END = "<!-- bench:results:end -->";

export function writeResults(
  path: string,
  run: { table: string; rounds: number; sizes: Sizes; seconds: number; langgraphApiDir: string | undefined },
): void {
  const cpu = cpus();
  const packages = ["hono", "@hono/node-server", "@langchain/langgraph", "@langchain/core", "zod", "autocannon"]
    .map((name) => `${name} ${packageVersion(name)}`)
    .join(", ");
  const lines = [
    START,
    `Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: ${run.rounds} round(s), ${run.seconds} s in all.`,
    "",
    `- Machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(totalmem() / 1024 ** 3)} GB memory, ${process.platform}`,
    `- Node ${process.version}; ${packages}`,
    run.langgraphApiDir
      ? `- langgraph-api: @langchain/langgraph-api ${packageVersion("@langchain/langgraph-api", run.langgraphApiDir)} from ${run.langgraphApiDir}`
      : "- langgraph-api: not measured (LANGGRAPH_API_DIR unset)",
    `- Sizes: ${run.sizes.connections} connections for ${run.sizes.throughputSeconds} s per round; ${run.sizes.longStreams} long streams, ` +
      `${run.sizes.firstTokenRequests} first-token requests (${run.sizes.firstTokenConcurrency} at a time) and ${run.sizes.slowStreams} slow streams per round per server; ` +
      `leak check over ${run.sizes.leakRequests.toLocaleString("en")} requests`,
    "",
    run.table,
    END,
  ].join("\n");
  const current = existsSync(path) ? readFileSync(path, "utf8") : `# Benchmark results\n\n${START}\n${END}\n`;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  const next = start >= 0 && end > start ? current.slice(0, start) + lines + current.slice(end + END.length) : `${current}\n${lines}\n`;
  writeFileSync(path, next);
}
