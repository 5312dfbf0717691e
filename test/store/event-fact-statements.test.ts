import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../domain/events/event-schemas.ts';
import { INSERT_STAGED_FACTS } from '../../store/event-fact-statements.ts';

describe('INSERT_STAGED_FACTS', () => {
  it('names, for each statement, the one event type it reads (statements of types a batch lacks are skipped on that name)', () => {
    for (const fact of INSERT_STAGED_FACTS) {
      const typesRead = [...fact.sql.matchAll(/WHERE type = '([^']+)'/g)].map((match) => match[1]);
      expect(typesRead, fact.table).toEqual([fact.eventType]);
      expect(EVENT_TYPES, fact.table).toContain(fact.eventType);
    }
  });

  it('has a statement for every event type of the contract', () => {
    expect(new Set(INSERT_STAGED_FACTS.map((fact) => fact.eventType))).toEqual(new Set(EVENT_TYPES));
  });
});
