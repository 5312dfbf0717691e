import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../../domain/events/decode-event.ts';
import { EVENT_TYPES } from '../../../domain/events/event-schemas.ts';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/events.md'), 'utf8');
const examples = [...doc.matchAll(/^## `([a-z.]+)`\n[\s\S]*?```json\n([\s\S]*?)```/gm)].map((match) => ({
  heading: match[1]!,
  json: match[2]!,
}));

describe('docs/events.md', () => {
  it('has one example for every event type of the contract, in contract order', () => {
    expect(examples.map((example) => example.heading)).toEqual(EVENT_TYPES);
  });

  it.each(examples)('example for $heading is a valid event of that type', ({ heading, json }) => {
    const result = decodeEvent(json);
    if (!result.ok) throw new Error(result.rejection.message);
    expect(result.event.type).toBe(heading);
  });
});
