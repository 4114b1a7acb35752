/**
 * Admission lists of private channels survive a restart (docs/protocol.md §8): a real channel-server
 * with SQLite, killed with SIGKILL after an INVITE was followed by an acknowledged post, restarted
 * on the same data dir, refuses a stranger's JOIN with NOT_INVITED and admits the invited.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerCommand } from '@ims/codec';
import { ServerProcess, TestClient, privateDiscoveryPort } from './harness.js';

const servers: ServerProcess[] = [];
const clients: TestClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.kill()));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dataDir: string) {
  const s = await ServerProcess.start(['--port', '0', '--discovery-port', String(privateDiscoveryPort()), '--data-dir', dataDir]);
  servers.push(s);
  return s;
}

async function joinAs(port: number, channel: string, id: string): Promise<TestClient> {
  const c = await TestClient.join(port, channel, id);
  clients.push(c);
  return c;
}

const answered = (r: readonly ServerCommand[]): boolean => r.some((x) => x.cmd === 'STANDBY' || x.cmd === 'ERROR');

describe('private channel admission list (real server, SQLite, kill -9 and restart)', () => {
  it('a restarted server refuses a stranger with NOT_INVITED and admits the creator and the invited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ims-admitted-'));
    dirs.push(dir);
    const first = await start(dir);
    const alice = await joinAs(first.port, '@team', 'alice');
    await alice.waitFor('STANDBY', answered);
    alice.send({ cmd: 'INVITE', clientIds: ['bob'] });
    // The echo of a later post leaves only after the commit that holds the INVITE's IDs.
    alice.send({ cmd: 'SAY', text: 'hello' });
    await alice.waitFor('the echo', (r) => r.some((x) => x.cmd === 'SAY' && x.text === 'hello'));
    await first.kill();

    const second = await start(dir);
    const mallory = await joinAs(second.port, '@team', 'mallory');
    const refused = await mallory.waitFor('an answer', answered);
    expect(refused.find((x) => x.cmd === 'ERROR')).toMatchObject({ reason: expect.stringMatching(/^NOT_INVITED:/) });
    await mallory.closed;

    const bob = await joinAs(second.port, '@team', 'bob');
    const history = await bob.waitFor('history, then STANDBY', answered);
    expect(history.filter((x) => x.cmd !== 'STANDBY')).toEqual([{ cmd: 'SAY', authorId: 'alice', text: 'hello', at: expect.any(Number) }]);
    const again = await joinAs(second.port, '@team', 'alice');
    expect((await again.waitFor('STANDBY', answered)).some((x) => x.cmd === 'ERROR')).toBe(false);
    expect(second.lines.find((l) => l.event === 'host.listening')).toMatchObject({ privateChannels: 1 });
  });
});
