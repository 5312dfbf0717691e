/**
 * Fails (exit 1) when an executed notebook has an error output or a display cell without output.
 * Usage: node bin/run-ts.mjs scripts/check-executed-notebooks.ts EXECUTED.ipynb… (scripts/run-notebooks.sh calls it).
 */
import { readFileSync } from 'node:fs';
import type { NotebookJson } from './notebooks/notebook-json.ts';
import { findNotebookOutputProblems } from './notebooks/find-notebook-output-problems.ts';

let failed = false;
for (const file of process.argv.slice(2)) {
  const problems = findNotebookOutputProblems(JSON.parse(readFileSync(file, 'utf8')) as NotebookJson);
  for (const problem of problems) console.error(`${file}: ${problem}`);
  failed ||= problems.length > 0;
}
process.exitCode = failed ? 1 : 0;
