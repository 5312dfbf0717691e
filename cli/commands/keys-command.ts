import type { DuckDBConnection } from '@duckdb/node-api';
import { API_ROLES, isApiRole } from '../../domain/api-roles.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../store/api/api-keys.ts';
import { openDatabase } from '../../store/open-database.ts';
import { cliActor } from '../cli-actor.ts';
import type { Command, CommandContext } from '../command.ts';

const USAGE = 'keys create --role ROLE [--name NAME] | keys list [--all] [--json] | keys revoke KEY_ID';

function usageError(context: CommandContext, message: string): number {
  context.stderr.write(`retour keys: ${message} (RETOUR_USAGE)\nusage: retour ${USAGE}\n`);
  return 2;
}

/** `retour keys create|list|revoke`: API keys, stored hashed; creation and revocation are audited. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'Create, list and revoke API keys (stored hashed; a new key is printed once)',
  whileServing: 'While retour serve runs, an admin key does this over HTTP: POST /v1/keys, GET /v1/keys, DELETE /v1/keys/{keyId}',
  usage: USAGE,
  options: {
    role: { type: 'string', valueName: 'ROLE', description: `create: one of ${API_ROLES.join(', ')}` },
    name: { type: 'string', valueName: 'NAME', description: 'create: who or what uses the key (audit log, decidedBy); default "<role> key"' },
    all: { type: 'boolean', description: 'list: include revoked keys' },
    json: { type: 'boolean', description: 'list: one JSON object per key' },
  },
  details:
    'create prints the key as the last line of stdout; it is never stored in clear. Send it as `Authorization: Bearer KEY`. ' +
    'revoke takes the key id (the 12 hex digits after rtr_, shown by list). Creating and revoking are recorded in the audit log as the OS user. ' +
    'A running `retour serve` holds the database: there, use the admin routes (POST /v1/keys, DELETE /v1/keys/{keyId}) with an admin key.',
  async run(context) {
    const [action, ...rest] = context.positionals;
    if (action === 'create' && rest.length === 0) return createKey(context);
    if (action === 'list' && rest.length === 0) return listKeys(context);
    if (action === 'revoke' && rest.length === 1 && rest[0] !== undefined) return revokeKey(context, rest[0]);
    if (action === undefined) return usageError(context, 'name an action: create, list or revoke');
    if (action === 'revoke' && rest.length === 0) return usageError(context, 'revoke needs the KEY_ID to revoke (the 12 hex digits after rtr_; retour keys list shows them)');
    if (action !== 'create' && action !== 'list' && action !== 'revoke') return usageError(context, `unknown action ${JSON.stringify(action)}; one of create, list, revoke`);
    return usageError(context, `too many arguments for ${action}: ${JSON.stringify(rest.join(' '))}`);
  },
};

async function withConnection<T>(context: CommandContext, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const database = await openDatabase({ path: context.config.database });
  try {
    return await work(await database.connect());
  } finally {
    database.close();
  }
}

async function createKey(context: CommandContext): Promise<number> {
  const role = context.options['role'];
  if (role === undefined) return usageError(context, `create: --role is required: one of ${API_ROLES.join(', ')}`);
  if (typeof role !== 'string' || !isApiRole(role)) return usageError(context, `create: --role must be one of ${API_ROLES.join(', ')}; got ${JSON.stringify(role ?? null)}`);
  const nameOption = context.options['name'];
  const name = typeof nameOption === 'string' ? nameOption : `${role} key`;
  if (name.trim() === '' || name.length > 128) return usageError(context, `create: --name must be 1 to 128 characters; got ${JSON.stringify(name)}`);
  const created = await withConnection(context, (connection) => createApiKey(connection, { role, name, now: new Date(), actor: cliActor() }));
  context.stdout.write(`Created ${role} key ${created.keyId} (${created.name}); it is shown once:\n${created.key}\n`);
  return 0;
}

async function listKeys(context: CommandContext): Promise<number> {
  const keys = await withConnection(context, (connection) => listApiKeys(connection, { includeRevoked: context.options['all'] === true }));
  if (context.options['json'] === true) {
    for (const key of keys) context.stdout.write(`${JSON.stringify(key)}\n`);
    return 0;
  }
  if (keys.length === 0) {
    context.stdout.write('No API keys. Create one with `retour keys create --role ROLE`.\n');
    return 0;
  }
  const header = ['KEY ID', 'ROLE', 'NAME', 'CREATED', 'REVOKED'];
  const rows = keys.map((key) => [key.keyId, key.role, key.name, key.createdAt, key.revokedAt ?? '-']);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  for (const row of [header, ...rows]) context.stdout.write(`${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()}\n`);
  return 0;
}

async function revokeKey(context: CommandContext, keyId: string): Promise<number> {
  const result = await withConnection(context, (connection) => revokeApiKey(connection, { keyId, now: new Date(), actor: cliActor() }));
  if (result === undefined) {
    context.stderr.write(`retour keys revoke: no API key ${JSON.stringify(keyId)}; \`retour keys list --all\` shows the key ids (RETOUR_NOT_FOUND)\n`);
    return 1;
  }
  const verb = result.outcome === 'revoked' ? 'Revoked' : 'Already revoked:';
  context.stdout.write(`${verb} ${result.key.role} key ${result.key.keyId} (${result.key.name}) at ${result.key.revokedAt ?? ''}\n`);
  return 0;
}
