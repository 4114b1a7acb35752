import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isKeyPeerId, loadOrCreateIdentity, readNetworkKeyFile, readPeerList } from '@ims/secure';
import { scenarioFrom } from '../../test/fake-apps.js';
import { claimedIds, namesForIds, prepareSecureRun } from './secure-run.js';

const dirs: string[] = [];
afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));
const runDir = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'netsim-secure-'));
  dirs.push(d);
  return d;
};

const mixed = `secure: true
hosts:
  s1: { kind: server }
  s2: { kind: server }
  bob: { kind: client, channel: '#room' }
  alice: { kind: client, channel: '#room' }
  carol: { kind: client, channel: '#open', secure: false }
  eve: { kind: hostile, targets: [s1], victim: alice, attacks: [impersonate], sealKey: wrong }
steps:
  - start: s1
`;

describe('prepareSecureRun', () => {
  it('writes a 0600 key file and an identity per secure host, whose peer ID netsim knows', async () => {
    const dir = await runDir();
    const run = await prepareSecureRun(scenarioFrom(mixed), dir);
    expect(run.any).toBe(true);
    expect((await stat(run.keyFile)).mode & 0o777).toBe(0o600);
    expect(readNetworkKeyFile(run.keyFile)).toHaveLength(1);
    expect(readNetworkKeyFile(run.wrongKeyFile)[0]?.id).not.toBe(readNetworkKeyFile(run.keyFile)[0]?.id);
    for (const h of ['s1', 's2', 'alice', 'bob']) {
      expect(run.isSecure(h)).toBe(true);
      expect(isKeyPeerId(run.idOf(h))).toBe(true);
      // The app reads the same file: the ID it derives is the one netsim maps.
      expect(loadOrCreateIdentity(run.identityFile(h)).peerId).toBe(run.idOf(h));
      expect(run.nameOf(run.idOf(h))).toBe(h);
    }
  });

  it('orders peer IDs as the host names, as in plain mode, and leaves plain and hostile hosts their names', async () => {
    const run = await prepareSecureRun(scenarioFrom(mixed), await runDir());
    const ids = ['alice', 'bob', 's1', 's2'].map((h) => run.idOf(h));
    expect([...ids].sort()).toEqual(ids);
    expect(run.isSecure('carol')).toBe(false);
    expect(run.idOf('carol')).toBe('carol');
    expect(run.isSecure('eve')).toBe(false);
    expect(run.nameOf(claimedIds(scenarioFrom(mixed)).hijackId)).toBe('eve');
    expect(run.observer?.sealer.overhead).toBeGreaterThan(0);
  });

  it('writes nothing for a plain run', async () => {
    const run = await prepareSecureRun(scenarioFrom("hosts:\n  s1: { kind: server }\nsteps:\n  - start: s1\n"), await runDir());
    expect(run.any).toBe(false);
    expect(run.observer).toBeUndefined();
    expect(run.idOf('s1')).toBe('s1');
  });
});

describe('policy lists', () => {
  it("writes the revoked hosts' derived IDs and gives the list to every secure host but the revoked one", async () => {
    const s = scenarioFrom(`secure: true\nrevoked: [mallory]\nhosts:\n  s1: { kind: server }\n  mallory: { kind: client, channel: '#room' }\nsteps:\n  - start: s1\n`);
    const run = await prepareSecureRun(s, await runDir());
    const file = run.policyFiles('s1').revoked as string;
    expect(readPeerList(file)).toEqual([run.idOf('mallory')]);
    expect(run.policyFiles('mallory')).toEqual({});
  });
});

describe('namesForIds', () => {
  it('replaces known IDs anywhere in event data and keeps everything else', () => {
    const names = new Map([['kAAA', 'alice']]);
    expect(namesForIds({ host: 'kAAA', successors: ['kAAA', 'x'], n: 3, nested: { author: 'kAAA' } }, (id) => names.get(id))).toEqual({ host: 'alice', successors: ['alice', 'x'], n: 3, nested: { author: 'alice' } });
  });
});
