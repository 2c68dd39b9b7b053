/**
 * The tools the agent may call. (LangGraph's template searches the web with Tavily; a
 * calculator keeps this one offline.)
 */
import { tool } from "@langchain/core/tools";
import { z } from "zod";

const calculator = tool(
  ({ a, b, operator }) => {
    const results = { "+": a + b, "-": a - b, "*": a * b, "/": a / b };
    return String(results[operator]);
  },
  {
    name: "calculator",
    description: "Computes a + b, a - b, a * b or a / b.",
    schema: z.object({ a: z.number(), b: z.number(), operator: z.enum(["+", "-", "*", "/"]) }),
  },
);

export const TOOLS = [calculator];
