/**
 * Every graph run in flight: admission (a global cap and one per model, answered with
 * 429), the per-run timeout, what each run did (time to first token, usage, how it
 * ended) for logs and metrics, and the drain a graceful stop waits for.
 */
import { performance } from "node:perf_hooks";
import { RateLimitError, RunTimeoutError, ServiceUnavailableError, toApiError } from "./errors.js";
import { isOutput, type RunEvent, type Usage } from "./run/events.js";
import type { ModelEntry } from "./registry.js";

export interface RunTrackerOptions {
  /** Runs at once over every model; unlimited when absent. */
  maxConcurrentRuns?: number;
  /** Seconds a run may take, unless its model's `run_timeout` says otherwise; unlimited when absent. */
  runTimeoutSeconds?: number;
}

/** What one run did, filled in as it goes. Times are `performance.now()` milliseconds. */
export interface RunRecord {
  model: string;
  startedAt: number;
  firstTokenAt?: number;
  endedAt?: number;
  usage?: Usage;
  /** The error `code` the run ended with (`run_timeout`, `client_closed`, `graph_error`...). */
  error?: string;
  /** Settles when the run has ended, however it ended. */
  ended: Promise<void>;
}

export interface ActiveRun {
  record: RunRecord;
  /** Passes the run's events through, noting the first token and the usage. */
  observe(events: AsyncIterable<RunEvent>): AsyncGenerator<RunEvent>;
  /** Frees the run's slot; call once the answer is complete, failed or abandoned. Idempotent. */
  end(): void;
}

type RunListener = (record: RunRecord) => void;

/** How long a client told "too busy" should wait: runs take seconds, so one is a fair guess. */
const RETRY_AFTER_SECONDS = 1;

export class RunTracker {
  readonly #options: RunTrackerOptions;
  readonly #active = new Map<RunRecord, AbortController>();
  readonly #perModel = new Map<string, number>();
  readonly #startListeners: RunListener[] = [];
  readonly #endListeners: RunListener[] = [];
  #idleWaiters: (() => void)[] = [];
  #draining = false;

  constructor(options: RunTrackerOptions = {}) {
    this.#options = options;
  }

  onStart(listener: RunListener): void {
    this.#startListeners.push(listener);
  }

  onEnd(listener: RunListener): void {
    this.#endListeners.push(listener);
  }

  /**
   * Admits a run of `entry` or throws 429 (or 503 while stopping). The run's timeout
   * aborts `controller` with a RunTimeoutError, which run.ts rethrows to the client.
   */
  admit(entry: ModelEntry, controller: AbortController): ActiveRun {
    if (this.#draining) throw new ServiceUnavailableError("The server is shutting down; try again shortly.", RETRY_AFTER_SECONDS);
    const global = this.#options.maxConcurrentRuns;
    if (global !== undefined && this.#active.size >= global) {
      throw new RateLimitError(`The server is running ${global} requests at once, its limit; try again shortly.`, RETRY_AFTER_SECONDS);
    }
    const running = this.#perModel.get(entry.id) ?? 0;
    const perModel = entry.settings.max_concurrent_runs;
    if (perModel !== undefined && running >= perModel) {
      throw new RateLimitError(
        `Model '${entry.id}' is running ${perModel} requests at once, its limit; try again shortly.`,
        RETRY_AFTER_SECONDS,
      );
    }

    let markEnded!: () => void;
    const record: RunRecord = {
      model: entry.id,
      startedAt: performance.now(),
      ended: new Promise((resolve) => (markEnded = resolve)),
    };
    this.#active.set(record, controller);
    this.#perModel.set(entry.id, running + 1);
    for (const listener of this.#startListeners) listener(record);

    const seconds = entry.settings.run_timeout ?? this.#options.runTimeoutSeconds;
    const timer =
      seconds === undefined ? undefined : setTimeout(() => controller.abort(new RunTimeoutError(entry.id, seconds)), seconds * 1000);

    const end = () => {
      if (record.endedAt !== undefined) return;
      clearTimeout(timer);
      record.endedAt = performance.now();
      this.#active.delete(record);
      this.#perModel.set(entry.id, (this.#perModel.get(entry.id) ?? 1) - 1);
      for (const listener of this.#endListeners) listener(record);
      markEnded();
      if (this.#active.size === 0) this.#notifyIdle();
    };

    async function* observe(events: AsyncIterable<RunEvent>): AsyncGenerator<RunEvent> {
      try {
        for await (const event of events) {
          if (event.type === "usage") record.usage = event.usage;
          else if (record.firstTokenAt === undefined && isOutput(event)) record.firstTokenAt = performance.now();
          yield event;
        }
      } catch (error) {
        record.error = toApiError(error).code ?? "error";
        throw error;
      }
    }

    return { record, observe, end };
  }

  /** Refuses new runs from now on (503), for a graceful stop. */
  stopAdmitting(): void {
    this.#draining = true;
  }

  /** Resolves true once no run is in flight, or false after `timeoutMs`. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.#active.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#idleWaiters = this.#idleWaiters.filter((waiter) => waiter !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.#idleWaiters.push(done);
    });
  }

  /** Aborts every run in flight with `reason`, which their clients then receive. */
  abortAll(reason: Error): void {
    for (const controller of this.#active.values()) controller.abort(reason);
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
