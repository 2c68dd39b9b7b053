/**
 * `POST /v1/responses`: request -> validate -> convert -> (which thread, from which
 * checkpoint) -> run -> events -> render -> (store) -> response; streamed and
 * non-streamed answers share every step but the last. `GET` and `DELETE
 * /v1/responses/{id}` read and forget stored responses.
 *
 * Where a response's conversation lives:
 * - `previous_response_id`: that response's thread, from the checkpoint it ended on (a
 *   fork when the thread has gone on since, as OpenAI's API allows);
 * - `conversation`: the thread of that id, from its latest checkpoint;
 * - neither, with items that carry ids of stored responses (the AI SDK's item
 *   references, the Agents SDK's and ChatOpenAI's items sent back whole): their thread,
 *   the client resending the conversation as chat clients do;
 * - else a new thread (`store`) or none at all (`store: false`).
 */
import { randomUUID } from "node:crypto";
import type { Context } from "hono";
import { InvalidRequestError, ModelNotFoundError, NotFoundError } from "../../errors.js";
import { readJsonBody } from "../../http/read-body.js";
import { refuseLongArray } from "../../limits.js";
import { respondJson, respondStream } from "../../http/respond.js";
import { canUseModel } from "../../middleware/auth.js";
import type { ModelEntry, Registry } from "../../registry.js";
import { startTaskRun } from "../../chat-uis/task-run.js";
import { modelGraph, startRequestRun, type RequestRunDeps } from "../../request-run.js";
import { parseRequestedSettings } from "../../run/run-settings.js";
import { scopeThreadId, threadOwner } from "../../threads/owner.js";
import { threadSaver, type ThreadRequest } from "../../threads/session.js";
import { threadIdProblem } from "../../threads/thread-id.js";
import type { BaseMessage } from "@langchain/core/messages";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { instructionsMessage, toLangChainMessages, toRequestContext, type ConvertedInput, type ItemResolver } from "./convert.js";
import { foldResponseEvents, responseRenderer } from "./render.js";
import { newMarker, signedId, unsignedId, type ResponseIds, type ResponseRef } from "./response-id.js";
import { deleteResponse, loadResponse, MARKER_KEY, storeResponse, type StoredResponse } from "./response-store.js";
import type { CreateResponseRequest, DeletedResponse, Response } from "./schemas.js";
import { parseResponsesRequest } from "./validate.js";

export interface ResponsesDeps extends RequestRunDeps {
  ids: ResponseIds;
}

/** The checkpointer a model's threads live in: the graph's own, or the server's. */
async function saverFor(entry: ModelEntry | undefined, deps: ResponsesDeps): Promise<BaseCheckpointSaver> {
  if (!entry) return deps.checkpointer;
  return threadSaver(await modelGraph(entry), deps.checkpointer);
}

/**
 * An id names the thread as its client did; the checkpointer holds the caller's own
 * thread of that name (`threads/owner.ts`), so another API key's id names nothing.
 */
function storedRef<Ref extends ResponseRef>(c: Context, ref: Ref): Ref {
  return { ...ref, threadId: scopeThreadId(threadOwner(c), ref.threadId) };
}

/**
 * The one place where a response id becomes a stored response, for every route: an id
 * this server did not sign, of a model the caller's key may not use, of another owner's
 * thread, or of a response since forgotten, is not found.
 */
async function findStoredResponse(
  c: Context,
  registry: Registry,
  deps: ResponsesDeps,
  id: string,
): Promise<{ ref: ResponseRef; stored: StoredResponse; saver: BaseCheckpointSaver } | undefined> {
  const ref = await deps.ids.parseResponseId(id);
  if (!ref || !canUseModel(c, ref.model)) return undefined;
  const saver = await saverFor(registry.get(ref.model), deps);
  const stored = await loadResponse(saver, storedRef(c, ref));
  return stored && { ref, stored, saver };
}

/** Item ids of the request, each stored response read once. */
function itemResolver(c: Context, registry: Registry, deps: ResponsesDeps): ItemResolver {
  const responses = new Map<string, Promise<StoredResponse | undefined>>();
  return async (id) => {
    const ref = await deps.ids.parseItemId(id);
    if (!ref || !canUseModel(c, ref.model)) return undefined;
    const key = JSON.stringify([ref.threadId, ref.marker]);
    let stored = responses.get(key);
    if (!stored) responses.set(key, (stored = saverFor(registry.get(ref.model), deps).then((saver) => loadResponse(saver, storedRef(c, ref)))));
    return { ref, item: (await stored)?.response.output[ref.index] };
  };
}

function conversationId(request: CreateResponseRequest): string | undefined {
  const conversation = request.conversation;
  if (conversation == null) return undefined;
  const id = typeof conversation === "string" ? conversation : conversation.id;
  const problem = threadIdProblem(id);
  if (problem) throw new InvalidRequestError(`Invalid 'conversation': ${problem}.`, "conversation");
  return id;
}

async function continuation(
  c: Context,
  registry: Registry,
  deps: ResponsesDeps,
  request: CreateResponseRequest,
  input: ConvertedInput,
): Promise<{ thread: ThreadRequest; messages: BaseMessage[] }> {
  const keep = request.store !== false;
  const instructions = request.instructions ?? null;
  if (request.previous_response_id != null) {
    const found = await findStoredResponse(c, registry, deps, request.previous_response_id);
    if (!found) throw new NotFoundError(`Previous response with id '${request.previous_response_id}' not found.`, null, "previous_response_id");
    const thread = { mode: "continue", threadId: found.ref.threadId, checkpointId: found.stored.checkpointId, instructions, keep } as const;
    return { thread, messages: input.messages };
  }
  const conversation = conversationId(request);
  if (conversation !== undefined) return { thread: { mode: "continue", threadId: conversation, instructions, keep }, messages: input.messages };
  const messages = instructions === null ? input.messages : [instructionsMessage(instructions), ...input.messages];
  if (!keep) return { thread: { mode: "stateless" }, messages };
  if (input.anchor) return { thread: { mode: "history", threadId: input.anchor.threadId }, messages };
  return { thread: { mode: "continue", threadId: randomUUID() }, messages };
}

function createdResponse(request: CreateResponseRequest, entry: ModelEntry, id: string, thread: ThreadRequest): Response {
  const tools = (request.tools ?? []).map((tool) =>
    tool.type === "function"
      ? { ...tool, description: tool.description ?? null, parameters: tool.parameters ?? null, strict: tool.strict ?? null }
      : tool,
  );
  return {
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status: "in_progress",
    completed_at: null,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: entry.id,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    conversation: request.conversation != null && thread.mode === "continue" ? { id: thread.threadId } : null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    service_tier: "default",
    store: request.store !== false,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: "text" } },
    tool_choice: request.tool_choice ?? "auto",
    tools,
    top_p: request.top_p ?? null,
    truncation: request.truncation ?? "disabled",
    ...(request.user !== undefined && { user: request.user }),
    metadata: request.metadata ?? {},
  };
}

export function createResponse(registry: Registry, deps: ResponsesDeps) {
  return async (c: Context): Promise<globalThis.Response> => {
    const body = await readJsonBody(c);
    refuseLongArray(body, "input", deps.limits.maxMessages);
    const request = parseResponsesRequest(body);
    const entry = registry.get(request.model);
    if (!entry || !canUseModel(c, entry.id)) throw new ModelNotFoundError(request.model);
    c.set("model", entry.id);
    const store = request.store !== false;
    const input = await toLangChainMessages(request.input, itemResolver(c, registry, deps));
    const { thread, messages } = await continuation(c, registry, deps, request, input);

    // Ids are decided before the run: `response.created` carries the response's id.
    const marker = newMarker();
    const context = toRequestContext(request);
    // Open WebUI sends its background tasks here too when its connection uses the Responses
    // API: answered (or run on no thread) as on chat completions, and never stored.
    const task = await startTaskRun(c, registry, deps, { entry, messages: input.messages, request: context, streamed: request.stream === true });
    const ref = task || thread.mode === "stateless" || !store ? undefined : { threadId: thread.threadId, model: entry.id, marker };
    // Only a stored response's ids are signed: a response kept nowhere needs no database.
    const [secret] = ref ? await deps.ids.secrets.current() : [];
    const id = ref ? signedId(secret!, "resp", ref) : unsignedId("resp");
    const itemId = (kind: "msg" | "fc" | "rs", index: number) => (ref ? signedId(secret!, kind, ref, index) : unsignedId(kind));

    const run =
      task ??
      (await startRequestRun(c, deps, {
        entry,
        messages,
        thread,
        request: context,
        settings: parseRequestedSettings(body),
        streamed: request.stream === true,
        ...(ref && { checkpointMetadata: { [MARKER_KEY]: marker } }),
      }));
    const renderer = responseRenderer({ response: createdResponse(request, entry, id, thread), itemId });
    const rendered = renderer.render(run.events);
    const events = ref ? storeResponse(rendered, { saver: run.saver, threadId: run.threadId, marker }) : rendered;
    if (!request.stream) return respondJson(c, foldResponseEvents(events), run.respondOptions);
    return respondStream(c, events, renderer.sse, run.respondOptions);
  };
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`Response with id '${id}' not found.`, null, "response_id");
}

export function retrieveResponse(registry: Registry, deps: ResponsesDeps) {
  return async (c: Context): Promise<globalThis.Response> => {
    const id = c.req.param("id")!;
    const found = await findStoredResponse(c, registry, deps, id);
    if (!found) throw notFound(id);
    c.set("model", found.ref.model);
    return c.json(found.stored.response);
  };
}

export function deleteStoredResponse(registry: Registry, deps: ResponsesDeps) {
  return async (c: Context): Promise<globalThis.Response> => {
    const id = c.req.param("id")!;
    const found = await findStoredResponse(c, registry, deps, id);
    if (!found || !(await deleteResponse(found.saver, storedRef(c, found.ref)))) throw notFound(id);
    c.set("model", found.ref.model);
    const deleted: DeletedResponse = { id, object: "response", deleted: true };
    return c.json(deleted);
  };
}
