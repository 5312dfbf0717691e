import type { SeededRandom } from '../models/random/seeded-random.ts';

// Crockford base32, lower case: no i, l, o, u, so ids are unambiguous when read aloud.
const BASE32 = '0123456789abcdefghjkmnpqrstvwxyz';
const HEX = '0123456789abcdef';

export interface OpaqueIdFactory {
  /** `prefix_` + random base32 characters (default 18, i.e. 90 bits): never sequential, never meaningful. */
  id(prefix: string, length?: number): string;
  /** Lower-case hex of the given length, shaped like a digest or fingerprint. */
  hex(length: number): string;
}

/**
 * Opaque identifiers drawn from their own random stream, so that ids never encode behaviour or order.
 * @example
 * const ids = createOpaqueIdFactory(createSeededRandom(1));
 * ids.id('ord'); // 'ord_7m2k…' (18 base32 characters)
 * ids.hex(64);   // 'a3f0…' (64 hex digits)
 */
export function createOpaqueIdFactory(random: SeededRandom): OpaqueIdFactory {
  const base32Codes = Array.from(BASE32, (char) => char.charCodeAt(0));
  const hexCodes = Array.from(HEX, (char) => char.charCodeAt(0));
  // One reusable buffer and one String.fromCharCode call per id: ids are made millions of times.
  const codes: number[] = [];
  const draw = (prefix: string, alphabet: readonly number[], bits: number, length: number): string => {
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`id length must be a positive integer, got ${length}`);
    const perWord = Math.floor(32 / bits);
    const mask = (1 << bits) - 1;
    codes.length = length;
    let word = 0;
    let left = 0;
    for (let index = 0; index < length; index++) {
      if (left === 0) {
        word = Math.floor(random.next() * 4294967296) >>> 0;
        left = perWord;
      }
      codes[index] = alphabet[word & mask]!;
      word >>>= bits;
      left--;
    }
    return prefix + String.fromCharCode.apply(null, codes);
  };
  return {
    id: (prefix, length = 18) => draw(`${prefix}_`, base32Codes, 5, length),
    hex: (length) => draw('', hexCodes, 4, length),
  };
}
