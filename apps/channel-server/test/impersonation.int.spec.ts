/**
 * The impersonation attack against a real server: every peer multicasts its ID, so anyone
 * can JOIN with the clientId of an invited member (docs/protocol.md §10).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { ServerProcess, TestClient, privateDiscoveryPort } from './harness.js';

const servers: ServerProcess[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.kill()));
});

async function member(port: number, channel: string, id: string, from?: string): Promise<TestClient> {
  const c = await TestClient.join(port, channel, id, from);
  clients.push(c);
  return c;
}

const hasStandby = (r: readonly ServerCommand[]) => r.some((c) => c.cmd === 'STANDBY');
const hasSay = (author: string, text: string) => (r: readonly ServerCommand[]) => r.some((c) => c.cmd === 'SAY' && c.authorId === author && c.text === text);
const hasError = (code: string) => (r: readonly ServerCommand[]) => r.some((c) => c.cmd === 'ERROR' && c.reason.startsWith(`${code}:`));

/** alice's private @team with bob invited and in, and one post in its history. */
async function team(): Promise<{ s: { port: number }; alice: TestClient; bob: TestClient }> {
  const s = await ServerProcess.start(['--port', '0', '--discovery-port', String(privateDiscoveryPort()), '--replace-check', '1000']);
  servers.push(s);
  const alice = await member(s.port, '@team', 'alice');
  await alice.waitFor('alice STANDBY', hasStandby);
  alice.send({ cmd: 'INVITE', clientIds: ['bob'] });
  alice.send({ cmd: 'SAY', text: 'the secret plan' });
  await alice.waitFor('echo', hasSay('alice', 'the secret plan'));
  const bob = await member(s.port, '@team', 'bob');
  await bob.waitFor('bob STANDBY', hasStandby);
  return { s, alice, bob };
}

describe('channel-server: a JOIN with a connected member\'s clientId', () => {
  it.each([
    ['another machine', '127.0.0.2'],
    ['the same machine', '127.0.0.1'],
  ])('from %s is refused (ID_IN_USE): no history, no post as that member, and the member stays', async (_what, from) => {
    const { s, alice, bob } = await team();
    const mallory = await member(s.port, '@team', 'bob', from);
    mallory.send({ cmd: 'SAY', text: 'I am bob' });
    await mallory.waitFor('ID_IN_USE', hasError('ID_IN_USE'));
    await mallory.closed;
    expect(mallory.received.filter((c) => c.cmd !== 'ERROR')).toEqual([]);
    // The real bob was never kicked and still posts as himself.
    expect(hasError('REPLACED')(bob.received)).toBe(false);
    bob.send({ cmd: 'SAY', text: 'still bob' });
    await alice.waitFor('bob still posts', hasSay('bob', 'still bob'));
    expect(alice.says()).not.toContain('bob: I am bob');
  });

  it('from the member itself, after its old connection died, takes the membership over', async () => {
    const { s, alice, bob } = await team();
    const again = await member(s.port, '@team', 'bob');
    bob.destroy();
    await again.waitFor('STANDBY on the new connection', hasStandby);
    expect(again.says()).toContain('alice: the secret plan');
    again.send({ cmd: 'SAY', text: 'back' });
    await alice.waitFor('post on the new connection', hasSay('bob', 'back'));
  });
});
