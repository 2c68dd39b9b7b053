/**
 * Every graph run in flight: admission (a global cap and one per model, answered with
 * 429), the per-run timeout, what each run did (time to first token, usage, how it
 * ended) for logs and metrics, and the drain a graceful stop waits for.
 *
 * A request is tracked from the moment it asks for a run: its timeout runs from then,
 * through the wait for its thread, and aborts that wait too. It takes a run slot only
 * once its thread is its own, so requests queued behind a busy thread hold none.
 */
import { performance } from "node:perf_hooks";
import { RateLimitError, RunTimeoutError, ShuttingDownError, toApiError } from "./errors.js";
import { isOutput, type RunEvent, type Usage } from "./run/events.js";
import { tapEvents } from "./run/tap-events.js";
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

export interface TrackedRequest {
  /** What the request's run did, from the request's arrival; settles `ended` however the request ends. */
  record: RunRecord;
  /** Takes a run slot, or throws 429 (503 while stopping); call once the request's thread is its own. */
  admit(): AdmittedRun;
  /** Frees the slot, if one was taken, and stops the timeout; call once the answer is complete, failed or abandoned. Idempotent. */
  end(): void;
}

export interface AdmittedRun {
  record: RunRecord;
  /** Passes the run's events through, noting the first token and the usage. */
  observe(events: AsyncIterable<RunEvent>): AsyncIterableIterator<RunEvent>;
}

type RunListener = (record: RunRecord) => void;

function observe(record: RunRecord, events: AsyncIterable<RunEvent>): AsyncIterableIterator<RunEvent> {
  return tapEvents(events, {
    item(event) {
      if (event.type === "usage") record.usage = event.usage;
      else if (record.firstTokenAt === undefined && isOutput(event)) record.firstTokenAt = performance.now();
    },
    error(error) {
      record.error = toApiError(error).code ?? "error";
    },
  });
}

/** How long a client told "too busy" should wait: runs take seconds, so one is a fair guess. */
const RETRY_AFTER_SECONDS = 1;

export class RunTracker {
  readonly #options: RunTrackerOptions;
  readonly #active = new Map<RunRecord, AbortController>();
  /** Requests not yet admitted: waiting for their thread, or reading it. */
  readonly #waiting = new Set<AbortController>();
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
   * Tracks a request for a run of `entry` (503 while stopping): from now on, the run's
   * timeout aborts `controller` with a RunTimeoutError, which reaches the client.
   */
  track(entry: ModelEntry, controller: AbortController): TrackedRequest {
    this.#refuseWhileStopping();
    const seconds = entry.settings.run_timeout ?? this.#options.runTimeoutSeconds;
    const timer =
      seconds === undefined ? undefined : setTimeout(() => controller.abort(new RunTimeoutError(entry.id, seconds)), seconds * 1000);
    this.#waiting.add(controller);
    let markEnded!: () => void;
    const record: RunRecord = { model: entry.id, startedAt: performance.now(), ended: new Promise((resolve) => (markEnded = resolve)) };
    let admitted = false;

    const admit = (): AdmittedRun => {
      this.#refuseWhileStopping();
      this.#refuseOverCap(entry);
      admitted = true;
      this.#waiting.delete(controller);
      this.#active.set(record, controller);
      this.#perModel.set(entry.id, (this.#perModel.get(entry.id) ?? 0) + 1);
      for (const listener of this.#startListeners) listener(record);
      return { record, observe: (events) => observe(record, events) };
    };

    const end = () => {
      if (record.endedAt !== undefined) return;
      clearTimeout(timer);
      this.#waiting.delete(controller);
      record.endedAt = performance.now();
      markEnded();
      if (!admitted) return;
      this.#active.delete(record);
      this.#perModel.set(entry.id, (this.#perModel.get(entry.id) ?? 1) - 1);
      for (const listener of this.#endListeners) listener(record);
      if (this.#active.size === 0) this.#notifyIdle();
    };

    return { record, admit, end };
  }

  #refuseWhileStopping(): void {
    if (this.#draining) throw new ShuttingDownError();
  }

  #refuseOverCap(entry: ModelEntry): void {
    const global = this.#options.maxConcurrentRuns;
    if (global !== undefined && this.#active.size >= global) {
      throw new RateLimitError(`The server is running ${global} requests at once, its limit; try again shortly.`, RETRY_AFTER_SECONDS);
    }
    const perModel = entry.settings.max_concurrent_runs;
    if (perModel !== undefined && (this.#perModel.get(entry.id) ?? 0) >= perModel) {
      throw new RateLimitError(
        `Model '${entry.id}' is running ${perModel} requests at once, its limit; try again shortly.`,
        RETRY_AFTER_SECONDS,
      );
    }
  }

  /** Requests waiting for a run: for their thread, mostly, holding no slot. */
  get waiting(): number {
    return this.#waiting.size;
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

  /** Aborts every run in flight, and every request waiting for one, with `reason`, which their clients then receive. */
  abortAll(reason: Error): void {
    for (const controller of [...this.#active.values(), ...this.#waiting]) controller.abort(reason);
  }

  #notifyIdle(): void {
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const waiter of waiters) waiter();
  }
}
