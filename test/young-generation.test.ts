import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { withYoungGeneration, YOUNG_GENERATION_FLAG } from "../src/young-generation.js";

describe("the young generation a server starts with", () => {
  it("is added to a node command line that does not size it", () => {
    expect(withYoungGeneration(["--import", "tsx"], "")).toEqual(["--import", "tsx", YOUNG_GENERATION_FLAG]);
  });

  it("is left as the operator sized it, on the command line or in NODE_OPTIONS, with dashes or underscores", () => {
    expect(withYoungGeneration(["--max-semi-space-size=16"], "")).toEqual(["--max-semi-space-size=16"]);
    expect(withYoungGeneration(["--max_semi_space_size=128"], "")).toEqual(["--max_semi_space_size=128"]);
    expect(withYoungGeneration([], "--max-old-space-size=4096 --max-semi-space-size=32")).toEqual([]);
  });

  it("is what `npm start` runs the server with", () => {
    const { scripts } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { scripts: Record<string, string> };
    expect(scripts.start).toContain(`node ${YOUNG_GENERATION_FLAG} bin/langgraph-openai.js serve`);
  });
});
