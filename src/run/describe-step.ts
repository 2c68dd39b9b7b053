/**
 * A step as a person reads it in a chat UI's "thinking" block: one short line each,
 * whatever the protocol. Arguments and results are cut to a glance; the full values
 * stay in the graph's state.
 */
import type { Step } from "./events.js";

/** Longest view of a tool's arguments or result, in characters. */
export const STEP_VIEW_LENGTH = 160;

function glance(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > STEP_VIEW_LENGTH ? `${line.slice(0, STEP_VIEW_LENGTH - 1)}…` : line;
}

function argumentsView(args: unknown): string {
  if (args === undefined || args === null) return "";
  if (typeof args === "object" && Object.keys(args).length === 0) return "";
  return glance(typeof args === "string" ? args : JSON.stringify(args));
}

/** The step's line, without a newline: each protocol puts its own between steps. */
export function describeStep(step: Step): string {
  switch (step.kind) {
    case "node":
      // A name may end in whitespace; the line does not.
      return `Step: ${step.name}`.trimEnd();
    case "tool_call": {
      const args = argumentsView(step.args);
      return `Calling ${step.name}${args ? ` with ${args}` : ""}`.trimEnd();
    }
    case "tool_result": {
      const output = glance(step.output);
      if (step.failed) return `${step.name} failed${output ? `: ${output}` : ""}`;
      return output ? `${step.name} returned: ${output}` : `${step.name} returned nothing`;
    }
    case "progress":
      return glance(step.text);
  }
}
