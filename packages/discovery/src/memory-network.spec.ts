import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { asyncScheduler, map } from 'rxjs';
import { describeDatagramPort } from '../test/describe-datagram-port.js';
import { memoryNetwork } from './memory-network.js';

describeDatagramPort('memoryNetwork', () => {
  const network = memoryNetwork();
  let n = 0;
  return { open: () => Promise.resolve(network.port({ address: `10.0.0.${++n}` })) };
});

describe('memoryNetwork', () => {
  it('delivers on the scheduler after the latency, with the sender address', () => {
    new TestScheduler((a, e) => expect(a).toEqual(e)).run(({ expectObservable, cold }) => {
      const net = memoryNetwork({ scheduler: asyncScheduler, latencyMs: 5 });
      const a = net.port({ address: '10.0.0.1', port: 1234 });
      const b = net.port();
      cold('10ms x').subscribe(() => a.send(new Uint8Array([1, 2])));
      expectObservable(b.messages$.pipe(map((d) => `${d.from.address}:${d.from.port}:${d.data.join(',')}`)), '^ 100ms !').toBe('15ms x', {
        x: '10.0.0.1:1234:1,2',
      });
    });
  });

  it('counts open ports', () => {
    const net = memoryNetwork();
    const a = net.port();
    net.port();
    a.close();
    expect(net.openPorts).toBe(1);
  });
});
