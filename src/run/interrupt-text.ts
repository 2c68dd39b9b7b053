import type { Interrupt } from "./events.js";

/** What a person reads when a graph stops at `interrupt(value)`. */
export function interruptText(interrupts: readonly Interrupt[]): string {
  return interrupts
    .map(({ value }) => {
      if (typeof value === "string") return value;
      if (value !== null && typeof value === "object") {
        for (const key of ["question", "message", "text", "prompt"]) {
          const field = (value as Record<string, unknown>)[key];
          if (typeof field === "string") return field;
        }
      }
      return "```json\n" + JSON.stringify(value, null, 2) + "\n```";
    })
    .join("\n\n");
}
