import type { Logger } from 'pino';
import type { Config } from '../config/load-config.ts';

export type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean; description: string; valueName?: string };

export interface CommandContext {
  /** Parsed --options (strings or booleans, as declared). */
  options: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  /** Configuration, parsed once from the environment when the command starts. */
  config: Config;
  logger: Logger;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Aborted on SIGINT/SIGTERM: long-running commands drain and return. */
  signal: AbortSignal;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage line(s) after `retour `. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Longer help text (examples, notes). */
  details?: string;
  /** What to use instead while `retour serve` holds the database: added to the "in use by PID" error. */
  whileServing?: string;
  /** Returns the process exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Exit code for subcommands that exist in the CLI but are not built yet. */
export const EXIT_NOT_AVAILABLE = 2;
