/**
 * A value that fits a JSON schema, for the scripted model to answer with when a request
 * constrains it (a `json_schema` response format, a tool it must call), as a real model's
 * constrained decoding would. Strings take the reply's text; every property is filled,
 * as OpenAI's strict mode requires; numbers and lengths respect their bounds.
 */
type Schema = Record<string, unknown>;

/**
 * The schema is the client's, and may ask for any size (`minItems: 1e9`, a `$ref` to itself
 * in every property): as a real model's answer ends at its token limit, a sample ends at
 * this many values and string characters, however much more the schema asks for.
 */
const MAX_SAMPLE_SIZE = 65_536;

/** What is left of a sample's size, spent as it is built. */
interface Budget {
  left: number;
}

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** `#/$defs/Name` (or `#/definitions/Name`) inside the root schema. */
function resolveRef(root: Schema, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let target: unknown = root;
  for (const key of ref.slice(2).split("/")) target = isSchema(target) ? target[key.replaceAll("~1", "/").replaceAll("~0", "~")] : undefined;
  return target;
}

function typeOf(schema: Schema): string | undefined {
  const { type } = schema;
  if (Array.isArray(type)) return type.find((t) => t !== "null") ?? "null";
  if (typeof type === "string") return type;
  if (isSchema(schema.properties)) return "object";
  if (isSchema(schema.items)) return "array";
  return undefined;
}

function numberOf(schema: Schema, integer: boolean): number {
  const min = typeof schema.minimum === "number" ? schema.minimum : typeof schema.exclusiveMinimum === "number" ? schema.exclusiveMinimum + 1 : 0;
  const max = typeof schema.maximum === "number" ? schema.maximum : Infinity;
  const value = Math.min(Math.max(0, min), max);
  return integer ? Math.ceil(value) : value;
}

function sample(schema: unknown, text: string, root: Schema, depth: number, budget: Budget): unknown {
  if (!isSchema(schema) || depth > 16 || budget.left <= 0) return null;
  budget.left -= 1;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if (typeof schema.$ref === "string") return sample(resolveRef(root, schema.$ref), text, root, depth + 1, budget);
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const chosen = options.find((option) => !(isSchema(option) && option.type === "null")) ?? options[0];
      return sample(chosen, text, root, depth + 1, budget);
    }
  }
  switch (typeOf(schema)) {
    case "object": {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).map(([key, property]) => [key, sample(property, text, root, depth + 1, budget)]));
    }
    case "array": {
      const min = typeof schema.minItems === "number" ? schema.minItems : 1;
      const max = typeof schema.maxItems === "number" ? schema.maxItems : Infinity;
      const length = Math.min(Math.max(min, 1), max);
      const items: unknown[] = [];
      while (items.length < length && budget.left > 0) items.push(sample(schema.items, text, root, depth + 1, budget));
      return items;
    }
    case "string": {
      const min = typeof schema.minLength === "number" ? schema.minLength : 0;
      const max = typeof schema.maxLength === "number" ? schema.maxLength : Infinity;
      const length = Math.max(0, Math.min(Math.max(min, text.length), max, budget.left));
      budget.left -= length;
      return text.padEnd(length, ".").slice(0, length);
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
      return text;
  }
}

/** A value of `schema`, its strings filled with `text`. */
export function sampleOf(schema: unknown, text: string): unknown {
  return sample(schema, text, isSchema(schema) ? schema : {}, 0, { left: MAX_SAMPLE_SIZE });
}
