import { CONFIG_VARIABLES } from './config-variables.ts';

/** The README's configuration table, as markdown rows (the README must contain exactly these). */
export function configTableMarkdown(): string {
  const rows = Object.entries(CONFIG_VARIABLES).map(
    ([name, spec]) => `| \`${name}\` | ${spec.defaultText === '' ? '(empty)' : `\`${spec.defaultText}\``} | ${spec.rule} | ${spec.description} |`,
  );
  return ['| variable | default | rule | meaning |', '|---|---|---|---|', ...rows].join('\n');
}
