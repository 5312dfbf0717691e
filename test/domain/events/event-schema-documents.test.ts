import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventSchemaDocuments } from '../../../domain/events/event-schema-documents.ts';

const directory = join(import.meta.dirname, '../../../docs/events');

describe('docs/events/*.schema.json', () => {
  it('are exactly what the TypeBox contract generates (run scripts/write-event-schemas.ts after a change)', () => {
    const generated = eventSchemaDocuments();
    const committed = readdirSync(directory).filter((file) => file.endsWith('.schema.json')).sort();
    expect(committed).toEqual(Object.keys(generated).sort());
    for (const [file, document] of Object.entries(generated)) {
      expect(JSON.parse(readFileSync(join(directory, file), 'utf8')), file).toEqual(document);
    }
  });
});
