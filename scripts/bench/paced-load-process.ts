/** Entry of the paced load generator's own process (paced-load.ts): argv is its options as JSON; prints the result as one JSON line. */
import { runPacedLoad, type PacedLoadOptions } from './paced-load.ts';

const options = JSON.parse(process.argv[2] ?? '') as PacedLoadOptions;
process.stdout.write(`${JSON.stringify(await runPacedLoad(options))}\n`);
