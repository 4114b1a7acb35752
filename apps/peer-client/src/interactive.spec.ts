import { Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { runInteractive } from './interactive.js';
import { fakeNode } from './fake-node.js';
import { directChannel } from './direct-message.js';

function setup() {
  const node = fakeNode('me-id', 'me');
  node.setLobby({
    peers: [
      { id: 'b-id', nick: 'bob', address: '127.0.0.1', state: 'alive', serverPort: 50_002, channels: [] },
      { id: 'c-id', nick: 'carol', address: '127.0.0.1', state: 'alive', channels: [] },
      { id: 'srv', address: '127.0.0.1', state: 'alive', serverPort: 50_000, channels: ['#room'] },
    ],
    invitations: [],
  });
  const lines$ = new Subject<string>();
  const out: string[] = [];
  const currents: (string | undefined)[] = [];
  const scheduler = new VirtualTimeScheduler();
  const erased: string[] = [];
  const done = runInteractive({ node, lines$, print: (l) => out.push(l), onCurrent: (c) => currents.push(c), scheduler, eraseTyped: (l) => erased.push(l), highlight: (l) => `HL ${l}` });
  return { node, lines$, out, currents, done, scheduler, erased };
}

describe('runInteractive', () => {
  it('joins channels, posts to the current one, switches and parts', async () => {
    const { node, lines$, out, currents, done, erased } = setup();
    lines$.next('not yet joined');
    lines$.next('/join #room srv');
    lines$.next('hello room');
    // The typed post leaves the screen: the host's echo shows it, once (issue 14); not a command, not a refused line.
    expect(erased).toEqual(['hello room']);
    lines$.next('/join #b');
    lines$.next('hello b');
    lines$.next('/#room');
    lines$.next('again room');
    expect(node.handles.get('#room')?.server).toBe('srv');
    expect(node.handles.get('#room')?.posts).toEqual(['hello room', 'again room']);
    expect(node.handles.get('#b')?.posts).toEqual(['hello b']);
    lines$.next('/part #b');
    expect(node.handles.get('#b')?.exited).toBe(true);
    expect(currents).toEqual(['#room', '#b', '#room']);
    lines$.next('/quit');
    expect(await done).toBe(0);
    expect(node.handles.get('#room')?.exited).toBe(true);
    expect(out.some((l) => l.includes('left #b'))).toBe(true);
  });

  it('resolves nicks for /join and /invite, and reports unknown ones readably', async () => {
    const { node, lines$, out, done } = setup();
    lines$.next('/join #room nobody');
    expect(node.handles.size).toBe(0);
    expect(out.at(-1)).toMatch(/^!! no peer called nobody/);
    lines$.next('/join @priv');
    lines$.next('/invite bob ghost');
    expect(node.handles.get('@priv')?.invites).toEqual([['b-id']]);
    expect(out.some((l) => l.includes('no peer called ghost'))).toBe(true);
    // A private name is never multicast: the inviter is told what to pass on.
    expect(out).toContain('-- @priv is private and never announced: tell them to /join @priv me-id');
    lines$.complete();
    expect(await done).toBe(0);
  });

  it('renders events with nicks, lists the lobby and members, changes the nick', async () => {
    const { node, lines$, out, done, scheduler } = setup();
    lines$.next('/join #room');
    node.handles.get('#room')?.emit({ event: 'history', author: 'b-id', nick: 'bob', text: 'old' });
    node.handles.get('#room')?.emit({ event: 'failover', host: 'b-id', from: 'srv', reason: 'closed' });
    // Said only once the lost host's announced stop did not come within the wait.
    await Promise.resolve();
    expect(out.some((l) => l.includes('host srv lost'))).toBe(false);
    scheduler.flush();
    await new Promise<void>((resolve) => queueMicrotask(resolve));
    lines$.next('/who');
    lines$.next('/list');
    lines$.next('/nick alice');
    lines$.next('say before join? no, joined');
    expect(out.some((l) => /\(history\) <bob> old$/.test(l))).toBe(true);
    expect(out.some((l) => l.includes('host srv lost (closed); now hosted by bob'))).toBe(true);
    expect(out).toContain('-- #room (2): me (you), bob');
    expect(out.some((l) => l.includes('srv at 127.0.0.1:50000: #room'))).toBe(true);
    expect(node.nick()).toBe('alice');
    lines$.complete();
    await done;
  });

  it('shows this peer as "you": its own host, its standby role', async () => {
    const { node, lines$, out } = setup();
    node.stopped.add('b-id');
    lines$.next('/join #mine');
    node.handles.get('#mine')?.emit({ event: 'joined', host: 'me-id' });
    node.handles.get('#mine')?.emit({ event: 'standby', standby: 'me-id', host: 'srv' });
    node.handles.get('#mine')?.emit({ event: 'failover', host: 'me-id', from: 'b-id', reason: 'closed' });
    expect(out.some((l) => l.endsWith('-- joined #mine, hosted by you'))).toBe(true);
    expect(out.some((l) => l.endsWith('-- #mine: standby is you'))).toBe(true);
    await new Promise<void>((resolve) => setImmediate(resolve));
    // bob announced its stop (docs/protocol.md §3.7): a clean stop, not a loss (issue 14).
    expect(out.some((l) => l.includes('host bob stopped (a clean stop); now hosted by you'))).toBe(true);
    expect(out.slice(1).join('\n')).not.toContain('me-id');
  });

  it('/me posts an action shown as one; a post naming me is highlighted, my own is not', () => {
    const { node, lines$, out } = setup();
    lines$.next('/join #room');
    lines$.next('/me waves');
    const h = node.handles.get('#room');
    expect(h?.posts).toEqual(['/me waves']);
    h?.emit({ event: 'say', author: 'me-id', nick: 'me', text: '/me waves' });
    h?.emit({ event: 'say', author: 'b-id', nick: 'bob', text: 'hey Me, look' });
    h?.emit({ event: 'say', author: 'b-id', nick: 'bob', text: 'meet you' });
    h?.emit({ event: 'say', author: 'me-id', nick: 'me', text: 'me again' });
    expect(out.slice(-4)).toEqual(['[00:00:00] #room * me waves', 'HL [00:00:00] #room <bob> hey Me, look', '[00:00:00] #room <bob> meet you', '[00:00:00] #room <me> me again']);
  });

  it('/msg opens the private chat for two on their host, invites them, then posts; theirs to me is joined on my host', () => {
    const { node, lines$, out, currents } = setup();
    lines$.next('/msg bob hi there');
    const dm = directChannel('me-id', 'b-id');
    const h = node.handles.get(dm);
    expect(h?.server).toBe('b-id');
    expect(h?.invites).toEqual([['b-id']]);
    expect(h?.posts).toEqual([]);
    h?.emit({ event: 'joined', host: 'b-id' });
    expect(h?.posts).toEqual(['hi there']);
    lines$.next('/msg bob again');
    expect(h?.posts).toEqual(['hi there', 'again']);
    expect(out).toContain(`-- ${dm} is your private chat with bob`);
    // carol hosts nothing: the chat is on my host, and I am told what to pass on.
    lines$.next('/msg carol psst');
    expect(node.handles.get(directChannel('me-id', 'c-id'))?.server).toBe('me-id');
    expect(out.at(-1)).toContain('they host nothing, so tell them: /join');
    lines$.next('/msg me x');
    expect(out.at(-1)).toMatch(/^!! that is you/);
    node.directMessage({ channel: directChannel('me-id', 'c-id'), from: 'c-id' });
    const fromBob = '@msg.from-bob';
    node.directMessage({ channel: fromBob, from: 'b-id' });
    expect(node.handles.get(fromBob)?.server).toBe('me-id');
    expect(out.at(-1)).toBe(`-- bob writes to you privately in ${fromBob}: answer with /msg bob TEXT`);
    // Never made current behind the user's back.
    expect(currents).toEqual([]);
  });

  it('tells the user to join first, rejects bad commands, and shows invitations once', async () => {
    const { node, lines$, out, done } = setup();
    lines$.next('hello?');
    lines$.next('/frob');
    expect(out.at(-2)).toBe('!! join a channel first: /join #room');
    expect(out.at(-1)).toMatch(/^!! unknown command \/frob: the commands are \/join .*\/help explains them/);
    const inv = { peers: node.lobby().peers, invitations: [{ channel: '@priv', serverId: 'srv' }] };
    node.setLobby(inv);
    node.setLobby(inv);
    expect(out.filter((l) => l.includes('invites you to @priv')).length).toBe(1);
    lines$.complete();
    await done;
  });
});
