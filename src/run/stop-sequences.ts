/**
 * Stop sequences, kept by the server itself: the answer's text ends before the first
 * one, as OpenAI's does ("the returned text will not contain the stop sequence"),
 * whether or not the graph's models were told about them (`bindChatRequest` tells
 * them). Every protocol renders the cut events, so streamed and non-streamed answers
 * end at the same place, and the finish is a plain stop.
 *
 * A sequence may arrive split over several text events: the end of the text that could
 * be the start of one is held back until the next text shows whether it is. After a
 * stop, the run's other output (tool calls, a cut at the token limit, reasoning, steps)
 * is dropped, as a model that stopped would not have made it; its usage and a pending
 * interrupt still count. The graph itself runs to its end, so its state stays whole.
 */
import type { RunEvent } from "./events.js";

/** Where the first stop sequence starts in `text`, or -1. */
function firstStop(text: string, sequences: readonly string[]): number {
  let first = -1;
  for (const sequence of sequences) {
    const index = text.indexOf(sequence);
    if (index >= 0 && (first < 0 || index < first)) first = index;
  }
  return first;
}

/** How many characters at the end of `text` could begin a stop sequence. */
function heldLength(text: string, sequences: readonly string[]): number {
  let held = 0;
  for (const sequence of sequences) {
    for (let length = Math.min(sequence.length - 1, text.length); length > held; length--) {
      if (text.endsWith(sequence.slice(0, length))) {
        held = length;
        break;
      }
    }
  }
  return held;
}

/** The text of `events` up to the first of `stop`; `events` themselves when there is none. */
export function cutAtStopSequences(events: AsyncIterable<RunEvent>, stop: readonly string[] | undefined): AsyncIterable<RunEvent> {
  const sequences = (stop ?? []).filter((sequence) => sequence !== "");
  return sequences.length === 0 ? events : cut(events, sequences);
}

async function* cut(events: AsyncIterable<RunEvent>, sequences: readonly string[]): AsyncGenerator<RunEvent> {
  let held = "";
  let stopped = false;
  for await (const event of events) {
    if (stopped) {
      if (event.type === "usage" || event.type === "interrupt") yield event;
      continue;
    }
    if (event.type === "text") {
      const text = held + event.text;
      const stopAt = firstStop(text, sequences);
      if (stopAt >= 0) {
        stopped = true;
        held = "";
        if (stopAt > 0) yield { type: "text", text: text.slice(0, stopAt) };
        continue;
      }
      const keep = heldLength(text, sequences);
      held = text.slice(text.length - keep);
      if (keep < text.length) yield { type: "text", text: text.slice(0, text.length - keep) };
      continue;
    }
    // Reasoning and steps do not interrupt the answer's text; what ends the answer releases the held text.
    if (held && event.type !== "reasoning" && event.type !== "step" && event.type !== "node_finished" && event.type !== "state_changed") {
      yield { type: "text", text: held };
      held = "";
    }
    yield event;
  }
  if (held) yield { type: "text", text: held };
}
