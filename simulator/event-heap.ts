/**
 * A binary min-heap of scheduled items ordered by time, then by insertion order, so items at the
 * same instant come out in the order they were scheduled (one customer's causal order is kept).
 */
export class EventHeap<T> {
  private readonly times: number[] = [];
  private readonly sequences: number[] = [];
  private readonly items: T[] = [];
  private nextSequence = 0;

  get size(): number {
    return this.items.length;
  }

  /** Time of the earliest item, or Infinity when empty. */
  peekTime(): number {
    return this.items.length === 0 ? Number.POSITIVE_INFINITY : this.times[0]!;
  }

  push(time: number, item: T): void {
    if (!Number.isFinite(time)) throw new RangeError(`scheduled time must be finite, got ${time}`);
    let index = this.items.length;
    const sequence = this.nextSequence++;
    this.times.push(time);
    this.sequences.push(sequence);
    this.items.push(item);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(time, sequence, this.times[parent]!, this.sequences[parent]!)) break;
      this.move(parent, index);
      index = parent;
    }
    this.times[index] = time;
    this.sequences[index] = sequence;
    this.items[index] = item;
  }

  /** Removes and returns the earliest item; undefined when empty. */
  pop(): T | undefined {
    const count = this.items.length;
    if (count === 0) return undefined;
    const top = this.items[0]!;
    const lastTime = this.times.pop()!;
    const lastSequence = this.sequences.pop()!;
    const lastItem = this.items.pop()!;
    if (count === 1) return top;
    let index = 0;
    const size = count - 1;
    for (;;) {
      let child = 2 * index + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && this.before(this.times[right]!, this.sequences[right]!, this.times[child]!, this.sequences[child]!)) child = right;
      if (!this.before(this.times[child]!, this.sequences[child]!, lastTime, lastSequence)) break;
      this.move(child, index);
      index = child;
    }
    this.times[index] = lastTime;
    this.sequences[index] = lastSequence;
    this.items[index] = lastItem;
    return top;
  }

  private before(timeA: number, sequenceA: number, timeB: number, sequenceB: number): boolean {
    return timeA < timeB || (timeA === timeB && sequenceA < sequenceB);
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from]!;
    this.sequences[to] = this.sequences[from]!;
    this.items[to] = this.items[from]!;
  }
}
