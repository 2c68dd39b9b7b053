/**
 * `/mcp`: every model the caller's key may use, as an MCP tool, over Streamable HTTP with
 * the official SDK's web-standard transport, mounted as its Hono example does.
 *
 * Stateless: each request gets a server and a transport of its own and no session id,
 * as the SDK's stateless examples do, so any replica answers any request and nothing
 * lives between requests but the threads (in the checkpointer, as for every route). A
 * call's progress goes out on its own POST's event stream; its cancellation comes in
 * another POST, and reaches the run when it lands on the replica running it
 * (`calls-in-flight.ts`); a client that closes the call's stream stops the run anywhere.
 */
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import {
  CallToolRequestSchema,
  CancelledNotificationSchema,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { Context } from "hono";
import { canUseModel } from "../../middleware/auth.js";
import { PACKAGE_VERSION } from "../../package-info.js";
import type { Registry } from "../../registry.js";
import { threadOwner } from "../../threads/owner.js";
import { callModelTool, invalidParams, type McpDeps, type ModelTool } from "./call.js";
import { objectJsonSchema, toolArgumentsSchema, toolResultSchema } from "./schemas.js";
import { toolNames } from "./tool-names.js";

const OUTPUT_SCHEMA = objectJsonSchema(toolResultSchema);

/** A model's tool as `tools/list` shows it, and what a call of it needs. */
interface ListedTool extends ModelTool {
  tool: Tool;
}

function toTool({ entry, argumentsSchema }: ModelTool, name: string): Tool {
  const { name: title, description } = entry.settings;
  return {
    name,
    ...(title && { title }),
    description: description ?? `Runs the agent '${entry.id}' on a message; returns its answer and the thread to continue it on.`,
    inputSchema: objectJsonSchema(argumentsSchema),
    outputSchema: OUTPUT_SCHEMA,
  };
}

export function mcpRoute(registry: Registry, deps: McpDeps) {
  const { toolOf, modelOf } = toolNames(registry.keys());
  // The registry is fixed: each model's tool and argument schema are built once, not per request.
  const tools = new Map<string, ListedTool>();
  for (const entry of registry.values()) {
    const model = { entry, argumentsSchema: toolArgumentsSchema(entry) };
    tools.set(entry.id, { ...model, tool: toTool(model, toolOf.get(entry.id)!) });
  }

  function serverFor(c: Context): Server {
    const server = new Server({ name: "langgraph-openai", version: PACKAGE_VERSION }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [...tools.values()].filter(({ entry }) => canUseModel(c, entry.id)).map(({ tool }) => tool),
    }));
    server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
      const model = modelOf.get(request.params.name);
      const called = model === undefined ? undefined : tools.get(model);
      // A model the key may not use is no tool at all, as it is no model in /v1/models.
      if (!called || !canUseModel(c, called.entry.id)) throw invalidParams(`Invalid 'name': no tool '${request.params.name}'.`, "name");
      c.set("model", called.entry.id);
      return callModelTool(c, deps, called, request.params.arguments, extra);
    });
    // The call this cancels ran in another request's server (stateless): find it by its owner and id.
    server.setNotificationHandler(CancelledNotificationSchema, (notification) => {
      const { requestId } = notification.params;
      if (requestId !== undefined) deps.calls.cancel(threadOwner(c), requestId);
    });
    return server;
  }

  return async (c: Context): Promise<Response> => {
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    await serverFor(c).connect(transport);
    return transport.handleRequest(c.req.raw);
  };
}

/**
 * GET (a stream for server-initiated messages) and DELETE (end a session): a stateless
 * server has neither, and says so with the 405 the transport spec asks for, in the
 * SDK's JSON-RPC shape. Answered by the transport, a GET would hold a stream open that
 * nothing ever writes to.
 */
export function mcpWithoutSession(): Response {
  const body = { jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed: this server is stateless; send requests with POST." }, id: null };
  return Response.json(body, { status: 405, headers: { Allow: "POST" } });
}
