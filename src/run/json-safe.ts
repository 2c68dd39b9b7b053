/** A value as JSON carries it (bigints as strings), or undefined when it cannot be (a cycle, a function). */
export function jsonSafe(value: unknown): unknown {
  try {
    const text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === "bigint" ? inner.toString() : inner));
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}
