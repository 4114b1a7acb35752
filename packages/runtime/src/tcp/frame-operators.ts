/**
 * RxJS operators between byte chunks and frames. `@ims/codec` may not import rxjs (CONTRIBUTING.md §2),
 * so the stream glue lives here, on top of its FrameDecoder and encodeFrame.
 */
import { type Command, type Decoded, encodeFrame } from '@ims/codec';
import { type Observable, type OperatorFunction, defer, map, mergeMap } from 'rxjs';

/** The part of `@ims/codec`'s FrameDecoder the transport needs. */
export interface FrameDecoderLike<T> {
  /** Feeds the next chunk; returns every frame it completed, in order. */
  push(chunk: Uint8Array): readonly Decoded<T>[];
  /** Bytes held for an incomplete frame (slowloris detection). */
  readonly bufferedBytes: number;
}

/** Byte chunks → decoded frames. One decoder per subscription, so each connection keeps its own partial frame. */
export function decodeFrames<T>(decoderFactory: () => FrameDecoderLike<T>): OperatorFunction<Uint8Array, Decoded<T>> {
  return (chunks$: Observable<Uint8Array>) =>
    defer(() => {
      const decoder = decoderFactory();
      return chunks$.pipe(mergeMap((chunk) => decoder.push(chunk)));
    });
}

/** Commands → encoded frames (strict form, docs/protocol.md §2). Throws (errors the stream) on a command our own code built wrong. */
export function encodeFrames<C extends Command>(): OperatorFunction<C, Uint8Array> {
  return map((command) => encodeFrame(command));
}
