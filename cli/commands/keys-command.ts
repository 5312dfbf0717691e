import { API_ROLES, isApiRole } from '../../domain/api-roles.ts';
import { createApiKey } from '../../store/api/api-keys.ts';
import { openDatabase } from '../../store/open-database.ts';
import type { Command } from '../command.ts';

/** `retour keys create --role ROLE [--name NAME]`: prints the new key as the last line of stdout. */
export const keysCommand: Command = {
  name: 'keys',
  summary: 'Create API keys (stored hashed; the key is printed once)',
  usage: 'keys create --role ROLE [--name NAME]',
  options: {
    role: { type: 'string', valueName: 'ROLE', description: `One of ${API_ROLES.join(', ')}` },
    name: { type: 'string', valueName: 'NAME', description: 'Who or what uses the key (audit log, decidedBy); default "<role> key"' },
  },
  details: 'The key is printed as the last line of stdout and never stored in clear; send it as `Authorization: Bearer KEY`. A running `retour serve` holds the database: create keys before starting it.',
  async run(context) {
    const [action, ...rest] = context.positionals;
    if (action !== 'create' || rest.length > 0) {
      context.stderr.write(`usage: retour ${this.usage} (RETOUR_USAGE)\n`);
      return 2;
    }
    const role = context.options['role'];
    if (typeof role !== 'string' || !isApiRole(role)) {
      context.stderr.write(`retour keys create: --role must be one of ${API_ROLES.join(', ')}; got ${JSON.stringify(role ?? null)} (RETOUR_USAGE)\n`);
      return 2;
    }
    const nameOption = context.options['name'];
    const name = typeof nameOption === 'string' ? nameOption : `${role} key`;
    if (name.trim() === '' || name.length > 128) {
      context.stderr.write(`retour keys create: --name must be 1 to 128 characters; got ${JSON.stringify(name)} (RETOUR_USAGE)\n`);
      return 2;
    }
    const database = await openDatabase({ path: context.config.database });
    try {
      const connection = await database.connect();
      const created = await createApiKey(connection, { role, name, now: new Date() });
      context.stdout.write(`Created ${role} key ${created.keyId} (${name}); it is shown once:\n${created.key}\n`);
      return 0;
    } finally {
      database.close();
    }
  },
};
