/**
 * The `retour` command line: parses the subcommand and its options, loads configuration once,
 * and turns errors into a clear message and a non-zero exit code.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, unknownRetourVariables } from '../config/load-config.ts';
import { isRetourError, RetourError } from '../domain/errors/retour-error.ts';
import type { Command } from './command.ts';
import { COMMANDS } from './commands/index.ts';
import { createLogger } from './create-logger.ts';

function formatHelp(command: Command): string {
  const lines = [`Usage: retour ${command.usage}`, '', command.summary];
  const options = Object.entries(command.options);
  if (options.length > 0) {
    lines.push('', 'Options:');
    for (const [name, spec] of options) {
      const flag = `--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
      lines.push(`  ${flag.padEnd(28)} ${spec.description}`);
    }
  }
  lines.push(`  ${'--help'.padEnd(28)} Show this help`);
  if (command.details !== undefined) lines.push('', command.details);
  return `${lines.join('\n')}\n`;
}

/** The version in package.json (read when asked: the CLI has no build step to bake it in). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function formatOverview(): string {
  const lines = ['Usage: retour COMMAND [options]', '', 'Commands:'];
  for (const command of COMMANDS) lines.push(`  ${command.name.padEnd(10)} ${command.summary}`);
  lines.push(`  ${'--version'.padEnd(10)} Print the version`);
  lines.push('', 'Run `retour COMMAND --help` for the options of a command. Configuration: RETOUR_* variables (see README).');
  return `${lines.join('\n')}\n`;
}

/** Commands that run until stopped; their fatal error is logged as well as printed. */
const LONG_RUNNING = new Set(['serve', 'ingest']);

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(formatOverview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`retour ${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    process.stderr.write(`retour: unknown command ${JSON.stringify(name)}\n\n${formatOverview()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error: unknown) {
    process.stderr.write(`retour ${command.name}: ${error instanceof Error ? error.message : String(error)}\n\n${formatHelp(command)}`);
    return 2;
  }
  if (parsed.values['help'] === true) {
    process.stdout.write(formatHelp(command));
    return 0;
  }
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  for (const unknown of unknownRetourVariables(process.env)) logger.warn({ variable: unknown }, `${unknown} is not a Retour setting; ignored`);
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (abort.signal.aborted) {
      // A second Ctrl-C means "now": skip draining.
      process.stderr.write(`retour: ${signal} again, exiting immediately\n`);
      process.exit(130);
    }
    logger.info({ signal }, 'shutting down');
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await command.run({
      options: parsed.values as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
      config,
      logger,
      stdout: process.stdout,
      stderr: process.stderr,
      signal: abort.signal,
    });
  } catch (error: unknown) {
    // The long-running commands' logs are read by a log pipeline: why the process ends must be a
    // JSON line there too, not only the plain "retour: …" line run-cli.ts prints last.
    if (isRetourError(error, 'RETOUR_DB_IN_USE') && command.whileServing !== undefined) {
      throw new RetourError('RETOUR_DB_IN_USE', `${error.message}. ${command.whileServing}`, { cause: error, details: error.details });
    }
    if (LONG_RUNNING.has(command.name) && !isRetourError(error, 'RETOUR_USAGE')) {
      logger.fatal({ err: error, code: isRetourError(error) ? error.code : undefined }, `retour ${command.name} stopped on an error`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    logger.flush();
  }
}

