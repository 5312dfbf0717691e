import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../models/random/seeded-random.ts';
import { EventHeap } from '../../simulator/event-heap.ts';

describe('EventHeap', () => {
  it('pops in time order and keeps insertion order among equal times', () => {
    const random = createSeededRandom(3);
    const heap = new EventHeap<{ time: number; order: number }>();
    const items = Array.from({ length: 5000 }, (_, order) => ({ time: random.nextInt(200), order }));
    for (const item of items) heap.push(item.time, item);
    const expected = [...items].sort((a, b) => a.time - b.time || a.order - b.order);
    const popped: { time: number; order: number }[] = [];
    while (heap.size > 0) popped.push(heap.pop()!);
    expect(popped).toEqual(expected);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peekTime()).toBe(Number.POSITIVE_INFINITY);
  });

  it('interleaves pushes and pops correctly', () => {
    const heap = new EventHeap<string>();
    heap.push(5, 'e');
    heap.push(1, 'a');
    expect(heap.pop()).toBe('a');
    heap.push(3, 'c');
    heap.push(3, 'd');
    expect(heap.peekTime()).toBe(3);
    expect([heap.pop(), heap.pop(), heap.pop()]).toEqual(['c', 'd', 'e']);
  });

  it('rejects a non-finite time', () => {
    expect(() => new EventHeap<number>().push(Number.NaN, 1)).toThrow(/scheduled time must be finite/);
  });
});
