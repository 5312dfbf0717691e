import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../../domain/errors/error-catalogue.ts';
import { RetourError, isRetourError } from '../../../domain/errors/retour-error.ts';

describe('error catalogue', () => {
  it('matches docs/errors.md row for row', () => {
    const doc = readFileSync(join(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `(RETOUR_[A-Z_]+)` \| (\d+) \| (yes|no) \| (.+) \|$/gm)].map((m) => [m[1], Number(m[2]), m[3] === 'yes', m[4]]);
    const catalogue = Object.entries(ERROR_CATALOGUE).map(([code, entry]) => [code, entry.status, entry.retryable, entry.meaning]);
    expect(rows).toEqual(catalogue);
  });

  it('gives errors their status and retryability, and keeps the cause', () => {
    const cause = new Error('socket closed');
    const error = new RetourError('RETOUR_KAFKA_UNAVAILABLE', 'broker 127.0.0.1:19092 unreachable', { cause });
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(isRetourError(error, 'RETOUR_KAFKA_UNAVAILABLE')).toBe(true);
    expect(isRetourError(new Error('x'))).toBe(false);
  });
});
