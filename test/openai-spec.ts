/**
 * OpenAI's official OpenAPI spec (read from ../shared, never copied into the project) as
 * JSON Schema validators, to check what we send against the spec itself.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { parse } from "yaml";

const SPEC_PATH = fileURLToPath(new URL("../../shared/openai-openapi.yaml", import.meta.url));

/** The spec still uses OpenAPI 3.0's `nullable: true` in places: JSON Schema says `type: [T, "null"]`. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "nullable" || key === "discriminator" || key.startsWith("x-")) continue;
    out[key] = toJsonSchema(value);
  }
  const record = node as Record<string, unknown>;
  if (record.nullable === true && typeof record.type === "string") out.type = [record.type, "null"];
  return out;
}

let ajv: Ajv2020 | undefined;
const validators = new Map<string, ValidateFunction>();

/** A validator for `#/components/schemas/NAME` of the spec. */
export function specSchema(name: string): ValidateFunction {
  if (!ajv) {
    const spec = parse(readFileSync(SPEC_PATH, "utf8"), { maxAliasCount: -1 }) as { components: unknown };
    ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
    ajv.addSchema({ $id: "openai", components: toJsonSchema(spec.components) });
  }
  let validate = validators.get(name);
  if (!validate) validators.set(name, (validate = ajv.compile({ $ref: `openai#/components/schemas/${name}` })));
  return validate;
}

/** Vitest-friendly: the errors of `value` against spec schema `name`, empty when it conforms. */
export function specErrors(name: string, value: unknown): string[] {
  const validate = specSchema(name);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`);
}

/** The errors of a stream event against the spec's schema for its own `type` (e.g. `ResponseTextDeltaEvent`). */
export function specEventErrors(event: { type: string }): string[] {
  specSchema("ResponseStreamEvent");
  const union = (ajv!.getSchema("openai")!.schema as { components: { schemas: Record<string, { anyOf?: { $ref: string }[] }> } }).components.schemas;
  for (const { $ref } of union.ResponseStreamEvent!.anyOf!) {
    const name = $ref.split("/").at(-1)!;
    const type = (union[name] as { properties?: { type?: { enum?: string[] } } }).properties?.type?.enum?.[0];
    if (type === event.type) return specErrors(name, event);
  }
  return [`no event of type ${event.type} in the spec`];
}
