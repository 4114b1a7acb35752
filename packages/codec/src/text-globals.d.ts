// The codec is pure (no Node types, no DOM lib), yet TextEncoder/TextDecoder are globals in every
// runtime we target. Declare only what the codec uses; interfaces merge with Node's or the DOM's.
interface TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): { read: number; written: number };
}
interface TextDecoder {
  decode(input?: Uint8Array): string;
}
// eslint-disable-next-line no-var -- a global value can only be declared with var
declare var TextEncoder: { new (): TextEncoder };
// eslint-disable-next-line no-var -- a global value can only be declared with var
declare var TextDecoder: { new (label?: string, options?: { fatal?: boolean }): TextDecoder };
