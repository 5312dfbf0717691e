/**
 * Runs the forest benchmark on its own: `node bin/run-ts.mjs scripts/bench/run-forest-bench.ts [--rows=…]`.
 * Prints the figures, then the result as one JSON line (last line of stdout).
 */
import { runForestBench } from './forest-bench.ts';

const result = await runForestBench(process.argv.slice(2));
console.log(JSON.stringify(result));
