/**
 * What the server's log says of hostile or failed requests: nothing a client sends can
 * forge a line, and each failure is logged once, as what it is.
 */
import { afterEach, describe, expect, it } from "vitest";
import { bannerUrl, runCommand } from "./helpers.js";

let stopServer: (() => void) | undefined;
afterEach(() => stopServer?.());

describe("pretty logs", () => {
  it("escape the control characters of a client's path: no forged line, no terminal escape", async () => {
    const { output, finished, stop } = runCommand(process.execPath, ["bin/langgraph-openai.js", "serve", "--port", "0", "--log-format", "pretty", "--log-level", "info"]);
    stopServer = stop;
    const url = await bannerUrl(output, finished);
    const response = await fetch(`${url}/x%0AFORGED%20admin%20logged%20in%1B%5B31m`);
    expect(response.status).toBe(404);
    stop();
    const { stdout } = await finished;
    expect(stdout).toContain("GET /v1/x\\nFORGED admin logged in\\u001b[31m 404");
    expect(stdout.split("\n").some((line) => line.startsWith("FORGED"))).toBe(false);
    expect(stdout).not.toContain("\u001b");
  });
});
