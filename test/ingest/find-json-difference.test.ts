import { describe, expect, it } from 'vitest';
import { findJsonDifference } from '../../ingest/find-json-difference.ts';

describe('findJsonDifference', () => {
  it('treats objects with the same members in another key order as equal', () => {
    expect(findJsonDifference({ a: 1, b: { c: [1, { d: null }] } }, { b: { c: [1, { d: null }] }, a: 1 })).toBeUndefined();
  });

  it('names the path of the first difference', () => {
    expect(findJsonDifference({ data: { lines: [{ quantity: 2 }] } }, { data: { lines: [{ quantity: 3 }] } })).toBe('$.data.lines[0].quantity');
    expect(findJsonDifference({ a: [1, 2] }, { a: [1, 2, 3] })).toBe('$.a');
    expect(findJsonDifference({ a: 1 }, { a: 1, 'odd key': 2 })).toBe('$["odd key"]');
    expect(findJsonDifference({ a: 1, b: 2 }, { a: 1, c: 2 })).toBe('$.b');
  });

  it('distinguishes arrays from objects, null from objects and 1 from "1"', () => {
    expect(findJsonDifference([], {})).toBe('$');
    expect(findJsonDifference(null, {})).toBe('$');
    expect(findJsonDifference({ a: 1 }, { a: '1' })).toBe('$.a');
  });
});
