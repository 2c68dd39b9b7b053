/**
 * A request body checked against a protocol's zod schema, and the first problem as
 * OpenAI words it: a 400 whose `param` names the field (`messages[0].content`).
 */
import type { z } from "zod";
import { InvalidRequestError } from "./errors.js";

type Issue = z.core.$ZodIssue;

/** `["messages", 0, "content"]` -> `messages[0].content`, the way OpenAI names a bad field. */
export function formatParam(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  return Array.isArray(value) ? "array" : typeof value;
}

/**
 * A union (string or array of parts, say) fails once per branch. Report the branch that
 * got furthest into the value, so `[{type: "video"}]` blames the part's `type`, not
 * the whole field; when every branch failed on the value's own type, list them all.
 */
function mostSpecific(issue: Issue, input: unknown): { path: PropertyKey[]; message: string } {
  if (issue.code === "invalid_union" && !issue.discriminator && issue.errors.length > 0) {
    const branches = issue.errors.filter((branch) => branch.length > 0);
    const deepest = branches.reduce((best, branch) =>
      branch[0]!.path.length > best[0]!.path.length ? branch : best,
    );
    if (deepest[0]!.path.length > 0) {
      const inner = mostSpecific(deepest[0]!, valueAt(input, issue.path));
      return { path: [...issue.path, ...inner.path], message: inner.message };
    }
    // The one branch that took the value's type (a stop string too long, say) knows what is wrong with it.
    const typed = branches.filter((branch) => branch[0]!.code !== "invalid_type");
    if (typed.length === 1) return { path: issue.path, message: describeIssue(typed[0]![0]!, valueAt(input, issue.path)) };
    const expected = branches.flatMap((branch) => (branch[0]!.code === "invalid_type" ? [branch[0]!.expected] : []));
    if (expected.length === branches.length) {
      const received = describeType(valueAt(input, issue.path));
      return { path: issue.path, message: `expected ${expected.join(" or ")}, received ${received}` };
    }
  }
  return { path: issue.path, message: describeIssue(issue, input) };
}

function describeIssue(issue: Issue, input: unknown): string {
  const value = valueAt(input, issue.path);
  if (issue.code === "invalid_union" && issue.discriminator) {
    return value === undefined ? "missing required parameter" : `unknown value ${JSON.stringify(value)}`;
  }
  if (issue.code === "invalid_type") {
    return value === undefined
      ? `missing required parameter (expected ${issue.expected})`
      : `expected ${issue.expected}, received ${describeType(value)}`;
  }
  return issue.message;
}

/** The body parsed by `schema`, or a 400 naming the first bad field. */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  if (body === null || typeof body !== "object" || Array.isArray(body)) {
    throw new InvalidRequestError("The request body must be a JSON object.");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const { path, message } = mostSpecific(result.error.issues[0]!, body);
  const param = formatParam(path);
  throw new InvalidRequestError(param ? `Invalid '${param}': ${message}.` : `Invalid request: ${message}.`, param || null);
}
