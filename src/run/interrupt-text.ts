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

/** Longest answer offered as a choice, and most choices: past these it is prose, not a menu. */
const CHOICE_LENGTH = 40;
const MAX_CHOICES = 6;

function asChoices(values: unknown[]): string[] {
  return values
    .map((value) => {
      if (typeof value === "string") return value;
      if (value !== null && typeof value === "object") {
        const { label, value: inner } = value as { label?: unknown; value?: unknown };
        return typeof label === "string" ? label : typeof inner === "string" ? inner : undefined;
      }
      return undefined;
    })
    .filter((choice): choice is string => typeof choice === "string" && choice.trim() !== "")
    .map((choice) => choice.trim());
}

/**
 * The answers a question offers at its end, as in "Send this email? (yes/no)": the
 * choices in the last parentheses, split at `/` or `|`.
 */
export function choicesInQuestion(text: string): string[] {
  const offered = /\(([^()\n]+)\)\s*[?.!:]?\s*$/.exec(text.trim())?.[1];
  if (!offered) return [];
  const choices = offered.split(/\s*[/|]\s*/).map((choice) => choice.trim());
  const usable = choices.length >= 2 && choices.length <= MAX_CHOICES && choices.every((choice) => choice && choice.length <= CHOICE_LENGTH);
  return usable ? choices : [];
}

/**
 * What a person may answer to pending interrupts: the `options` or `choices` listed in an
 * interrupt's value, or those its question offers at its end.
 */
export function interruptChoices(interrupts: readonly Interrupt[]): string[] {
  const choices = interrupts.flatMap(({ value }) => {
    if (value !== null && typeof value === "object") {
      for (const key of ["options", "choices"]) {
        const listed = (value as Record<string, unknown>)[key];
        if (Array.isArray(listed)) return asChoices(listed);
      }
    }
    return choicesInQuestion(interruptText([{ value }]));
  });
  return [...new Set(choices)].slice(0, MAX_CHOICES);
}
