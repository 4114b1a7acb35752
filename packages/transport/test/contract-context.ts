/** What the transport contract's tests share: the harness of the current test and helpers that clean up after it. */
import { afterEach, beforeEach, expect } from 'vitest';
import { type ClientCommand, type ServerCommand, clientSideDecoder, serverSideDecoder } from '@ims/codec';
import type { Connection } from '../src/connection.js';
import type { DialOptions, ListenOptions, Listener, Transport } from '../src/transport.js';
import { Accepted, Probe } from './probe.js';

/** One network to run the contract on (a fresh one per test). */
export interface TransportHarness {
  /** The transport under test. */
  readonly transport: Transport;
  /** Address to listen on (and dial). */
  readonly address: string;
  /** Source address the listener sees for `transport`'s dials. */
  readonly source: string;
  /** A transport on the same network whose dials come from another address, if the implementation has one. */
  readonly elsewhere?: Transport;
  /** Waits for an event: in virtual time, or in real time with a timeout that only fails. */
  wait<T>(promise: Promise<T>): Promise<T>;
  /**
   * Secure mode: a connection refused at accept (before the TLS handshake) fails its dial with
   * HANDSHAKE_FAILED, since the plain refusal frame is not TLS, instead of reading that frame.
   */
  readonly refusalFailsDial?: boolean;
}

/** `promise`, or a failure after `ms` of real time (for harnesses on real clocks). */
export function failAfter<T>(promise: Promise<T>, ms = 5_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A listener under test and the connections it accepted. */
export interface Listening {
  readonly listener: Listener<ClientCommand>;
  readonly accepted: Accepted<ClientCommand>;
}

/** The current test's harness and helpers; everything they open is closed after the test. */
export class ContractContext {
  private current: TransportHarness | undefined;
  private readonly cleanup: (() => unknown)[] = [];

  /** Registers the hooks: a fresh harness before each test, cleanup after it. */
  constructor(make: () => TransportHarness) {
    beforeEach(() => {
      this.current = make();
    });
    afterEach(async () => {
      for (const f of this.cleanup.splice(0).reverse()) await f();
    });
  }

  get h(): TransportHarness {
    if (this.current === undefined) throw new Error('no harness outside a test');
    return this.current;
  }

  /** Runs `f` after the test (last registered first). */
  defer(f: () => unknown): void {
    this.cleanup.push(f);
  }

  readonly listen = async (opts: Partial<ListenOptions<ClientCommand>> = {}): Promise<Listening> => {
    const h = this.h;
    const listener = await h.transport.listen<ClientCommand>({ decoder: () => serverSideDecoder(), address: h.address, ...opts });
    const accepted = new Accepted(listener);
    this.defer(() => h.wait(listener.close()));
    this.defer(() => accepted.stop());
    return { listener, accepted };
  };

  readonly dial = async (l: Listener<ClientCommand>, via?: Transport, opts: Partial<DialOptions<ServerCommand>> = {}): Promise<Connection<ServerCommand>> => {
    const h = this.h;
    const conn = await h.wait((via ?? h.transport).dial<ServerCommand>({ host: l.address, port: l.port, decoder: () => clientSideDecoder(), ...opts }));
    this.defer(() => conn.destroy('test over'));
    return conn;
  };

  /** Dials `l` and checks the listener refuses the connection: the client reads `frame` (if any) and the close, or (refusalFailsDial) its dial fails. */
  readonly dialRefused = async (l: Listener<ClientCommand>, frame?: ServerCommand, via?: Transport): Promise<void> => {
    const h = this.h;
    if (h.refusalFailsDial === true) {
      const dial = (via ?? h.transport).dial<ServerCommand>({ host: l.address, port: l.port, decoder: () => clientSideDecoder() });
      await expect(h.wait(dial)).rejects.toMatchObject({ code: 'HANDSHAKE_FAILED' });
      return;
    }
    const conn = await this.dial(l, via);
    const probe = new Probe<ServerCommand>();
    conn.attach(probe);
    expect(await h.wait(probe.closing())).toMatchObject({ byPeer: true });
    if (frame !== undefined) expect(probe.values()).toEqual([frame]);
  };

  /** A dialled client and its accepted server end, both attached to probes. */
  readonly pair = async (l: Listening) => {
    const client = await this.dial(l.listener);
    const server = await this.h.wait(l.accepted.next());
    const [c, s] = [new Probe<ServerCommand>(), new Probe<ClientCommand>()];
    client.attach(c);
    server.attach(s);
    return { client, server, c, s };
  };

  /** Waits for the next end-of-turn flush. */
  readonly turn = (): Promise<void> => this.h.wait(new Promise<void>((resolve) => this.h.transport.afterFlush(resolve)));
}
