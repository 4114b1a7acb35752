import { probeMulticast } from '@ims/discovery';
import { describe, expect, it } from 'vitest';
import { runHerd } from './herd-run.js';

// The standby-for box learns the channels from multicast PDUs on loopback: probe once, say why if not.
const probe = await probeMulticast({ port: 41_000 + Math.floor(Math.random() * 8_000) });
if (!probe.ok) console.warn(`herd.int.spec skipped: ${probe.reason}`);

describe.skipIf(!probe.ok)('thundering herd (docs/protocol.md §5, §6.2)', () => {
  it('40 channels × 2 memberships from one address: the host killed, every membership back on the standby, none lost', async () => {
    const r = await runHerd({ channels: 40, perChannel: 2, backWithinMs: 30_000, setupMs: 60_000 });
    expect(r.memberships).toBe(80);
    expect(r.scattered).toBe(0);
    expect(r.leftReasons).toEqual({});
    expect(r.lost).toBe(0);
    expect(r.backMs).toHaveLength(80);
  }, 120_000);
});
