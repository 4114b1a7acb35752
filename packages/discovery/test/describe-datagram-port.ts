/**
 * Contract suite every DatagramPort implementation runs (memory and node:dgram), in the manner of
 * libp2p's interface-compliance-tests. Waits for datagrams with a timeout that only fails.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import type { Datagram, DatagramPort } from '../src/datagram-port.js';

/** Opens ports that share one group. */
export interface PortGroup {
  open(): Promise<DatagramPort>;
}

const WAIT_MS = 5_000;
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (d: Datagram): string => new TextDecoder().decode(d.data);
const receive = (port: DatagramPort, body: string): Promise<Datagram> =>
  firstValueFrom(port.messages$.pipe(filter((d) => text(d) === body), timeout(WAIT_MS)));

/** Run the contract against ports from `makeGroup` (a fresh group per test). `skip` gives a reason to skip. */
export function describeDatagramPort(name: string, makeGroup: () => PortGroup, skip?: () => string | undefined): void {
  describe(`DatagramPort contract: ${name}`, () => {
    let group: PortGroup;
    const opened: DatagramPort[] = [];
    const open = async (): Promise<DatagramPort> => {
      const port = await group.open();
      opened.push(port);
      return port;
    };

    beforeEach((ctx) => {
      const reason = skip?.();
      if (reason !== undefined) ctx.skip(reason);
      group = makeGroup();
    });
    afterEach(() => {
      for (const p of opened.splice(0)) p.close();
    });

    it('delivers a datagram to every port of the group, the sender included, bytes intact', async () => {
      const [a, b, c] = [await open(), await open(), await open()];
      const body = `hello ${Math.random()}`;
      const got = Promise.all([a, b, c].map((p) => receive(p, body)));
      a.send(bytes(body));
      const datagrams = await got;
      for (const d of datagrams) {
        expect(text(d)).toBe(body);
        expect(typeof d.from.address).toBe('string');
        expect(d.from.address.length).toBeGreaterThan(0);
        expect(Number.isInteger(d.from.port)).toBe(true);
      }
    });

    it('delivers a run of datagrams from several senders', async () => {
      const [a, b] = [await open(), await open()];
      const all = firstValueFrom(b.messages$.pipe(filter((d) => text(d).startsWith('n')), take(40), toArray(), timeout(WAIT_MS)));
      for (let i = 0; i < 20; i++) {
        a.send(bytes(`n-a-${i}`));
        b.send(bytes(`n-b-${i}`));
      }
      const received = (await all).map(text);
      expect(received.filter((t) => t.startsWith('n-a-'))).toHaveLength(20);
      expect(received.filter((t) => t.startsWith('n-b-'))).toHaveLength(20);
    });

    it('a sender may reuse its buffer right after send', async () => {
      const [a, b] = [await open(), await open()];
      const buffer = bytes('first-payload');
      const got = receive(b, 'first-payload');
      a.send(buffer);
      buffer.fill(0x21);
      expect(text(await got)).toBe('first-payload');
    });

    it('close completes messages$, stops delivery to it, and leaves the others working; send after close is a no-op', async () => {
      const [a, b] = [await open(), await open()];
      let completed = false;
      const seenByA: string[] = [];
      a.messages$.subscribe({ next: (d) => seenByA.push(text(d)), complete: () => (completed = true) });
      a.close();
      a.close();
      expect(completed).toBe(true);
      expect(() => a.send(bytes('after-close'))).not.toThrow();
      const got = receive(b, 'still-works');
      b.send(bytes('still-works'));
      await got;
      expect(seenByA).toEqual([]);
    });
  });
}
