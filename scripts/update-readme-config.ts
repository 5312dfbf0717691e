/** Rewrites the configuration table in README.md from config/config-variables.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configTableMarkdown } from '../config/config-table.ts';

const readmePath = join(import.meta.dirname, '..', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const updated = readme.replace(
  /(<!-- config-table:start -->\n)[\s\S]*?(<!-- config-table:end -->)/,
  (_match, start: string, end: string) => `${start}${configTableMarkdown()}\n${end}`,
);
writeFileSync(readmePath, updated);
console.log(updated === readme ? 'README.md configuration table already up to date' : 'README.md configuration table updated');
