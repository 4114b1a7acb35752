/**
 * Test helper: a client on the in-memory transport that speaks frames directly, so unit tests
 * drive the host service through the real codec in virtual time. Waits run virtual time until the
 * awaited frame or close arrives, and fail if it never can.
 */
import { type ClientCommand, type Decoded, type ServerCommand, clientSideDecoder, encodeFrame } from '@ims/codec';
import type { CloseInfo, Connection, ConnectionSink, MemoryTransport, VirtualTime } from '@ims/transport';
import { provenView } from './proven-view.js';

/** Where to dial and how. */
export interface MemoryClientOptions {
  /** Source address of the client. @default the transport's */
  readonly from?: string;
  /** False for a client that never reads (a slow reader). @default true */
  readonly read?: boolean;
  /** The peer ID its connection proves, as over TLS in secure mode. @default none (plain) */
  readonly provenAs?: string;
}

/** A framed client connection with its received frames. */
export class MemoryClient implements ConnectionSink<ServerCommand> {
  readonly received: Decoded<ServerCommand>[] = [];
  info: CloseInfo | undefined;
  private cursor = 0;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly conn: Connection<ServerCommand>,
    private readonly vt: VirtualTime,
  ) {}

  /** Dials `endpoint` on `net` and waits (in virtual time) for the connection. */
  static async connect(net: MemoryTransport, vt: VirtualTime, endpoint: { address: string; port: number }, options: MemoryClientOptions = {}): Promise<MemoryClient> {
    const from = options.from === undefined ? net : net.at(options.from);
    const via = options.provenAs === undefined ? from : provenView(from, options.provenAs);
    const conn = await vt.until(via.dial<ServerCommand>({ host: endpoint.address, port: endpoint.port, decoder: () => clientSideDecoder() }));
    const client = new MemoryClient(conn, vt);
    if (options.read !== false) conn.attach(client);
    return client;
  }

  frame(frame: Decoded<ServerCommand>): void {
    this.received.push(frame);
    this.wake();
  }

  closed(info: CloseInfo): void {
    this.info = info;
    this.wake();
  }

  /** Writes the commands in one write (one chunk for the host). */
  send(...cmds: ClientCommand[]): void {
    const frames = cmds.map((c) => encodeFrame(c));
    const bytes = new Uint8Array(frames.reduce((n, f) => n + f.byteLength, 0));
    let at = 0;
    for (const f of frames) {
      bytes.set(f, at);
      at += f.byteLength;
    }
    this.conn.write(bytes);
  }

  sendRaw(bytes: Uint8Array): void {
    this.conn.write(bytes);
  }

  /** The next decoded command matching `pred` (earlier non-matching ones are skipped). */
  next(pred: (c: ServerCommand) => boolean = () => true): Promise<ServerCommand> {
    return this.vt.until(
      new Promise<ServerCommand>((resolve, reject) => {
        const check = (): void => {
          while (this.cursor < this.received.length) {
            const d = this.received[this.cursor++] as Decoded<ServerCommand>;
            if (d.ok && pred(d.value)) return this.settle(check, () => resolve(d.value));
          }
          if (this.info !== undefined) this.settle(check, () => reject(new Error(`closed before a matching frame; got ${JSON.stringify(this.commands())}`)));
        };
        this.waiters.push(check);
        check();
      }),
    );
  }

  /** Resolves with the close (in virtual time). */
  waitClosed(): Promise<CloseInfo> {
    return this.vt.until(
      new Promise<CloseInfo>((resolve) => {
        const check = (): void => {
          if (this.info !== undefined) this.settle(check, () => resolve(this.info as CloseInfo));
        };
        this.waiters.push(check);
        check();
      }),
    );
  }

  /** Every command received, in order. */
  commands(): ServerCommand[] {
    return this.received.flatMap((d) => (d.ok ? [d.value] : []));
  }

  private settle(waiter: () => void, done: () => void): void {
    this.waiters = this.waiters.filter((w) => w !== waiter);
    done();
  }

  private wake(): void {
    for (const w of this.waiters.slice()) w();
  }
}

export const isSay = (text?: string) => (c: ServerCommand) => c.cmd === 'SAY' && 'authorId' in c && (text === undefined || c.text === text);
export const isStandby = (c: ServerCommand) => c.cmd === 'STANDBY';
export const isError = (fragment?: string) => (c: ServerCommand) => c.cmd === 'ERROR' && (fragment === undefined || c.reason.includes(fragment));
