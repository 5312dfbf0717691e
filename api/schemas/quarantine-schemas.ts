/** Schemas of the quarantine listing: messages ingest refused, with the reason. */
import { Type } from '@sinclair/typebox';
import { QUARANTINE_ERROR_CODES } from '../../domain/errors/error-catalogue.ts';
import { NullableString } from './common-schemas.ts';

/** Bytes of each raw message the API returns (`rawTruncated` says when it cut one). */
export const QUARANTINE_PREVIEW_BYTES = 4096;

export const QuarantineQuery = Type.Object(
  {
    errorCode: Type.Optional(Type.Unsafe<string>({ type: 'string', enum: [...QUARANTINE_ERROR_CODES], description: 'Only messages refused with this code (docs/errors.md)' })),
    topic: Type.Optional(Type.String({ minLength: 1, maxLength: 249, description: 'Only messages from this topic (import:… for `retour import`)' })),
    eventType: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only messages whose envelope named this type' })),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Only messages quarantined at or after this time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Page size' })),
    cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', errorMessage: 'must be a cursor returned by a previous page', description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const QuarantinedMessage = Type.Object(
  {
    quarantineId: Type.Integer(),
    quarantinedAt: Type.String({ format: 'date-time' }),
    errorCode: Type.String({ description: 'Why it was refused (docs/errors.md)' }),
    jsonPath: Type.String({ description: 'Where in the event, e.g. $.data.lines[0].quantity; empty when the whole message is at fault' }),
    message: Type.String({ description: 'The problem in words' }),
    eventId: NullableString({ description: 'The envelope id, when it could be read' }),
    eventType: NullableString({ description: 'The envelope type, when it could be read' }),
    topic: Type.String(),
    partition: Type.Integer(),
    offset: Type.Integer(),
    raw: Type.String({ description: `The message as UTF-8 text (invalid bytes as U+FFFD), its first ${QUARANTINE_PREVIEW_BYTES} bytes` }),
    rawBytes: Type.Integer({ description: 'Size of the whole message' }),
    rawTruncated: Type.Boolean({ description: 'Whether raw is only the start of the message' }),
  },
  { additionalProperties: false },
);

export const QuarantinePage = Type.Object(
  { messages: Type.Array(QuarantinedMessage), nextCursor: NullableString({ description: 'Pass as `cursor` for the next page; null on the last page' }) },
  { additionalProperties: false },
);
