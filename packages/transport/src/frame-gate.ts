/**
 * Frames held while a connection is paused (Connection.pause): the rest of the decoded chunk, and
 * the frame being delivered when the sink paused, wait here until resume. Shared by the TCP and
 * in-memory connections, so both keep the same order.
 */
import type { Decoded } from '@ims/codec';
import type { ConnectionSink } from './connection.js';

/** The delivery loop of one connection, with its pause state. */
export class FrameGate<T> {
  /** Paused by the owner: nothing is delivered or read until resume. */
  paused = false;
  /** Frames waiting for resume; created on the first one: most connections are never paused. */
  private held: Decoded<T>[] | undefined;
  private delivering = false;
  /** pause() was called from inside the frame being delivered: that frame is held too. */
  private pausedInFrame = false;

  /** Pauses; a frame being delivered right now is delivered again at resume. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.pausedInFrame = this.delivering;
  }

  /** Delivers `frames` to `sink` in order, while `open()` and not paused; what is left is held. */
  deliver(frames: readonly Decoded<T>[], sink: ConnectionSink<T> | undefined, conn: { readonly isClosing: boolean }): void {
    if (this.paused || this.held !== undefined) {
      if (frames.length === 0) return;
      const held = (this.held ??= []);
      for (const f of frames) held.push(f);
      return;
    }
    this.run(frames, 0, sink, conn);
  }

  /** Resumes: delivers the held frames until paused again. True when nothing is held any more. */
  resume(sink: ConnectionSink<T> | undefined, conn: { readonly isClosing: boolean }): boolean {
    this.paused = false;
    return this.release(sink, conn);
  }

  /** Delivers the held frames (not paused) until paused again. True when nothing is held any more. */
  release(sink: ConnectionSink<T> | undefined, conn: { readonly isClosing: boolean }): boolean {
    const frames = this.held;
    if (frames === undefined) return true;
    this.held = undefined;
    this.run(frames, 0, sink, conn);
    return this.held === undefined;
  }

  /** Forgets everything held (the connection is closing: later frames are not delivered anyway). */
  clear(): void {
    this.held = undefined;
    this.paused = false;
  }

  private run(frames: readonly Decoded<T>[], from: number, sink: ConnectionSink<T> | undefined, conn: { readonly isClosing: boolean }): void {
    for (let i = from; i < frames.length; i++) {
      // The sink may close us mid-batch: stop delivering then.
      if (conn.isClosing) return;
      this.delivering = true;
      sink?.frame(frames[i] as Decoded<T>);
      this.delivering = false;
      if (this.paused) {
        const rest = this.pausedInFrame ? i : i + 1;
        if (rest >= frames.length) return;
        const held = (this.held ??= []);
        for (let j = rest; j < frames.length; j++) held.push(frames[j] as Decoded<T>);
        return;
      }
    }
  }
}
