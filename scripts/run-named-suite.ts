/**
 * Shared runner of `npm run bench -- NAME` and `npm run eval -- NAME`: each NAME maps to a module
 * under scripts/bench/ or scripts/eval/ exporting an async function that prints its own figures
 * and returns a summary; the summary is printed as the JSON last line.
 */
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

/** A wrong option of a bench or eval: printed as one line (no stack trace), exit code 2. */
export class SuiteUsageError extends Error {}

/**
 * A numeric option of a bench or eval, checked: `Number()` alone turned "abc" into NaN (a RangeError
 * deep in the simulator) and a --step-days of 0 into a loop that never ends.
 */
export function suiteNumber(name: string, raw: string, rule: { min: number; max?: number; integer?: boolean }): number {
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const max = rule.max ?? Number.MAX_SAFE_INTEGER;
  if (!(value >= rule.min && value <= max) || (rule.integer === true && !Number.isInteger(value))) {
    throw new SuiteUsageError(`--${name} must be ${rule.integer === true ? 'a whole number' : 'a number'} from ${rule.min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

export interface SuiteEntry {
  /** Module path relative to scripts/. */
  module: string;
  /** Exported function name: (args: string[]) => Promise<Record<string, unknown>>. */
  exportName: string;
  summary: string;
}

export async function runNamedSuite(kind: 'bench' | 'eval', entries: Record<string, SuiteEntry>, argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || !(name in entries)) {
    const lines = [`usage: npm run ${kind} -- NAME [options]`, '', 'NAME is one of:'];
    for (const [key, entry] of Object.entries(entries)) lines.push(`  ${key.padEnd(14)} ${entry.summary}`);
    lines.push(`  ${'all'.padEnd(14)} every one of the above, in turn`);
    if (name === 'all') {
      let failures = 0;
      for (const key of Object.keys(entries)) failures += await runNamedSuite(kind, entries, [key, ...args]);
      return failures === 0 ? 0 : 1;
    }
    console.log(lines.join('\n'));
    return name === undefined || name === '--help' ? 0 : 2;
  }
  const entry = entries[name]!;
  const module = (await import(pathToFileURL(join(import.meta.dirname, entry.module)).href)) as Record<string, unknown>;
  const run = module[entry.exportName];
  if (typeof run !== 'function') throw new Error(`${entry.module} does not export ${entry.exportName}`);
  let result: Record<string, unknown>;
  try {
    result = (await (run as (args: string[]) => Promise<Record<string, unknown>>)(args)) ?? {};
  } catch (error: unknown) {
    if (!(error instanceof SuiteUsageError)) throw error;
    console.error(`npm run ${kind} -- ${name}: ${error.message}`);
    return 2;
  }
  console.log(JSON.stringify({ [kind]: name, ...result }));
  return 0;
}
