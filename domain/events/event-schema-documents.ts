import { EVENT_DATA_SCHEMAS, envelopeSchema, type EventType } from './event-schemas.ts';

/** JSON Schema (draft 2020-12) documents, one per event type: `<type>.schema.json` → document. */
export function eventSchemaDocuments(): Record<string, unknown> {
  const documents: Record<string, unknown> = {};
  for (const [type, dataSchema] of Object.entries(EVENT_DATA_SCHEMAS)) {
    const schema = envelopeSchema(dataSchema, type as EventType);
    documents[`${type}.schema.json`] = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `retour/v1/${type}`,
      title: `${type} (Retour event contract v1)`,
      // JSON.parse(JSON.stringify()) drops TypeBox's symbol keys, leaving plain JSON Schema.
      ...JSON.parse(JSON.stringify(schema)),
      // CloudEvents 1.0 § Attribute Naming Convention, which decodeEvent checks in code (an extension
      // attribute such as "Trace-Id" is quarantined): every attribute name, the envelope's included.
      propertyNames: { pattern: '^[a-z0-9]+$' },
    };
  }
  return documents;
}
