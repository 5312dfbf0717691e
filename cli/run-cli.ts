// Process entry of the `retour` command (bin/retour.mjs): run, and map errors to exit codes.
import { isRetourError } from '../domain/errors/retour-error.ts';
import { main } from './main.ts';

/** The reader of stdout went away (`retour export … | head`). */
function isBrokenPipe(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'EPIPE';
}

// Like Unix tools on SIGPIPE: once the reader closes the pipe, stop writing and end quietly with 0.
// (Without a listener, EPIPE is an unhandled 'error' event that crashes with a stack.)
process.stdout.on('error', (error: unknown) => {
  if (!isBrokenPipe(error)) throw error;
  process.exit(0);
});

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error: unknown) {
  if (isBrokenPipe(error) && process.stdout.errored !== null) {
    // A write to the closed stdout that failed as a rejected promise (export's stream pipeline);
    // an EPIPE of anything else is a real error.
    process.exit(0);
  }
  if (isRetourError(error)) {
    process.stderr.write(`retour: ${error.message} (${error.code})\n`);
  } else {
    process.stderr.write(`retour: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  // Every usage error exits 2, whether a command returns it or throws it.
  process.exitCode = isRetourError(error, 'RETOUR_USAGE') ? 2 : 1;
}
