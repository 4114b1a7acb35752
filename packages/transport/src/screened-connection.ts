/**
 * A connection whose first frames pass a screen before its owner sees them (adopting-transport.ts:
 * a worker that must not serve what the frames ask for closes the connection with a refusal
 * instead). Delegates everything else; one object per screened connection, for the few that need it.
 */
import type { Decoded } from '@ims/codec';
import type { CloseInfo, Connection, ConnectionSink } from './connection.js';
import type { TransportErrorCode } from './transport-error.js';

/**
 * Looks at one frame: `undefined` delivers it and screens the next, `null` delivers it and stops
 * screening, a string refuses: the frame is dropped, the refusal frame for that reason is sent and
 * the connection closed.
 */
export type FrameScreen = (frame: Decoded<unknown>) => string | null | undefined;

/** `inner` with its frames screened by `screen` until it returns null; `refusal` encodes what a refused peer reads. */
export class ScreenedConnection<T> implements Connection<T>, ConnectionSink<T> {
  private sink: ConnectionSink<T> | undefined;
  private screening = true;

  constructor(
    private readonly inner: Connection<T>,
    private readonly screen: FrameScreen,
    private readonly refusal: ((reason: string) => Uint8Array) | undefined,
  ) {}

  get id(): string {
    return this.inner.id;
  }
  get remoteAddress(): string {
    return this.inner.remoteAddress;
  }
  get remotePort(): number {
    return this.inner.remotePort;
  }
  get peerId(): string | undefined {
    return this.inner.peerId;
  }
  get isClosing(): boolean {
    return this.inner.isClosing;
  }
  get queuedBytes(): number {
    return this.inner.queuedBytes;
  }

  attach(sink: ConnectionSink<T>): void {
    if (this.sink !== undefined) throw new Error(`connection ${this.id} already has a sink`);
    this.sink = sink;
    this.inner.attach(this);
  }

  /** @internal the inner connection's frames. */
  frame(frame: Decoded<T>): void {
    if (this.screening) {
      const verdict = this.screen(frame as Decoded<unknown>);
      if (typeof verdict === 'string') {
        this.screening = false;
        const bytes = this.refusal?.(verdict);
        if (bytes) this.inner.write(bytes);
        this.inner.close(verdict);
        return;
      }
      if (verdict === null) this.screening = false;
    }
    if (!this.inner.isClosing) this.sink?.frame(frame);
  }

  /** @internal the inner connection's close. */
  closed(info: CloseInfo): void {
    this.sink?.closed(info);
  }

  write(bytes: Uint8Array): boolean {
    return this.inner.write(bytes);
  }
  pause(): void {
    this.inner.pause();
  }
  resume(): void {
    this.inner.resume();
  }
  close(reason: string): void {
    this.inner.close(reason);
  }
  destroy(reason: string, code?: TransportErrorCode): void {
    this.inner.destroy(reason, code);
  }
}
