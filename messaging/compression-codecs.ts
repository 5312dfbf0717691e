/**
 * The Kafka compression codecs kafkajs 2.2.4 lacks — Snappy, LZ4 and ZStandard — so that ingest reads
 * topics whose producers (or whose `compression.type`) use them: without them the consumer stopped on
 * the first such batch ("KafkaJSNotImplemented: LZ4 compression not implemented", RETOUR_CONSUMER_CRASHED).
 * Pure JavaScript (kafkajs-snappy over snappyjs, lz4js, fzstd): nothing to compile on install.
 * Retour itself produces uncompressed or gzip, so only decompression is offered.
 */
import kafkajs from 'kafkajs';
import snappyCodec from 'kafkajs-snappy';
import { decompress as decompressLz4Frame } from 'lz4js';
import { decompress as decompressZstd } from 'fzstd';

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

function decompressOnly(name: string, decompress: (buffer: Buffer) => Buffer | Promise<Buffer>): () => Codec {
  return () => ({
    compress: () => Promise.reject(new Error(`Retour does not produce ${name}-compressed messages (none or gzip)`)),
    decompress: async (buffer) => decompress(buffer),
  });
}

// kafkajs is CommonJS and Node's ESM loader does not see this export by name.
const { CompressionCodecs, CompressionTypes } = kafkajs;

let registered = false;

/** Registers the codecs with kafkajs (process-wide; idempotent). Called before any client is made. */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  CompressionCodecs[CompressionTypes.Snappy] = snappyCodec;
  // Kafka's LZ4 is the LZ4 frame format (record batch v2; the broken v0/v1 header checksum is not checked).
  CompressionCodecs[CompressionTypes.LZ4] = decompressOnly('LZ4', (buffer) => Buffer.from(decompressLz4Frame(buffer)));
  CompressionCodecs[CompressionTypes.ZSTD] = decompressOnly('ZStandard', (buffer) => {
    const bytes = decompressZstd(buffer);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  });
}
