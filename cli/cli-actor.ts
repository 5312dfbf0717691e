import { userInfo } from 'node:os';
import type { AuditActor } from '../store/api/audit-log.ts';

/** The CLI as an audit actor: key id and role `cli`, the operating-system user as the name. */
export function cliActor(): AuditActor {
  let user = 'unknown user';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): keep the placeholder.
  }
  return { keyId: 'cli', keyName: user, role: 'cli', requestId: '' };
}
