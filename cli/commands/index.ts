import type { Command } from '../command.ts';
import { importCommand } from './import-command.ts';
import { ingestCommand } from './ingest-command.ts';
import { jobsCommand } from './jobs-command.ts';
import { modelCommand } from './model-command.ts';
import { notAvailableCommand } from './not-available.ts';
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
  notAvailableCommand({ name: 'export', summary: 'Export a result table', usage: 'export TABLE --format ndjson|csv|parquet [--out FILE]' }),
  notAvailableCommand({ name: 'keys', summary: 'Create API keys', usage: 'keys create --role ROLE [--name NAME]' }),
  statusCommand,
];
