import { randomUUID } from "node:crypto";
import { tool } from "@langchain/core/tools";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { z } from "zod";
import { ensureConfiguration } from "./configuration.js";
import { getStoreFromConfigOrThrow } from "./utils.js";

/** The tools, made per call so that they write to this run's store for this run's user. */
export function initializeTools(config: LangGraphRunnableConfig) {
  const upsertMemory = tool(
    async ({ content, context, memoryId }) => {
      const { namespace } = ensureConfiguration(config);
      const id = memoryId ?? randomUUID();
      await getStoreFromConfigOrThrow(config).put(namespace, id, { content, context });
      return `Stored memory ${id}`;
    },
    {
      name: "upsertMemory",
      description: "Save a memory about the user, or update one by its memoryId when the user corrects it.",
      schema: z.object({
        content: z.string().describe("What to remember, e.g. 'The user's favourite colour is teal.'"),
        context: z.string().describe("When or why it came up."),
        memoryId: z.string().optional().describe("The id of a memory to overwrite; leave out for a new one."),
      }),
    },
  );
  return [upsertMemory];
}
