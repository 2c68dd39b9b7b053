/**
 * Open WebUI's own shapes on a chat completions stream (its `utils/middleware.py`):
 * a chunk with `choices: []` and a top-level `event` is handed to its event emitter, so a
 * `status` event becomes the status line above the answer, and a `source` event a
 * citation; `delta.annotations` of type `url_citation` become citations too. Strict
 * clients ignore all of these; they are only sent to Open WebUI (see `events` in the
 * model's `open_webui` settings).
 */
import type { Citation, RunEvent } from "../../run/events.js";
import type { Annotation, OpenWebUIEvent } from "./schemas.js";

/** A status line: shown while `done` is false; a `hidden` one clears the line once the wait is over. */
export interface Status {
  description: string;
  done: boolean;
  hidden?: boolean;
}

const WAITING_FOR_THREAD = "Waiting for the previous answer in this chat";
const THINKING = "Thinking";

/** Longest document text sent with a source: Open WebUI shows it in the citation's pop-up. */
const SOURCE_TEXT_LENGTH = 4000;

/**
 * The status line over a run's events: what the answer waits for (its thread, the model,
 * a running tool), cleared as soon as the answer speaks. Open WebUI keeps each status it
 * is sent; the last one decides what shows.
 */
export class StatusLine {
  #pending: string | undefined;
  readonly #runningTools = new Map<string, string>();

  /** The status this event changes the line to, if any. */
  next(event: RunEvent): Status | undefined {
    switch (event.type) {
      case "queued":
        return this.#show(WAITING_FOR_THREAD);
      case "started":
        return this.#show(THINKING);
      case "step":
        if (event.step.kind === "tool_call") {
          this.#runningTools.set(event.step.id, event.step.name);
          return this.#showRunningTools();
        }
        if (event.step.kind === "tool_result") {
          this.#runningTools.delete(event.step.id);
          // With its tools done, the agent waits for its model again.
          return this.#runningTools.size === 0 ? this.#show(THINKING) : this.#showRunningTools();
        }
        return this.#clear();
      case "text":
      case "reasoning":
      case "tool_calls":
        return this.#clear();
      default:
        return undefined;
    }
  }

  /** The run is over: a status still showing is cleared. */
  end(): Status | undefined {
    return this.#clear();
  }

  #showRunningTools(): Status | undefined {
    return this.#show(`Running ${[...new Set(this.#runningTools.values())].join(", ")}`);
  }

  #show(description: string): Status | undefined {
    if (this.#pending === description) return undefined;
    this.#pending = description;
    return { description, done: false };
  }

  #clear(): Status | undefined {
    if (this.#pending === undefined || this.#runningTools.size > 0) return undefined;
    const description = this.#pending;
    this.#pending = undefined;
    return { description, done: true, hidden: true };
  }
}

export function statusEvent(status: Status): OpenWebUIEvent {
  return { type: "status", data: { ...status } };
}

/** A cited web page, placed where the answer's text has reached. */
export function urlAnnotation(citation: Citation & { url: string }, position: number): Annotation {
  return { type: "url_citation", url_citation: { url: citation.url, title: citation.title, start_index: position, end_index: position } };
}

/** A document with no URL: Open WebUI's own `source` event, with the text its citation pop-up shows. */
export function sourceEvent(citation: Citation): OpenWebUIEvent {
  const text = citation.text ?? citation.title;
  return {
    type: "source",
    data: {
      source: { name: citation.title },
      document: [text.length > SOURCE_TEXT_LENGTH ? `${text.slice(0, SOURCE_TEXT_LENGTH - 1)}…` : text],
      metadata: [{ source: citation.title, name: citation.title }],
    },
  };
}
