// Process entry of the `retour` command (bin/retour.mjs): run, and map errors to exit codes.
import { isRetourError } from '../domain/errors/retour-error.ts';
import { main } from './main.ts';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error: unknown) {
  if (isRetourError(error)) {
    process.stderr.write(`retour: ${error.message} (${error.code})\n`);
  } else {
    process.stderr.write(`retour: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  // Every usage error exits 2, whether a command returns it or throws it.
  process.exitCode = isRetourError(error, 'RETOUR_USAGE') ? 2 : 1;
}
