import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/commands/index.ts';

const root = join(import.meta.dirname, '../..');
function retour(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [join(root, 'bin/retour.mjs'), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

describe('retour CLI', () => {
  it('lists every command in --help', () => {
    const result = retour(['--help']);
    expect(result.status).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toContain(command.name);
  });

  it.each(COMMANDS.map((command) => command.name))('has --help on %s', (name) => {
    const result = retour([name, '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: retour ${name}`));
  });

  it('rejects an unknown option with exit 2 and the usage', () => {
    const result = retour(['status', '--colour']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/Unknown option '--colour'/);
  });

  it('stops on a wrong setting, naming the variable, the rule and the value', () => {
    const result = retour(['status'], { RETOUR_PORT: 'abc' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('RETOUR_PORT must be an integer from 0 to 65535; got "abc"');
  });
});
