/**
 * JSON Schema from the core's io-ts codecs, for the OpenAPI document: the codecs that decode
 * requests also describe them, so the documentation cannot drift from the validation. Covers
 * the codec kinds the project builds (see core/codec.ts); any other kind is an error at start-up,
 * not a silently wrong document.
 */

import { RefinedType } from '../../core/codec.js';
import * as t from '../../core/vendor/io-ts.js';

export type JsonSchema = Record<string, unknown>;

/**
 * A refinement's JSON Schema in the dialect of OpenAPI 3.0 (the document's): there
 * `exclusiveMinimum` and `exclusiveMaximum` are booleans beside `minimum` and `maximum`, not the
 * bounds themselves (JSON Schema 2019 and OpenAPI 3.1), and `const` is a one-value `enum`.
 */
export function openApi30(schema: Readonly<JsonSchema>): JsonSchema {
  const out: JsonSchema = { ...schema };
  for (const [exclusive, bound] of [
    ['exclusiveMinimum', 'minimum'],
    ['exclusiveMaximum', 'maximum'],
  ] as const) {
    if (typeof out[exclusive] === 'number') {
      out[bound] = out[exclusive];
      out[exclusive] = true;
    }
  }
  if ('const' in out) {
    out.enum = [out.const];
    delete out.const;
  }
  return out;
}

export function jsonSchemaOf(codec: t.Decoder<unknown, unknown>, omit: readonly string[] = []): JsonSchema {
  if (codec instanceof RefinedType) return openApi30(codec.jsonSchema);
  if (codec instanceof t.StringType) return { type: 'string' };
  if (codec instanceof t.NumberType) return { type: 'number' };
  if (codec instanceof t.BooleanType) return { type: 'boolean' };
  if (codec instanceof t.NullType) return { type: 'null' };
  if (codec instanceof t.UnknownType) return {};
  if (codec instanceof t.LiteralType) return { enum: [codec.value] };
  if (codec instanceof t.UnionType) {
    const members = (codec.types as t.Decoder<unknown, unknown>[]).map((m) => jsonSchemaOf(m));
    // A value-or-null field: OpenAPI 3.0 says `nullable`; the rest as anyOf.
    const nonNull = members.filter((m) => m.type !== 'null');
    if (nonNull.length === 1 && members.length === 2) return { ...nonNull[0], nullable: true };
    return { anyOf: members };
  }
  if (codec instanceof t.ArrayType) return { type: 'array', items: jsonSchemaOf(codec.type) };
  if (codec instanceof t.DictionaryType) return { type: 'object', additionalProperties: jsonSchemaOf(codec.codomain) };
  if (codec instanceof t.ExactType) return jsonSchemaOf(codec.type, omit);
  if (codec instanceof t.InterfaceType || codec instanceof t.PartialType) {
    const properties: Record<string, JsonSchema> = {};
    for (const [k, c] of Object.entries(codec.props as t.Props)) if (!omit.includes(k)) properties[k] = jsonSchemaOf(c);
    const required = codec instanceof t.InterfaceType ? Object.keys(properties) : [];
    return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
  }
  if (codec instanceof t.IntersectionType) {
    // The project's records: required fields and optional ones, merged into one object.
    const parts = (codec.types as t.Decoder<unknown, unknown>[]).map((m) => jsonSchemaOf(m, omit));
    const properties = Object.assign({}, ...parts.map((p) => p.properties ?? {}));
    const required = parts.flatMap((p) => (p.required as string[] | undefined) ?? []);
    return required.length > 0 ? { type: 'object', properties, required } : { type: 'object', properties };
  }
  throw new Error(`no JSON Schema for codec '${codec.name}'`);
}
