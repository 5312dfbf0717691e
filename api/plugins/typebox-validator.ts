/**
 * A fastify validator compiler backed by TypeBox's TypeCompiler, for routes with a JSON body.
 * fastify's default Ajv coerces types everywhere (`coerceTypes: 'array'`, needed for query strings),
 * so a body with `"unitPrice": null` would pass as 0; bodies must be validated exactly as sent.
 * The errors are shaped like Ajv's so the problem-details handler names the field.
 */
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';
import type { FastifyValidationResult } from 'fastify/types/schema.js';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { registerContractFormats } from '../../domain/events/date-time-format.ts';

registerContractFormats();


export const typeboxValidatorCompiler: FastifySchemaCompiler<FastifySchema> = ({ schema }) => {
  const check = TypeCompiler.Compile(schema as TSchema);
  const validate: FastifyValidationResult = (data: unknown): boolean => {
    if (check.Check(data)) {
      validate.errors = null;
      return true;
    }
    const errors: NonNullable<FastifyValidationResult['errors']> = [];
    const seen = new Set<string>();
    for (const error of check.Errors(data)) {
      // One message per field: TypeBox reports a union or enum mismatch several times.
      if (seen.has(error.path)) continue;
      seen.add(error.path);
      const allowed = allowedValues(error.schema as TSchema);
      // Only the first letter is lowered: the message may quote a pattern, where case matters (\S).
      // A schema may say what it wants in words (`errorMessage`), where a pattern would be cryptic.
      const stated = (error.schema as { errorMessage?: string }).errorMessage;
      const message =
        error.type === ValueErrorType.ObjectAdditionalProperties
          ? unknownFieldMessage(error.schema)
          : (stated ?? (allowed === undefined ? `${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}` : `must be one of ${allowed.join(', ')}`));
      errors.push({ keyword: 'typebox', instancePath: error.path, schemaPath: '', message, params: {} });
      if (errors.length === 10) break;
    }
    validate.errors = errors;
    return false;
  };
  return validate;
};

/** A misspelt field (`verdit`): TypeBox's "Unexpected property" does not say what was meant, so the fields the object takes are named. */
function unknownFieldMessage(objectSchema: TSchema): string {
  const fields = Object.keys((objectSchema as { properties?: Record<string, unknown> }).properties ?? {});
  return fields.length === 0 ? 'is not a field here; this object takes none' : `is not a field here; the fields are ${fields.join(', ')}`;
}

/** The values an enum, or a union of literals, admits; undefined for other schemas. */
function allowedValues(schema: TSchema): readonly unknown[] | undefined {
  const { enum: values, anyOf } = schema as { enum?: readonly unknown[]; anyOf?: readonly { const?: unknown }[] };
  if (values !== undefined) return values;
  if (anyOf !== undefined && anyOf.length > 0 && anyOf.every((member) => 'const' in member)) return anyOf.map((member) => member.const);
  return undefined;
}
