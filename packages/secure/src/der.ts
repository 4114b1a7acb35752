/**
 * The few DER (ITU-T X.690) constructions that ims's two certificate shapes need. Encoding only:
 * OpenSSL parses and verifies what this writes (certificates.spec.ts checks both).
 */

/** One TLV: tag, definite length, body. */
export function tlv(tag: number, ...parts: readonly Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : undefined;
  if (length === undefined) throw new RangeError(`DER body of ${n} bytes is over this writer's 65,535`);
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

/** SEQUENCE. */
export const sequence = (...parts: readonly Uint8Array[]): Buffer => tlv(0x30, ...parts);

/** A positive INTEGER from big-endian bytes (a leading zero is added when the top bit is set). */
export function integer(bytes: Uint8Array): Buffer {
  const first = bytes[0] ?? 0;
  return tlv(0x02, first >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** An OBJECT IDENTIFIER from its pre-encoded content bytes (hex). */
export const oid = (contentHex: string): Buffer => tlv(0x06, Buffer.from(contentHex, 'hex'));

/** BOOLEAN TRUE. */
export const TRUE = Buffer.from([0x01, 0x01, 0xff]);

/** UTF8String. */
export const utf8String = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));

/** GeneralizedTime `YYYYMMDDHHMMSSZ`. */
export const generalizedTime = (text: string): Buffer => tlv(0x18, Buffer.from(text, 'ascii'));

/** BIT STRING with no unused bits. */
export const bitString = (bytes: Uint8Array): Buffer => tlv(0x03, Buffer.from([0]), bytes);

/** OCTET STRING. */
export const octetString = (bytes: Uint8Array): Buffer => tlv(0x04, bytes);

/** A context-specific constructed tag `[n]`. */
export const explicit = (n: number, ...parts: readonly Uint8Array[]): Buffer => tlv(0xa0 + n, ...parts);
