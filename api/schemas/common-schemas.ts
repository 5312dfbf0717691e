/**
 * Building blocks of the API's TypeBox schemas: nullable primitives, RFC 9457 problem details, and
 * the response maps every route shares (so the OpenAPI document names every status a route returns).
 */
import { Type, type TSchema } from '@sinclair/typebox';

export const PROBLEM_MEDIA_TYPE = 'application/problem+json';
export const ARROW_MEDIA_TYPE = 'application/vnd.apache.arrow.stream';

/** `number | null` as one JSON Schema `type` array (OpenAPI 3.1), cheaper to serialize than anyOf. */
export const NullableNumber = (options: { description?: string; minimum?: number; maximum?: number } = {}) =>
  Type.Unsafe<number | null>({ type: ['number', 'null'], ...options });
export const NullableString = (options: { description?: string; format?: string } = {}) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...options });

export const ProblemDetails = Type.Object(
  {
    type: Type.String({ description: 'URI naming the problem: https://retour.dev/errors/CODE' }),
    title: Type.String({ description: 'Short summary of the problem type' }),
    status: Type.Integer({ description: 'HTTP status code' }),
    detail: Type.String({ description: 'What went wrong in this request' }),
    instance: Type.String({ description: 'The request path and its request id' }),
    code: Type.String({ description: 'Retour error code (docs/errors.md)' }),
    requestId: Type.String({ description: 'Request id, as in the server logs' }),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String({ description: 'Where: body.lines[0].quantity, query.limit, params.flagId, headers.idempotency-key' }), message: Type.String() }), {
        description: 'For 400: every field that broke the schema; `body` when the body could not be read at all (also for 413 and 415)',
      }),
    ),
  },
  { $id: 'ProblemDetails', description: 'RFC 9457 problem details' },
);

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request breaks the schema; `errors` names the fields',
  401: 'No valid API key (Authorization: Bearer KEY)',
  403: "The key's role may not use this route",
  404: 'Not found',
  405: 'Method not allowed on this path',
  409: 'Conflicts with the current state',
  413: 'Request body too large',
  415: 'Unsupported request media type',
  429: 'Rate limit of the key exceeded; see Retry-After',
  500: 'Unexpected server error; the logs have details under the request id',
  503: 'A dependency is unavailable',
};

/**
 * Problem responses for the given statuses, in application/problem+json; `[status, description]`
 * says when this route answers it (a bare "Not found" or "Conflicts with the current state" does not).
 */
export function problemResponses(...statuses: (number | readonly [number, string])[]): Record<number, unknown> {
  const result: Record<number, unknown> = {};
  for (const entry of statuses) {
    const [status, description] = typeof entry === 'number' ? [entry, PROBLEM_DESCRIPTIONS[entry] ?? 'Problem'] : entry;
    result[status] = { description, content: { [PROBLEM_MEDIA_TYPE]: { schema: Type.Ref('ProblemDetails') } } };
  }
  return result;
}

/** Statuses every authenticated route can answer with. */
export const AUTHENTICATED_PROBLEMS = [400, 401, 403, 429, 500] as const;

/** A 200 response in JSON; with `arrow`, also as an Arrow IPC stream of the rows. */
export function okResponse(schema: TSchema, description: string, options: { arrow?: boolean } = {}): unknown {
  const content: Record<string, unknown> = { 'application/json': { schema } };
  if (options.arrow === true) {
    content[ARROW_MEDIA_TYPE] = { schema: { type: 'string', format: 'binary', description: 'Arrow IPC stream: one row per item, nested values as JSON text' } };
  }
  return { description, content };
}

export const Reason = Type.Object(
  { code: Type.String(), text: Type.String(), weight: Type.Number({ description: 'Strength of the evidence in [0, 1]' }) },
  { additionalProperties: false },
);
