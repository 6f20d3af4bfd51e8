/**
 * @module
 * valibot schemas → JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) with
 * `@valibot/to-json-schema`. Pure: no I/O. Anything the converter cannot express is
 * an error at generation time (tests generate the document), never a silent `{}`,
 * except the few valibot pieces periscope uses on purpose, handled below.
 */
import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from '@valibot/to-json-schema'
import type * as v from 'valibot'

/** Any synchronous valibot schema. */
export type AnySchema = v.GenericSchema

/** Where named schemas live in the document. */
const COMPONENTS = '#/components/schemas/'

/** Transformations that change the parsed value, not what the request may send: documented as their input. */
const INPUT_PRESERVING = new Set(['trim', 'transform', 'raw_transform'])

/** Converts schemas; each of `named` becomes `#/components/schemas/<name>` wherever it occurs. */
export interface SchemaConverter {
  /** The JSON Schema of `schema`, naming components by `$ref`. */
  convert(schema: AnySchema): JsonSchema
  /** The JSON Schemas of the named components. */
  components(): Record<string, JsonSchema>
}

/** A converter whose named schemas become components. */
export function createSchemaConverter(named: Record<string, AnySchema>): SchemaConverter {
  const config: ConversionConfig = {
    target: 'draft-2020-12',
    // 'output' reads each pipe from its last schema: `notList(x)` is `pipe(custom, x)` and
    // documents as `x`. The last schema of every pipe here is what a request may send
    // (transformations after it are documented as their input, below), so this is the input shape.
    typeMode: 'output',
    errorMode: 'throw',
    definitions: named,
    overrideRef: ({ referenceId }) => `${COMPONENTS}${referenceId}`,
    overrideSchema: ({ valibotSchema, jsonSchema }) => {
      // A `custom` check narrows nothing JSON Schema can say; the schema after it, or the
      // `ownRecord` metadata, says the shape.
      if (valibotSchema.type === 'custom') return jsonSchema
      // A record keyed by a picklist converts fine (`propertyNames: {enum}`); the converter only doubts it.
      const key = (valibotSchema as { key?: AnySchema }).key
      if (valibotSchema.type === 'record' && key?.type === 'picklist') return jsonSchema
      return undefined
    },
    overrideAction: ({ valibotAction, jsonSchema }) => {
      if (INPUT_PRESERVING.has(valibotAction.type)) return jsonSchema
      if (valibotAction.type !== 'metadata') return undefined
      const metadata = (valibotAction as v.MetadataAction<unknown, Record<string, unknown>>).metadata
      if (!Object.hasOwn(metadata, 'ownRecord')) return undefined
      const { key, value } = metadata.ownRecord as { key: AnySchema; value: AnySchema }
      const { ownRecord: _, ...rest } = jsonSchema as JsonSchema & { ownRecord?: unknown }
      return { ...rest, type: 'object', propertyNames: convertPart(key), additionalProperties: convertPart(value) }
    },
  }
  const names = new Map<AnySchema, string>(Object.entries(named).map(([name, schema]) => [schema, name]))
  /**
   * A key or value schema of an `ownRecord`: a named one by `$ref`, else converted without the
   * definitions (with them, every nested call would convert every definition again, for ever).
   */
  function convertPart(schema: AnySchema): JsonSchema {
    const name = names.get(schema)
    return name === undefined
      ? strip(toJsonSchema(schema, { ...config, definitions: undefined }))
      : { $ref: `${COMPONENTS}${name}` }
  }
  const strip = ({ $schema: _s, $defs: _d, ...rest }: JsonSchema): JsonSchema => rest
  const convert = (schema: AnySchema): JsonSchema => strip(toJsonSchema(schema, config))
  return {
    convert,
    components: () => toJsonSchemaDefs(named, config),
  }
}
