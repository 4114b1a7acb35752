/** Test helpers for the transport contract: a recording sink, and a listener's accepted connections as awaitable values. */
import type { Decoded } from '@ims/codec';
import type { Subscription } from 'rxjs';
import type { CloseInfo, Connection, ConnectionSink } from '../src/connection.js';
import type { Listener } from '../src/transport.js';

/** A sink that records frames and the close; `when` resolves once a condition on them holds. */
export class Probe<T> implements ConnectionSink<T> {
  readonly frames: Decoded<T>[] = [];
  info: CloseInfo | undefined;
  private waiters: (() => void)[] = [];

  frame(frame: Decoded<T>): void {
    this.frames.push(frame);
    this.wake();
  }

  closed(info: CloseInfo): void {
    if (this.info !== undefined) throw new Error('closed reported twice');
    this.info = info;
    this.wake();
  }

  /** The decoded values (or error codes) received so far. */
  values(): (T | string)[] {
    return this.frames.map((d) => (d.ok ? d.value : d.error.code));
  }

  /** Resolves once `pred()` holds (checked after every event). */
  when(pred: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!pred()) return;
        this.waiters.splice(this.waiters.indexOf(check), 1);
        resolve();
      };
      this.waiters.push(check);
      check();
    });
  }

  /** Resolves with the first `n` frames once they arrived. */
  async receive(n: number): Promise<(T | string)[]> {
    await this.when(() => this.frames.length >= n);
    return this.values().slice(0, n);
  }

  /** Resolves with the close. */
  async closing(): Promise<CloseInfo> {
    await this.when(() => this.info !== undefined);
    return this.info as CloseInfo;
  }

  private wake(): void {
    for (const w of this.waiters.slice()) w();
  }
}

/** Every connection a listener accepts (one subscription for the test, so none is refused as unobserved). */
export class Accepted<T> {
  private readonly conns: Connection<T>[] = [];
  private readonly sub: Subscription;
  private taken = 0;
  private waiters: (() => void)[] = [];

  constructor(listener: Listener<T>) {
    this.sub = listener.connections$.subscribe((conn) => {
      this.conns.push(conn);
      for (const w of this.waiters.slice()) w();
    });
  }

  /** The next accepted connection not taken yet. */
  next(): Promise<Connection<T>> {
    const i = this.taken++;
    return new Promise((resolve) => {
      const check = (): void => {
        const conn = this.conns[i];
        if (conn === undefined) return;
        this.waiters.splice(this.waiters.indexOf(check), 1);
        resolve(conn);
      };
      this.waiters.push(check);
      check();
    });
  }

  stop(): void {
    this.sub.unsubscribe();
  }
}
