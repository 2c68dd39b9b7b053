/**
 * The secret response ids are signed with. An operator sets it with `--response-secret`
 * or `LANGGRAPH_OPENAI_RESPONSE_SECRET`; without one, the server makes one and keeps it
 * in the checkpointer itself (the metadata of a checkpoint in a namespace no graph
 * writes to), so ids outlive a restart and every replica on the same database signs
 * alike, with nothing stored elsewhere. Replicas that start together on a new database
 * may each make one: each signs with the oldest it knows and accepts all, and reads them
 * again when an id fails every secret it knows.
 */
import { randomBytes } from "node:crypto";
import { emptyCheckpoint, type BaseCheckpointSaver } from "@langchain/langgraph";
import type { SecretSource } from "./response-id.js";

export const RESPONSE_SECRET_ENV = "LANGGRAPH_OPENAI_RESPONSE_SECRET";

/** Where the generated secret lives; `response-store.ts` never deletes this thread. */
export const SECRET_THREAD_ID = "__langgraph_openai__";
const SECRET_NAMESPACE = "response_secret";
const config = { configurable: { thread_id: SECRET_THREAD_ID, checkpoint_ns: SECRET_NAMESPACE } };
/** A failed id reads the secrets again at most this often, so forged ids cannot load the database. */
const REFRESH_INTERVAL_MS = 5_000;

async function storedSecrets(saver: BaseCheckpointSaver): Promise<string[]> {
  const found: { id: string; secret: string }[] = [];
  for await (const tuple of saver.list(config)) {
    const secret = (tuple.metadata as Record<string, unknown> | undefined)?.secret;
    if (typeof secret === "string") found.push({ id: tuple.checkpoint.id, secret });
  }
  // Checkpoint ids sort by time: the oldest secret is the one every replica signs with.
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(({ secret }) => secret);
}

async function loadOrCreate(saver: BaseCheckpointSaver): Promise<string[]> {
  const secrets = await storedSecrets(saver);
  if (secrets.length > 0) return secrets;
  const secret = randomBytes(32).toString("base64url");
  await saver.put(config, emptyCheckpoint(), { source: "update", step: -1, parents: {}, secret } as never, {});
  return storedSecrets(saver);
}

export function responseSecret(options: { secret?: string; checkpointer: BaseCheckpointSaver }): SecretSource {
  if (options.secret) {
    const fixed = Promise.resolve([options.secret]);
    return { current: () => fixed, refresh: () => fixed };
  }
  const { checkpointer } = options;
  let loading: Promise<string[]> | undefined;
  let loadedAt = 0;
  const load = () => {
    loadedAt = Date.now();
    loading = loadOrCreate(checkpointer);
    // A database that was down is asked again by the next request.
    loading.catch(() => (loading = undefined));
    return loading;
  };
  return {
    current: () => loading ?? load(),
    refresh: () => (Date.now() - loadedAt < REFRESH_INTERVAL_MS && loading ? loading : load()),
  };
}
