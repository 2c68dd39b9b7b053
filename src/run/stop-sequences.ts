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
import { advance, prefixFunction } from "../text-search.js";
import type { RunEvent } from "./events.js";

/** OpenAI's limit on how many stop sequences a request may name. */
export const MAX_STOP_SEQUENCES = 4;

/**
 * Our limit on a stop sequence's length: far above any a client sends (`"\n"`,
 * `"</answer>"`, `"Observation:"`), and it bounds the text held back while the answer
 * streams, which is as long as the longest sequence.
 */
export const MAX_STOP_SEQUENCE_LENGTH = 1024;

/**
 * A stop sequence and its prefix function (`text-search.ts`). With it the answer is read
 * once, left to right, each event's text from where the last one ended, whatever the
 * sequence repeats (`"aaaa…b"` against `"aaaa…a"`): the check costs time linear in the
 * text, not in the text times the sequences' length.
 */
interface StopMatcher {
  sequence: string;
  fallback: Int32Array;
  /** How much of the sequence the text read so far ends with. */
  matched: number;
}

function matcherOf(sequence: string): StopMatcher {
  return { sequence, fallback: prefixFunction(sequence), matched: 0 };
}

/** Reads `text` on from the text before it: the index in `text` just past the sequence's first whole occurrence, or -1. */
function feed(matcher: StopMatcher, text: string): number {
  const { end, matched } = advance(matcher.sequence, matcher.fallback, text, matcher.matched);
  matcher.matched = matched;
  return end;
}

/**
 * Where the first stop sequence starts in `held + text` (or -1), `held` being the text
 * held back so far; else how much of its end could begin one, to hold back.
 */
function firstStop(held: string, text: string, matchers: readonly StopMatcher[]): { stop: number; keep: number } {
  let stop = -1;
  let keep = 0;
  for (const matcher of matchers) {
    const end = feed(matcher, text);
    const start = held.length + end - matcher.sequence.length;
    if (end >= 0 && (stop < 0 || start < stop)) stop = start;
    keep = Math.max(keep, matcher.matched);
  }
  return { stop, keep };
}

/** The text of `events` up to the first of `stop`; `events` themselves when there is none. */
export function cutAtStopSequences(events: AsyncIterable<RunEvent>, stop: readonly string[] | undefined): AsyncIterable<RunEvent> {
  const sequences = (stop ?? []).filter((sequence) => sequence !== "");
  return sequences.length === 0 ? events : cut(events, sequences.map(matcherOf));
}

async function* cut(events: AsyncIterable<RunEvent>, matchers: readonly StopMatcher[]): AsyncGenerator<RunEvent> {
  let held = "";
  let stopped = false;
  for await (const event of events) {
    if (stopped) {
      if (event.type === "usage" || event.type === "interrupt") yield event;
      continue;
    }
    if (event.type === "text") {
      const { stop: stopAt, keep } = firstStop(held, event.text, matchers);
      const text = held + event.text;
      if (stopAt >= 0) {
        stopped = true;
        held = "";
        if (stopAt > 0) yield { type: "text", text: text.slice(0, stopAt) };
        continue;
      }
      if (held === "" && keep === 0) {
        // The common case, nothing held before or now: the event as it came, not one built per token.
        if (event.text !== "") yield event;
        continue;
      }
      held = text.slice(text.length - keep);
      if (keep < text.length) yield { type: "text", text: text.slice(0, text.length - keep) };
      continue;
    }
    // Reasoning and steps do not interrupt the answer's text; what ends the answer releases the held text.
    if (held && event.type !== "reasoning" && event.type !== "step" && event.type !== "node_finished" && event.type !== "state_changed") {
      yield { type: "text", text: held };
      held = "";
      for (const matcher of matchers) matcher.matched = 0;
    }
    yield event;
  }
  if (held) yield { type: "text", text: held };
}
