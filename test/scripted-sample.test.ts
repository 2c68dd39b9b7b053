import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_SAMPLE_SIZE, sampleOf } from "../src/scripted-sample.js";

/**
 * Every unit the sampler spends yields at most one number's worth of JSON (24 characters,
 * `-1.2345678901234567e+308`), or one character that JSON may escape to six.
 */
const MAX_CHARACTERS_PER_UNIT = 24;

/** Fast, yet far above the sampler's real cost (well under a millisecond for a whole budget), so a shared machine does not flake it. */
const MAX_MILLISECONDS = 50;

function timedSample(schema: unknown, text: string, size?: number): { json: string; ms: number } {
  const started = performance.now();
  const json = JSON.stringify(sampleOf(schema, text, size)) ?? "";
  return { json, ms: performance.now() - started };
}

const hugeCount = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(1e9, 5e7, 2 ** 31, Number.MAX_SAFE_INTEGER, 1e308));

const leafSchema = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom("object", "array", "string", "integer", "number", "boolean", "null", "nonsense"),
      fc.array(fc.constantFrom("null", "string", "array", "object"), { maxLength: 4 }),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    $ref: fc.oneof(fc.constantFrom("#", "#/", "#/$defs/a", "#/$defs/b", "#/properties/a", "#/items", "#/__proto__", "#/$defs/constructor"), fc.string()),
    const: fc.jsonValue({ maxDepth: 2 }),
    enum: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
    minItems: hugeCount,
    maxItems: hugeCount,
    minLength: hugeCount,
    maxLength: hugeCount,
    minimum: fc.double(),
    maximum: fc.double(),
  },
  { requiredKeys: [] },
);

/** Schemas as clients write them and as an attacker would: cycles, huge sizes, missing parts, any type, `depth` levels deep. */
function schemaAt(depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth === 0) return leafSchema;
  const inner = schemaAt(depth - 1);
  const nested = fc.record(
    {
      properties: fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "constructor")), inner, { maxKeys: 3 }),
      items: fc.oneof(inner, fc.jsonValue({ maxDepth: 1 })),
      $defs: fc.record({ a: inner, b: inner }, { requiredKeys: [] }),
      anyOf: fc.array(fc.oneof(inner, fc.constant({ type: "null" })), { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  return fc.tuple(leafSchema, nested).map(([leaf, parts]) => ({ ...leaf, ...parts }));
}

const anySchema = fc.oneof(schemaAt(3), fc.jsonValue());

describe("the scripted model's schema sampler", () => {
  it("never throws, stays within its budget and ends in milliseconds, whatever the schema", () => {
    fc.assert(
      fc.property(anySchema, fc.string({ maxLength: 40 }), fc.integer({ min: 1, max: 4096 }), (schema, text, size) => {
        const { json, ms } = timedSample(schema, text, size);
        expect(json.length).toBeLessThanOrEqual(MAX_CHARACTERS_PER_UNIT * size + 16);
        expect(ms).toBeLessThan(MAX_MILLISECONDS);
      }),
      { numRuns: 400 },
    );
  });

  it("spends its whole default budget in milliseconds, on random schemas", () => {
    fc.assert(
      fc.property(anySchema, fc.string({ maxLength: 40 }), (schema, text) => {
        const { json, ms } = timedSample(schema, text);
        expect(json.length).toBeLessThanOrEqual(MAX_CHARACTERS_PER_UNIT * MAX_SAMPLE_SIZE);
        expect(ms).toBeLessThan(MAX_MILLISECONDS);
      }),
      { numRuns: 200 },
    );
  });

  const cycle = { type: "object", properties: { a: { $ref: "#" }, b: { $ref: "#" }, c: { $ref: "#/$defs/loop" } }, $defs: { loop: { $ref: "#/$defs/loop" } } };
  const bigConst = { const: "x".repeat(100_000) };
  const hostile: [string, unknown][] = [
    ["an array of a billion items with no item schema", { type: "array", minItems: 1e9 }],
    ["an array of a billion items nested too deep", { type: "array", minItems: 1e9, items: { $ref: "#" } }],
    ["an array of 5e7 strings", { type: "array", minItems: 5e7, items: { type: "string" } }],
    ["a string of a billion characters", { type: "string", minLength: 1e9 }],
    ["properties that each refer back to the root", cycle],
    ["a $ref that refers to itself", { $ref: "#" }],
    ["a large const reached from many properties", { type: "object", properties: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`p${i}`, { $ref: "#/$defs/big" }])), $defs: { big: bigConst } }],
    ["a long anyOf of null schemas reached again and again", { type: "array", minItems: 1e9, items: { anyOf: [...Array.from({ length: 10_000 }, () => ({ type: "null" })), { type: "string" }] } }],
    ["a long $ref path reached again and again", { type: "array", minItems: 1e9, items: { $ref: `#/${"x/".repeat(50_000)}` } }],
    ["Object's own properties by name", { $ref: "#/constructor/prototype", properties: { __proto__: { type: "string" } } }],
  ];

  it.each(hostile)("ends %s within its budget", (_name, schema) => {
    const { json, ms } = timedSample(schema, "reply");
    expect(json.length).toBeLessThanOrEqual(MAX_CHARACTERS_PER_UNIT * MAX_SAMPLE_SIZE);
    expect(ms).toBeLessThan(MAX_MILLISECONDS);
  });

  it("still fills every property and honours lengths for a schema a client really sends", () => {
    const schema = {
      type: "object",
      properties: { city: { type: "string", minLength: 8 }, days: { type: "integer", minimum: 2 }, tags: { type: "array", items: { enum: ["sun"] }, minItems: 2 }, kind: { anyOf: [{ type: "null" }, { const: "trip" }] } },
      required: ["city", "days", "tags", "kind"],
    };
    expect(sampleOf(schema, "Oslo")).toEqual({ city: "Oslo....", days: 2, tags: ["sun", "sun"], kind: "trip" });
  });
});
