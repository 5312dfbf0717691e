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
      const allowed = (error.schema as { enum?: readonly string[] }).enum;
      errors.push({ keyword: 'typebox', instancePath: error.path, schemaPath: '', message: allowed === undefined ? error.message.toLowerCase() : `must be one of ${allowed.join(', ')}`, params: {} });
      if (errors.length === 10) break;
    }
    validate.errors = errors;
    return false;
  };
  return validate;
};
