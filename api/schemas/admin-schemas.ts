/** Schemas of the admin routes: API keys and the audit log. */
import { Type } from '@sinclair/typebox';
import { API_ROLES } from '../../domain/api-roles.ts';
import { NullableString } from './common-schemas.ts';


/** A key id is the 12 hex digits after `rtr_` in the key itself. */
export const KEY_ID_PATTERN = '^[0-9a-f]{12}$';

export const KeyParams = Type.Object(
  { keyId: Type.String({ pattern: KEY_ID_PATTERN, description: 'The key id: the 12 hex digits after rtr_ in the key' }) },
  { additionalProperties: false },
);

export const KeyListQuery = Type.Object(
  { includeRevoked: Type.Optional(Type.Boolean({ default: false, description: 'Also list revoked keys' })) },
  { additionalProperties: false },
);

/** The name of a key created without one: the CLI's default (`retour keys create`, cli/commands/keys-command.ts). */
export function defaultKeyName(role: string): string {
  return `${role} key`;
}

export const KeyCreateRequest = Type.Object(
  {
    // A union of literals, not a bare enum: the body is checked by TypeBox's compiler, which needs its own kinds.
    role: Type.Union(API_ROLES.map((role) => Type.Literal(role)), { description: 'What the key may do (docs/api.md § Roles)' }),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 128,
        pattern: '\\S',
        errorMessage: 'must be 1 to 128 characters, not only spaces',
        description: `Who or what uses the key; shown in the audit log and as decidedBy. Default "<role> key", as \`retour keys create\``,
      }),
    ),
  },
  { additionalProperties: false, examples: [{ role: 'risk', name: 'alice' }] },
);

export const ApiKeyInfo = Type.Object(
  {
    keyId: Type.String(),
    name: Type.String(),
    role: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    revokedAt: NullableString({ format: 'date-time', description: 'When it was revoked; null while active' }),
  },
  { additionalProperties: false },
);

export const KeyList = Type.Object({ keys: Type.Array(ApiKeyInfo) }, { additionalProperties: false });

export const CreatedKey = Type.Object(
  {
    keyId: Type.String(),
    key: Type.String({ description: 'The key, shown this once: only its SHA-256 is stored' }),
    name: Type.String(),
    role: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

/** Every action the audit log records (store/api/api-keys.ts, store/api/record-review-decision.ts, api/routes/model-routes.ts). */
export const AUDIT_ACTIONS = ['flag.decide', 'flag.correct', 'key.create', 'key.revoke', 'model.train', 'model.promote'] as const;

export const AuditQuery = Type.Object(
  {
    // An enum, so a misspelt action is a 400 listing the actions, not an empty page.
    action: Type.Optional(Type.Unsafe<(typeof AUDIT_ACTIONS)[number]>({ type: 'string', enum: [...AUDIT_ACTIONS], description: 'Only this action' })),
    keyId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'Only actions taken with this key id (cli for the command line)' })),
    target: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Only actions on this flag or key id' })),
    since: Type.Optional(Type.String({ format: 'date-time', description: 'Only actions at or after this time' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'Page size' })),
    cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', errorMessage: 'must be a cursor returned by a previous page', description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const AuditEntry = Type.Object(
  {
    auditId: Type.Integer(),
    occurredAt: Type.String({ format: 'date-time' }),
    keyId: Type.String({ description: 'The key that acted (cli for the command line)' }),
    keyName: Type.String(),
    role: Type.String(),
    action: Type.String({ description: AUDIT_ACTIONS.join(', ') }),
    target: Type.String({ description: 'The flag or key acted on' }),
    requestId: Type.String({ description: 'The request id in the server logs (empty for the command line)' }),
    details: Type.Record(Type.String(), Type.Unknown(), { description: 'What was done: verdict and note, or role and name' }),
  },
  { additionalProperties: false },
);

export const AuditPage = Type.Object(
  { entries: Type.Array(AuditEntry), nextCursor: NullableString({ description: 'Pass as `cursor` for the next page; null on the last page' }) },
  { additionalProperties: false },
);
