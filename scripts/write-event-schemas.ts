/**
 * Writes one JSON Schema document per event type to docs/events/ from the TypeBox definitions
 * (the single source). test/domain/events/event-schema-documents.test.ts fails when they drift.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventSchemaDocuments } from '../domain/events/event-schema-documents.ts';

const directory = join(import.meta.dirname, '..', 'docs', 'events');
for (const [fileName, document] of Object.entries(eventSchemaDocuments())) {
  writeFileSync(join(directory, fileName), `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote docs/events/${fileName}`);
}
