/** The next offset to read in one partition of one topic (the Kafka convention: last read + 1). */
export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
}

/** Map key of a topic partition: `topic|partition` (`|` cannot occur in a topic name). */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}|${partition}`;
}
