/**
 * The tool calls this process is running, for `notifications/cancelled`. The server is
 * stateless (see route.ts): a client's cancellation arrives in a POST of its own, to a
 * server instance that never saw the call, so the call is found here by its owner and
 * its JSON-RPC request id. Clients number their requests alone, so two clients of one
 * owner may both have a call 3 running: a cancellation that could mean either cancels
 * neither, rather than someone else's run.
 */
export type RequestId = string | number;

export class CallsInFlight {
  readonly #calls = new Map<string, Set<AbortController>>();

  #key(owner: string | undefined, requestId: RequestId): string {
    return JSON.stringify([owner ?? null, requestId]);
  }

  /** Notes a running call, whose controller aborts its run; returns what forgets it once the call is over. */
  add(owner: string | undefined, requestId: RequestId, controller: AbortController): () => void {
    const key = this.#key(owner, requestId);
    const calls = this.#calls.get(key) ?? new Set();
    calls.add(controller);
    this.#calls.set(key, calls);
    return () => {
      calls.delete(controller);
      if (calls.size === 0 && this.#calls.get(key) === calls) this.#calls.delete(key);
    };
  }

  /** Aborts the one call of `owner` with this id; true when there was exactly one. */
  cancel(owner: string | undefined, requestId: RequestId): boolean {
    const calls = this.#calls.get(this.#key(owner, requestId));
    if (calls?.size !== 1) return false;
    const [controller] = calls;
    controller!.abort();
    return true;
  }
}
