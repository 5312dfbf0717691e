// Types of the untyped codec packages, as far as messaging/compression-codecs.ts uses them.
declare module 'kafkajs-snappy' {
  const snappyCodec: () => { compress(encoder: { buffer: Buffer }): Promise<Buffer>; decompress(buffer: Buffer): Promise<Buffer> };
  export default snappyCodec;
}

declare module 'lz4js' {
  /** Decompresses one LZ4 frame. */
  export function decompress(source: Uint8Array, maxSize?: number): Uint8Array;
}
