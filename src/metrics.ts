/**
 * Prometheus metrics, served at `GET /metrics`. Each app has its own prom-client
 * Registry (never the global one), so several servers in one process do not clash.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { RequestSummary } from "./middleware/request-log.js";
import type { RunTracker } from "./run-tracker.js";

export interface Metrics {
  registry: Registry;
  recordRequest(summary: RequestSummary): void;
}

const SECONDS_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export function createMetrics(runs: RunTracker, options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "langgraph_openai_requests_total",
    help: "HTTP requests answered, by model (empty when none) and status",
    labelNames: ["model", "status"],
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: "langgraph_openai_run_duration_seconds",
    help: "Duration of graph runs, by model and outcome (ok or the error code)",
    labelNames: ["model", "outcome"],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const firstToken = new Histogram({
    name: "langgraph_openai_time_to_first_token_seconds",
    help: "Time from the start of a run to its first token, by model",
    labelNames: ["model"],
    buckets: SECONDS_BUCKETS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: "langgraph_openai_tokens_total",
    help: "Tokens the graphs' model calls reported (usage), by model and kind (prompt or completion)",
    labelNames: ["model", "kind"],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "langgraph_openai_runs_in_flight",
    help: "Graph runs in flight, by model",
    labelNames: ["model"],
    registers: [registry],
  });

  new Gauge({
    name: "langgraph_openai_requests_waiting",
    help: "Requests waiting for a run, mostly for their thread to be free; they hold no run slot",
    registers: [registry],
    collect() {
      this.set(runs.waiting);
    },
  });

  runs.onStart((run) => inFlight.inc({ model: run.model }));
  runs.onEnd((run) => {
    inFlight.dec({ model: run.model });
    runDuration.observe({ model: run.model, outcome: run.error ?? "ok" }, (run.endedAt! - run.startedAt) / 1000);
    if (run.firstTokenAt !== undefined) firstToken.observe({ model: run.model }, (run.firstTokenAt - run.startedAt) / 1000);
    if (run.usage) {
      tokens.inc({ model: run.model, kind: "prompt" }, run.usage.input_tokens);
      tokens.inc({ model: run.model, kind: "completion" }, run.usage.output_tokens);
    }
  });

  return {
    registry,
    recordRequest: (summary) => requests.inc({ model: summary.model ?? "", status: String(summary.status) }),
  };
}
