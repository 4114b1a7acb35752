/**
 * Test helper: a raw TCP client that speaks frames directly, so host tests exercise the real
 * socket path. Waits are event-driven with a timeout that only fails the test.
 */
import { type Socket, connect } from 'node:net';
import { type ClientCommand, type Decoded, type ServerCommand, clientSideDecoder, encodeFrame } from '@ims/codec';

export class RawClient {
  readonly received: Decoded<ServerCommand>[] = [];
  private cursor = 0;
  private waiters: (() => void)[] = [];
  readonly closed: Promise<void>;
  isClosed = false;

  private constructor(readonly socket: Socket) {
    const decoder = clientSideDecoder();
    socket.on('data', (chunk) => {
      this.received.push(...decoder.push(chunk));
      this.wake();
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host, localAddress });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
    });
  }

  send(...cmds: ClientCommand[]): void {
    this.socket.write(Buffer.concat(cmds.map((c) => encodeFrame(c))));
  }

  sendRaw(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** The next decoded command matching `pred` (earlier non-matching ones are skipped). */
  async next(pred: (c: ServerCommand) => boolean = () => true, timeoutMs = 5_000): Promise<ServerCommand> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (this.cursor < this.received.length) {
        const d = this.received[this.cursor++] as Decoded<ServerCommand>;
        if (d.ok && pred(d.value)) return d.value;
      }
      if (this.isClosed) throw new Error(`connection closed before a matching frame; got ${JSON.stringify(this.commands())}`);
      await this.wait(deadline, 'a matching frame');
    }
  }

  /** Resolves when the server closed the connection. */
  async waitClosed(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.isClosed) await this.wait(deadline, 'close');
  }

  commands(): ServerCommand[] {
    return this.received.flatMap((d) => (d.ok ? [d.value] : []));
  }

  close(): void {
    this.socket.destroy();
  }

  private wait(deadline: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.commands())}`)), Math.max(0, deadline - Date.now()));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

export const isSay = (text?: string) => (c: ServerCommand) => c.cmd === 'SAY' && 'authorId' in c && (text === undefined || c.text === text);
export const isStandby = (c: ServerCommand) => c.cmd === 'STANDBY';
export const isError = (fragment?: string) => (c: ServerCommand) => c.cmd === 'ERROR' && (fragment === undefined || c.reason.includes(fragment));
