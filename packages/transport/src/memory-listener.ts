/** A listener on the in-memory network: the caps and refusals of tcp-listener.ts, on the network's clock. */
import { type Observable, Subject } from 'rxjs';
import type { Connection, ConnectionOptions, ConnectionSink } from './connection.js';
import { ListenerCaps, REFUSAL_TEXT, refusalOf } from './listener-caps.js';
import { MemoryConnection, type MemoryWire } from './memory-connection.js';
import type { ListenOptions, Listener, Refusal } from './transport.js';

/** What a listener needs from its network. */
export interface MemoryHub extends MemoryWire {
  /** A fresh connection id. */
  nextId(): string;
  /** Stops routing dials to `listener` (if it still holds its address and port). */
  unbind(listener: { readonly address: string; readonly port: number }): void;
}

/** A refused connection reads and drops whatever the peer sends until its close completes. */
const DISCARD: ConnectionSink<unknown> = { frame: () => undefined, closed: () => undefined };

/** A bound in-memory listener. */
export class MemoryListener<T> implements Listener<T> {
  readonly connections$: Observable<Connection<T>>;
  readonly refused$: Observable<Refusal>;
  private readonly subject = new Subject<Connection<T>>();
  private readonly refusedSubject = new Subject<Refusal>();
  private readonly caps: ListenerCaps<Connection<T>>;
  private readonly connOptions: ConnectionOptions<T>;
  private closing: Promise<void> | undefined;
  private allClosed: (() => void) | undefined;

  constructor(
    private readonly hub: MemoryHub,
    readonly address: string,
    readonly port: number,
    private readonly options: ListenOptions<T>,
    /** The peer ID the listening view proves to its dialers (secure mode in memory). */
    readonly peerId: string | undefined,
  ) {
    this.caps = new ListenerCaps(options, options.logger, () => hub.scheduler.now());
    this.connOptions = { ...options, onClosed: this.release };
    this.connections$ = this.subject.asObservable();
    this.refused$ = this.refusedSubject.asObservable();
  }

  get connectionCount(): number {
    return this.caps.open.size;
  }

  /** @internal a dial from `address:port` (whose view proves `peerId`) arrived: makes the server end, links it to `client`, then serves or refuses it. */
  accept(client: MemoryConnection<unknown>, address: string, port: number, peerId: string | undefined): void {
    const reason = this.caps.refusal(address, this.closing === undefined && this.subject.observed);
    const options = reason === undefined ? this.connOptions : { ...this.options, onClosed: undefined };
    const server = new MemoryConnection<T>(this.hub, this.hub.nextId(), address, port, options);
    server.peer = client;
    client.peer = server as MemoryConnection<unknown>;
    server.peerId = peerId;
    client.peerId = this.peerId;
    if (reason !== undefined) {
      this.refuse(server, reason);
      return;
    }
    this.caps.add(server);
    this.subject.next(server);
  }

  private refuse(server: MemoryConnection<T>, reason: Refusal['reason']): void {
    this.caps.logRefusal(server.remoteAddress, reason);
    this.refusedSubject.next(refusalOf(server.remoteAddress, reason));
    server.attach(DISCARD as ConnectionSink<T>);
    const frame = this.options.refusalFrame?.(REFUSAL_TEXT[reason]);
    if (frame) server.write(frame);
    server.close(REFUSAL_TEXT[reason]);
  }

  /** Every connection's `onClosed` (one function, as in tcp-listener.ts). */
  private readonly release = (conn: Connection<T>): void => {
    this.caps.release(conn);
    this.options.onClosed?.(conn);
    if (this.caps.open.size === 0) this.allClosed?.();
  };

  close(reason = 'server stopping'): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.hub.unbind(this);
      this.allClosed = resolve;
      const open = [...this.caps.open];
      this.subject.complete();
      this.refusedSubject.complete();
      if (open.length === 0) resolve();
      for (const conn of open) conn.close(reason);
    });
    return this.closing;
  }

  /** @internal the endpoint died: no more dials reach it, and every connection is reset at once. */
  kill(): void {
    this.closing ??= Promise.resolve();
    this.hub.unbind(this);
    this.subject.complete();
    this.refusedSubject.complete();
    for (const conn of [...this.caps.open]) conn.destroy('endpoint killed');
  }
}
