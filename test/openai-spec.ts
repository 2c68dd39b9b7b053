/**
 * OpenAI's official OpenAPI spec (read from ../shared, never copied into the project) as
 * JSON Schema validators, to check what we send against the spec itself.
 *
 * A checkout without ../shared runs the rest of the suite: the checks here then pass
 * without looking, test/spec-conformance.test.ts says loudly that they did not run, and
 * in CI (which has ../shared) a missing spec fails.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import { parse } from "yaml";

export const SPEC_PATH = fileURLToPath(new URL("../../shared/openai-openapi.yaml", import.meta.url));

/** Whether the spec is there to check against. */
export const specAvailable = existsSync(SPEC_PATH);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The spec still uses OpenAPI 3.0's `nullable: true` in places, on typed schemas, enums
 * and `oneOf`s alike: JSON Schema says `anyOf: [schema, { type: "null" }]`. With
 * `optionalNull`, null is also allowed for every property an object does not require:
 * how OpenAI's API and vLLM read a request (null counts as absent).
 */
function toJsonSchema(node: Json, optionalNull: boolean): Json {
  if (Array.isArray(node)) return node.map((item) => toJsonSchema(item, optionalNull));
  if (!isObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "nullable" || key === "discriminator" || key === "example" || key.startsWith("x-")) continue;
    out[key] =
      key === "properties" && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toJsonSchema(schema, optionalNull)]))
        : toJsonSchema(value, optionalNull);
  }
  if (optionalNull && isObject(out.properties)) {
    const required = new Set(Array.isArray(out.required) ? out.required : []);
    for (const [name, schema] of Object.entries(out.properties)) {
      if (!required.has(name)) out.properties[name] = { anyOf: [schema, { type: "null" }] };
    }
  }
  return node.nullable === true ? { anyOf: [out, { type: "null" }] } : out;
}

let ajv: Ajv2020 | undefined;
let schemas: JsonObject = {};
const validators = new Map<string, ValidateFunction>();

function load(): Ajv2020 {
  if (!ajv) {
    const spec = parse(readFileSync(SPEC_PATH, "utf8"), { maxAliasCount: -1 }) as { components: { schemas: JsonObject } };
    schemas = spec.components.schemas;
    ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
    ajv.addSchema({ $id: "openai", components: { schemas: toJsonSchema(schemas, false) } });
    ajv.addSchema({ $id: "openai-request", components: { schemas: toJsonSchema(schemas, true) } });
  }
  return ajv;
}

function validator(document: "openai" | "openai-request", name: string): ValidateFunction {
  const key = `${document}#${name}`;
  let validate = validators.get(key);
  if (!validate) validators.set(key, (validate = load().compile({ $ref: `${document}#/components/schemas/${name}` })));
  return validate;
}

/** A validator for `#/components/schemas/NAME` of the spec. */
export function specSchema(name: string): ValidateFunction {
  return validator("openai", name);
}

/** A validator for request schema `NAME`, where null for an optional field counts as absent. */
export function specRequestSchema(name: string): ValidateFunction {
  return validator("openai-request", name);
}

/** The top-level fields of schema `NAME`, with those of the schemas it is made of (`allOf`). */
export function specFields(name: string): Record<string, Json> {
  load();
  const fieldsOf = (schema: Json | undefined): Record<string, Json> => {
    if (!isObject(schema)) return {};
    if (typeof schema.$ref === "string") return fieldsOf(schemas[schema.$ref.split("/").at(-1)!]);
    const parts = Array.isArray(schema.allOf) ? schema.allOf.map(fieldsOf) : [];
    return Object.assign({}, ...parts, isObject(schema.properties) ? schema.properties : {});
  };
  return fieldsOf(schemas[name]);
}

function errorsOf(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message} ${JSON.stringify(error.params)}`);
}

/** Vitest-friendly: the errors of `value` against spec schema `name`, empty when it conforms (or the spec is absent). */
export function specErrors(name: string, value: unknown): string[] {
  return specAvailable ? errorsOf(specSchema(name), value) : [];
}

/** The errors of a stream event against the spec's schema for its own `type` (e.g. `ResponseTextDeltaEvent`). */
export function specEventErrors(event: { type: string }): string[] {
  if (!specAvailable) return [];
  load();
  for (const option of (schemas.ResponseStreamEvent as { anyOf: { $ref: string }[] }).anyOf) {
    const name = option.$ref.split("/").at(-1)!;
    const type = (schemas[name] as { properties?: { type?: { enum?: string[] } } }).properties?.type?.enum?.[0];
    if (type === event.type) return specErrors(name, event);
  }
  return [`no event of type ${event.type} in the spec`];
}
