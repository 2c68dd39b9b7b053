/**
 * The bin runs the built package (dist/) and test/package.test.ts packs it: each test run
 * builds it first, so no test runs a stale build and a build that fails fails the run.
 */
import { execFileSync } from "node:child_process";

export default function buildPackage(): void {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
}
