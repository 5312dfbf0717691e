/**
 * Removes outputs and execution counts from notebooks before they are committed (outputs belong in
 * build/notebooks/, see notebooks/README.md). Usage: node bin/run-ts.mjs scripts/strip-notebook-outputs.ts [FILE.ipynb…]
 * (default: every notebooks/*.ipynb). Prints the files it changed.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NotebookJson } from './notebooks/notebook-json.ts';
import { stripNotebookOutputs } from './notebooks/strip-notebook-outputs.ts';

const notebooksDir = join(import.meta.dirname, '..', 'notebooks');
const args = process.argv.slice(2);
const files = args.length > 0 ? args : readdirSync(notebooksDir).filter((name) => name.endsWith('.ipynb')).sort().map((name) => join(notebooksDir, name));
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  // Jupyter writes one-space indentation and a final newline; keep that so diffs stay small.
  const stripped = `${JSON.stringify(stripNotebookOutputs(JSON.parse(text) as NotebookJson), null, 1)}\n`;
  if (stripped !== text) {
    writeFileSync(file, stripped);
    console.log(`stripped ${file}`);
  }
}
