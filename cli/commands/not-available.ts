import { EXIT_NOT_AVAILABLE, type Command, type OptionSpec } from '../command.ts';

/** A subcommand the CLI already names but this version cannot run yet: says so, exits 2. */
export function notAvailableCommand(spec: { name: string; summary: string; usage: string; options?: Record<string, OptionSpec> }): Command {
  return {
    ...spec,
    options: spec.options ?? {},
    async run(context) {
      context.stderr.write(`retour ${spec.name}: not yet available in this version (RETOUR_NOT_AVAILABLE)\n`);
      return EXIT_NOT_AVAILABLE;
    },
  };
}
