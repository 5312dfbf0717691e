import { describe, expect, it } from 'vitest';
import { PartitionPositions } from '../../../messaging/consumer/partition-positions.ts';

const messagesAt = (...offsets: number[]) => offsets.map((offset) => ({ offset }));
const chunk = (fetchedOffset: number, lastOffset: number, offsets: number[]) => ({
  topic: 'orders',
  partition: 0,
  fetchedOffset,
  lastOffset,
  messages: messagesAt(...offsets),
});

describe('PartitionPositions', () => {
  it('accepts everything from a partition it has no position for, and remembers the end', () => {
    const positions = new PartitionPositions();
    const verdict = positions.admit(chunk(5, 7, [5, 6, 7]));
    expect(verdict).toEqual({ kind: 'accept', messages: messagesAt(5, 6, 7), skipped: 0, gap: 0, nextOffset: 8 });
    expect(positions.get('orders', 0)).toBe(8);
  });

  it('never hands over a message below the position (re-delivery after a seek or a restart)', () => {
    const positions = new PartitionPositions();
    positions.set('orders', 0, 100);
    const verdict = positions.admit(chunk(90, 102, [90, 95, 99, 100, 101, 102]));
    expect(verdict).toEqual({ kind: 'accept', messages: messagesAt(100, 101, 102), skipped: 3, gap: 0, nextOffset: 103 });
    // The same chunk again hands over nothing.
    expect(positions.admit(chunk(90, 102, [90, 95, 99, 100, 101, 102]))).toMatchObject({ kind: 'accept', messages: [], skipped: 6, nextOffset: 103 });
  });

  it('moves past trailing control records: the position is the last offset covered, not the last message', () => {
    const positions = new PartitionPositions();
    positions.set('orders', 0, 10);
    expect(positions.admit(chunk(10, 12, [10, 11]))).toMatchObject({ kind: 'accept', nextOffset: 13 });
    expect(positions.admit(chunk(13, 14, [14]))).toMatchObject({ kind: 'accept', messages: messagesAt(14), gap: 0, nextOffset: 15 });
  });

  it('sends a chunk that starts beyond the position back, so no offset is skipped', () => {
    const positions = new PartitionPositions();
    positions.set('orders', 0, 50);
    expect(positions.admit(chunk(80, 90, [80, 90]))).toEqual({ kind: 'reseek', offset: 50, attempt: 1 });
    expect(positions.get('orders', 0)).toBe(50);
    // After the seek kafkajs fetches from 50 again.
    expect(positions.admit(chunk(50, 60, [50, 60]))).toMatchObject({ kind: 'accept', messages: messagesAt(50, 60), gap: 0, nextOffset: 61 });
  });

  it('accepts a hole as real once seeking back keeps landing beyond it (retention deleted those offsets)', () => {
    const positions = new PartitionPositions({ reseekLimit: 2 });
    positions.set('orders', 0, 50);
    expect(positions.admit(chunk(80, 81, [80, 81]))).toMatchObject({ kind: 'reseek', attempt: 1 });
    expect(positions.admit(chunk(80, 81, [80, 81]))).toMatchObject({ kind: 'reseek', attempt: 2 });
    expect(positions.admit(chunk(80, 81, [80, 81]))).toEqual({ kind: 'accept', messages: messagesAt(80, 81), skipped: 0, gap: 30, nextOffset: 82 });
  });

  it('counts misses per partition and forgets them once a chunk is accepted', () => {
    const positions = new PartitionPositions({ reseekLimit: 1 });
    positions.set('orders', 0, 10);
    positions.set('orders', 1, 10);
    expect(positions.admit(chunk(20, 20, [20]))).toMatchObject({ kind: 'reseek', attempt: 1 });
    expect(positions.admit({ ...chunk(20, 20, [20]), partition: 1 })).toMatchObject({ kind: 'reseek', attempt: 1 });
    expect(positions.admit(chunk(10, 10, [10]))).toMatchObject({ kind: 'accept' });
    expect(positions.admit(chunk(30, 30, [30]))).toMatchObject({ kind: 'reseek', offset: 11, attempt: 1 });
  });

  it('rejects invalid positions and limits with a message naming the value', () => {
    expect(() => new PartitionPositions({ reseekLimit: -1 })).toThrow(/reseekLimit must be an integer >= 0; got -1/);
    expect(() => new PartitionPositions().set('orders', 3, -5)).toThrow(/nextOffset of orders\[3\] must be a safe integer >= 0; got -5/);
  });
});
