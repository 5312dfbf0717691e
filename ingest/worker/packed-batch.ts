/**
 * A consumed and decoded micro-batch in a form that crosses from the ingest worker thread to the
 * writer thread cheaply: the message values in ONE ArrayBuffer that is transferred (moved, not
 * copied), numbers in typed arrays, and the few strings per message in flat arrays. Posting the
 * batch as an array of message objects instead would make the writer thread deserialize thousands
 * of small objects in one synchronous stretch — the very event-loop stall the worker is there to avoid.
 */
import type { TopicPartitionOffset } from '../../messaging/topic-partition-offset.ts';
import { EVENT_TYPES, type EventType } from '../../domain/events/event-schemas.ts';
import type { DecodedEvent, DecodedMessage } from '../decode-raw-message.ts';
import type { EventRejection } from '../../domain/events/decode-event.ts';

/** A message as the worker hands it over: a Kafka record's coordinates and value. */
export interface PackableMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly value: Uint8Array | null;
}

export interface PackedBatch {
  readonly count: number;
  /** Distinct topic names; `topicIndex[i]` points into it. */
  readonly topics: readonly string[];
  readonly topicIndex: Uint16Array;
  readonly partitions: Int32Array;
  readonly offsets: Float64Array;
  /** All values back to back; message i is `values[valueStarts[i] .. valueStarts[i] + valueLengths[i]]`. */
  readonly values: ArrayBuffer;
  readonly valueStarts: Uint32Array;
  /** -1 for a null value (a tombstone). */
  readonly valueLengths: Int32Array;
  /** 1 where the message decoded to an event, 0 where it was rejected. */
  readonly ok: Uint8Array;
  /** Index into EVENT_TYPES of each event (0 for rejections). */
  readonly typeIndex: Uint8Array;
  readonly ids: readonly (string | null)[];
  /** Decoded text when the payload is not the value's bytes (a byte order mark), else null. */
  readonly payloadTexts: readonly (string | null)[];
  readonly canonical: readonly (string | null)[];
  readonly orderIds: readonly (string | null)[];
  readonly amounts: Float64Array;
  readonly currencies: readonly (string | null)[];
  /** The rejection of each rejected message, null for events. */
  readonly rejections: readonly (EventRejection | null)[];
  readonly nextOffsets: readonly TopicPartitionOffset[];
}

const TYPE_INDEX = new Map<string, number>(EVENT_TYPES.map((type, index) => [type, index]));

/** Packs messages and their decoded results (same length, same order); `transfer` lists what to move. */
export function packBatch(
  messages: readonly PackableMessage[],
  decoded: readonly DecodedMessage[],
  nextOffsets: readonly TopicPartitionOffset[],
): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  if (decoded.length !== messages.length) throw new RangeError(`decoded has ${decoded.length} entries for ${messages.length} messages; they must match`);
  const count = messages.length;
  const topics: string[] = [];
  const topicPositions = new Map<string, number>();
  const topicIndex = new Uint16Array(count);
  const partitions = new Int32Array(count);
  const offsets = new Float64Array(count);
  const valueStarts = new Uint32Array(count);
  const valueLengths = new Int32Array(count);
  let totalBytes = 0;
  for (const message of messages) totalBytes += message.value?.byteLength ?? 0;
  const values = new ArrayBuffer(totalBytes);
  const valueBytes = new Uint8Array(values);
  const ok = new Uint8Array(count);
  const typeIndex = new Uint8Array(count);
  const ids: (string | null)[] = new Array<string | null>(count).fill(null);
  const payloadTexts: (string | null)[] = new Array<string | null>(count).fill(null);
  const canonical: (string | null)[] = new Array<string | null>(count).fill(null);
  const orderIds: (string | null)[] = new Array<string | null>(count).fill(null);
  const amounts = new Float64Array(count);
  const currencies: (string | null)[] = new Array<string | null>(count).fill(null);
  const rejections: (EventRejection | null)[] = new Array<EventRejection | null>(count).fill(null);
  let position = 0;
  for (let index = 0; index < count; index++) {
    const message = messages[index]!;
    let topic = topicPositions.get(message.topic);
    if (topic === undefined) {
      topic = topics.push(message.topic) - 1;
      topicPositions.set(message.topic, topic);
    }
    topicIndex[index] = topic;
    partitions[index] = message.partition;
    offsets[index] = message.offset;
    valueStarts[index] = position;
    if (message.value === null) {
      valueLengths[index] = -1;
    } else {
      valueBytes.set(message.value, position);
      valueLengths[index] = message.value.byteLength;
      position += message.value.byteLength;
    }
    const result = decoded[index]!;
    if (!result.ok) {
      rejections[index] = result.rejection;
      continue;
    }
    ok[index] = 1;
    const type = TYPE_INDEX.get(result.type);
    if (type === undefined) throw new RangeError(`decoded event ${result.id} has type ${result.type}, which is not in EVENT_TYPES`);
    typeIndex[index] = type;
    ids[index] = result.id;
    // A payload is either the message's own bytes or text (see DecodedEvent.payload).
    if (typeof result.payload === 'string') payloadTexts[index] = result.payload;
    else if (result.payload !== message.value) throw new RangeError(`decoded payload of message ${index} is neither its value nor text`);
    canonical[index] = result.canonical;
    orderIds[index] = result.orderId ?? null;
    amounts[index] = result.amount;
    currencies[index] = result.currency ?? null;
  }
  const packed: PackedBatch = {
    count,
    topics,
    topicIndex,
    partitions,
    offsets,
    values,
    valueStarts,
    valueLengths,
    ok,
    typeIndex,
    ids,
    payloadTexts,
    canonical,
    orderIds,
    amounts,
    currencies,
    rejections,
    nextOffsets,
  };
  const transfer = [values, topicIndex.buffer, partitions.buffer, offsets.buffer, valueStarts.buffer, valueLengths.buffer, ok.buffer, typeIndex.buffer, amounts.buffer] as ArrayBuffer[];
  return { packed, transfer };
}

/**
 * One message of a PackedBatch, read in place: its coordinates and value (a RawMessage) and, when it
 * decoded to an event, the event (a DecodedEvent), as ONE object holding two fields. The writer keeps
 * a batch's messages alive while DuckDB writes it; with a message object, a value view and a decoded
 * object per message, every young-generation GC on the writer thread copied three objects per
 * message of the batches in flight (20–50 ms pauses at 20,000-message batches). Views of the value
 * are made on access and die young.
 */
class PackedRecord implements DecodedEvent {
  constructor(
    private readonly batch: PackedBatch,
    private readonly index: number,
  ) {}

  get ok(): true {
    return true;
  }
  get topic(): string {
    return this.batch.topics[this.batch.topicIndex[this.index]!]!;
  }
  get partition(): number {
    return this.batch.partitions[this.index]!;
  }
  get offset(): number {
    return this.batch.offsets[this.index]!;
  }
  get value(): Uint8Array | null {
    const length = this.batch.valueLengths[this.index]!;
    return length < 0 ? null : new Uint8Array(this.batch.values, this.batch.valueStarts[this.index]!, length);
  }
  get id(): string {
    return this.batch.ids[this.index]!;
  }
  get type(): EventType {
    return EVENT_TYPES[this.batch.typeIndex[this.index]!] as EventType;
  }
  get payload(): Uint8Array | string {
    const payload = this.batch.payloadTexts[this.index] ?? this.value;
    if (payload === null) throw new RangeError(`packed event ${this.index} has neither a value nor a payload text`);
    return payload;
  }
  get canonical(): string | null {
    return this.batch.canonical[this.index] ?? null;
  }
  get orderId(): string | undefined {
    return this.batch.orderIds[this.index] ?? undefined;
  }
  get amount(): number {
    return this.batch.amounts[this.index]!;
  }
  get currency(): string | undefined {
    return this.batch.currencies[this.index] ?? undefined;
  }
}

/**
 * The messages and decoded results a PackedBatch was made from. `messages[i]` and, for an event,
 * `decoded[i]` are the same PackedRecord; a rejection is its own small object.
 */
export function unpackBatch(packed: PackedBatch): { messages: PackableMessage[]; decoded: DecodedMessage[]; nextOffsets: readonly TopicPartitionOffset[] } {
  const messages = new Array<PackableMessage>(packed.count);
  const decoded = new Array<DecodedMessage>(packed.count);
  for (let index = 0; index < packed.count; index++) {
    const record = new PackedRecord(packed, index);
    messages[index] = record;
    if (packed.ok[index] === 1) {
      if (packed.ids[index] === null || (packed.payloadTexts[index] === null && packed.valueLengths[index]! < 0)) {
        throw new RangeError(`packed event ${index} lacks its id or payload`);
      }
      decoded[index] = record;
      continue;
    }
    const rejection = packed.rejections[index];
    if (rejection === null || rejection === undefined) throw new RangeError(`packed message ${index} is neither an event nor a rejection`);
    decoded[index] = { ok: false, rejection };
  }
  return { messages, decoded, nextOffsets: packed.nextOffsets };
}
