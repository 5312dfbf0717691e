import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTableMarkdown } from '../../config/config-table.ts';

describe('README configuration table', () => {
  it('lists exactly the variables, defaults and rules of config/config-variables.ts', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const match = /<!-- config-table:start -->\n([\s\S]*?)\n<!-- config-table:end -->/.exec(readme);
    expect(match, 'README.md has the config-table markers').not.toBeNull();
    expect(match![1]).toBe(configTableMarkdown());
  });
});
