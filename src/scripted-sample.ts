/**
 * A value that fits a JSON schema, for the scripted model to answer with when a request
 * constrains it (a `json_schema` response format, a tool it must call), as a real model's
 * constrained decoding would. Strings take the reply's text; every property is filled,
 * as OpenAI's strict mode requires; numbers and lengths respect their bounds.
 */
type Schema = Record<string, unknown>;

/**
 * The schema is the client's, and may ask for any size (`minItems: 1e9`, a `$ref` to itself
 * in every property, a `const` of a megabyte reached a thousand times): as a real model's
 * answer ends at its token limit, a sample ends when it has spent this budget. Every step
 * spends from it, whatever it yields (a `null` for a schema too deep or missing), and so
 * does every character it copies or scans (strings, keys, `const` values, `$ref` paths,
 * the options of an `anyOf`): the work and the size of a sample are both bounded by it.
 */
export const MAX_SAMPLE_SIZE = 65_536;

/** Deeper than a real schema nests; a `$ref` cycle ends here. */
const MAX_DEPTH = 16;

/** What is left of a sample's size, spent as it is built. */
interface Budget {
  left: number;
}

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** An own property only: a schema's `$ref: "#/__proto__"` or `properties.constructor` must not reach Object's. */
const own = (schema: Schema, key: string): unknown => (Object.hasOwn(schema, key) ? schema[key] : undefined);

/** Spends `amount` and says whether the budget covered it. */
function spend(budget: Budget, amount: number): boolean {
  budget.left -= amount;
  return budget.left >= 0;
}

/** The characters of a JSON value (strings, keys, numbers), counted until `limit` is passed. */
function sizeOf(value: unknown, limit: number): number {
  let size = 0;
  const pending = [value];
  while (pending.length > 0 && size <= limit) {
    const next = pending.pop();
    if (typeof next === "string") size += next.length + 2;
    else if (Array.isArray(next)) {
      size += 2;
      for (let i = 0; i < next.length && size <= limit; i++, size++) pending.push(next[i]);
    } else if (isSchema(next)) {
      size += 2;
      for (const key in next) {
        size += key.length + 3;
        pending.push(next[key]);
        if (size > limit) break;
      }
    } else size += 5;
  }
  return size;
}

/** A value the client wrote (`const`, `enum`), if the budget covers copying it. */
function copied(value: unknown, budget: Budget): unknown {
  return spend(budget, sizeOf(value, Math.max(0, budget.left))) ? value : null;
}

/** `#` (the root schema itself) or `#/$defs/Name` (or `#/definitions/Name`) inside it. */
function resolveRef(root: Schema, ref: string, budget: Budget): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/") || !spend(budget, ref.length)) return undefined;
  let target: unknown = root;
  for (const key of ref.slice(2).split("/")) target = isSchema(target) ? own(target, key.replaceAll("~1", "/").replaceAll("~0", "~")) : undefined;
  return target;
}

/** The first of `options` that `fits`, each one looked at spent from the budget. */
function firstFitting<T>(options: readonly T[], fits: (option: T) => boolean, budget: Budget): T | undefined {
  for (const option of options) {
    if (!spend(budget, 1)) return undefined;
    if (fits(option)) return option;
  }
  return undefined;
}

function typeOf(schema: Schema, budget: Budget): string | undefined {
  const type = own(schema, "type");
  if (Array.isArray(type)) {
    const chosen = firstFitting(type, (t) => t !== "null", budget) ?? "null";
    return typeof chosen === "string" ? chosen : undefined;
  }
  if (typeof type === "string") return type;
  if (isSchema(own(schema, "properties"))) return "object";
  if (isSchema(own(schema, "items"))) return "array";
  return undefined;
}

function numberOf(schema: Schema, integer: boolean): number {
  const { minimum, exclusiveMinimum, maximum } = schema;
  const min = typeof minimum === "number" ? minimum : typeof exclusiveMinimum === "number" ? exclusiveMinimum + 1 : 0;
  const max = typeof maximum === "number" ? maximum : Infinity;
  const value = Math.min(Math.max(0, min), max);
  return integer ? Math.ceil(value) : value;
}

/** `text` cut or padded to `length`, spent from the budget. */
function textOf(text: string, length: number, budget: Budget): string {
  const fitting = Math.max(0, Math.min(length, budget.left));
  spend(budget, fitting);
  return text.length >= fitting ? text.slice(0, fitting) : text.padEnd(fitting, ".");
}

function sampleObject(schema: Schema, text: string, root: Schema, depth: number, budget: Budget): Record<string, unknown> {
  const properties = own(schema, "properties");
  const entries: [string, unknown][] = [];
  if (isSchema(properties)) {
    for (const key in properties) {
      if (!spend(budget, key.length + 1)) break;
      entries.push([key, sample(properties[key], text, root, depth + 1, budget)]);
      if (budget.left <= 0) break;
    }
  }
  return Object.fromEntries(entries);
}

function sampleArray(schema: Schema, text: string, root: Schema, depth: number, budget: Budget): unknown[] {
  const { minItems, maxItems } = schema;
  const min = typeof minItems === "number" ? minItems : 1;
  const max = typeof maxItems === "number" ? maxItems : Infinity;
  const length = Math.min(Math.max(min, 1), max);
  const items: unknown[] = [];
  // Each item spends at least one from the budget, even a `null` for missing `items`.
  while (items.length < length && budget.left > 0) items.push(sample(own(schema, "items"), text, root, depth + 1, budget));
  return items;
}

function sample(schema: unknown, text: string, root: Schema, depth: number, budget: Budget): unknown {
  if (!spend(budget, 1) || !isSchema(schema) || depth > MAX_DEPTH) return null;
  if (Object.hasOwn(schema, "const")) return copied(schema.const, budget);
  const choices = own(schema, "enum");
  if (Array.isArray(choices) && choices.length > 0) return copied(choices[0], budget);
  const ref = own(schema, "$ref");
  if (typeof ref === "string") return sample(resolveRef(root, ref, budget), text, root, depth + 1, budget);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = own(schema, key);
    if (Array.isArray(options) && options.length > 0) {
      const chosen = firstFitting(options, (option) => !(isSchema(option) && option.type === "null"), budget) ?? options[0];
      return sample(chosen, text, root, depth + 1, budget);
    }
  }
  switch (typeOf(schema, budget)) {
    case "object":
      return sampleObject(schema, text, root, depth, budget);
    case "array":
      return sampleArray(schema, text, root, depth, budget);
    case "string": {
      const { minLength, maxLength } = schema;
      const min = typeof minLength === "number" ? minLength : 0;
      const max = typeof maxLength === "number" ? maxLength : Infinity;
      return textOf(text, Math.min(Math.max(min, text.length), max), budget);
    }
    case "integer":
      return numberOf(schema, true);
    case "number":
      return numberOf(schema, false);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return textOf(text, text.length, budget);
  }
}

/** A value of `schema`, its strings filled with `text`. */
export function sampleOf(schema: unknown, text: string, size = MAX_SAMPLE_SIZE): unknown {
  return sample(schema, text, isSchema(schema) ? schema : {}, 0, { left: size });
}
