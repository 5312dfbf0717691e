import type { Command } from '../command.ts';
import { checkCommand } from './check-command.ts';
import { exportCommand } from './export-command.ts';
import { importCommand } from './import-command.ts';
import { ingestCommand } from './ingest-command.ts';
import { jobsCommand } from './jobs-command.ts';
import { modelCommand } from './model-command.ts';
import { keysCommand } from './keys-command.ts';
import { quarantineCommand } from './quarantine-command.ts';
import { serveCommand } from './serve-command.ts';
import { simulateCommand } from './simulate-command.ts';
import { statusCommand } from './status-command.ts';

/** Every `retour` subcommand, in the order `retour --help` lists them. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  ingestCommand,
  importCommand,
  simulateCommand,
  jobsCommand,
  modelCommand,
  exportCommand,
  keysCommand,
  statusCommand,
  quarantineCommand,
  checkCommand,
];
