import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { runChat } from './json-chat.js';
import { fakeNode } from './fake-node.js';

describe('runChat', () => {
  it('writes each event as one JSON line, posts stdin lines, and exits 0 with EXIT on EOF', async () => {
    const node = fakeNode();
    const lines$ = new Subject<string>();
    const out: string[] = [];
    const done = runChat({ node, channel: '#room', server: 'srv', lines$, write: (l) => out.push(l) });
    const handle = node.handles.get('#room');
    expect(handle?.server).toBe('srv');
    handle?.emit({ event: 'joined', host: 'srv' });
    handle?.emit({ event: 'say', author: 'b-id', nick: 'bob', text: 'hi\nthere' });
    lines$.next('hello');
    lines$.next('');
    lines$.next('second');
    lines$.complete();
    // EOF waits for our posts to come back from the host, then leaves.
    expect(handle?.exited).toBe(false);
    handle?.emit({ event: 'say', author: 'me-id', nick: 'me', text: 'hello' });
    expect(handle?.exited).toBe(false);
    handle?.emit({ event: 'say', author: 'me-id', nick: 'me', text: 'second' });
    // At once on the last echo, not after drainMs.
    expect(handle?.exited).toBe(true);
    expect(await done).toBe(0);
    expect(handle?.posts).toEqual(['hello', 'second']);
    expect(handle?.exited).toBe(true);
    const parsed = out.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.every((l) => !l.includes('\n'))).toBe(true);
    expect(parsed.map((e) => e['event'])).toEqual(['joined', 'say', 'say', 'say', 'left']);
    expect(parsed[1]).toEqual({ ts: 0, channel: '#room', event: 'say', author: 'b-id', nick: 'bob', text: 'hi\nthere' });
  });

  it('exits 3 when the channel is lost, without waiting for EOF', async () => {
    const node = fakeNode();
    const out: string[] = [];
    const done = runChat({ node, channel: '#x', lines$: new Subject<string>(), write: (l) => out.push(l) });
    node.handles.get('#x')?.emit({ event: 'left', reason: 'lost' });
    expect(await done).toBe(3);
    expect(JSON.parse(out[0] ?? '{}')).toMatchObject({ event: 'left', reason: 'lost', channel: '#x' });
  });

  it('prints text lines instead of JSON without --json', async () => {
    const node = fakeNode();
    const out: string[] = [];
    const lines$ = new Subject<string>();
    const done = runChat({ node, channel: '#x', lines$, write: (l) => out.push(l), json: false });
    node.handles.get('#x')?.emit({ event: 'joined', host: 'h' });
    node.handles.get('#x')?.emit({ event: 'say', author: 'b-id', nick: 'bob', text: 'yo' });
    // Nothing of ours is outstanding: EOF leaves at once.
    lines$.complete();
    expect(node.handles.get('#x')?.exited).toBe(true);
    await done;
    expect(out[1]).toMatch(/^\[\d\d:\d\d:\d\d\] #x <bob> yo$/);
  });

  it('invites --invite peers once joined and again after a failover', async () => {
    const node = fakeNode();
    const lines$ = new Subject<string>();
    const done = runChat({ node, channel: '@p', lines$, write: () => undefined, invite: ['b', 'c'] });
    const handle = node.handles.get('@p');
    expect(handle?.invites).toEqual([]);
    handle?.emit({ event: 'joined', host: 'h' });
    handle?.emit({ event: 'standby', standby: 's', host: 'h' });
    handle?.emit({ event: 'failover', host: 's', from: 'h', reason: 'closed' });
    expect(handle?.invites).toEqual([['b', 'c'], ['b', 'c']]);
    lines$.complete();
    await done;
  });

  it('asks the handle what is pending: twice the same text waits for both echoes, one may come back as history after a failover', async () => {
    const node = fakeNode();
    const lines$ = new Subject<string>();
    const done = runChat({ node, channel: '#x', lines$, write: () => undefined, drainMs: 60_000 });
    const handle = node.handles.get('#x');
    lines$.next('again');
    lines$.next('again');
    lines$.complete();
    expect(handle?.pending()).toBe(2);
    handle?.emit({ event: 'say', author: 'me-id', nick: 'me', text: 'again' });
    expect(handle?.exited).toBe(false);
    handle?.emit({ event: 'failover', from: 'h', host: 's', reason: 'closed' });
    expect(handle?.exited).toBe(false);
    handle?.emit({ event: 'history', author: 'me-id', nick: 'me', text: 'again' });
    expect(handle?.exited).toBe(true);
    expect(await done).toBe(0);
  });

  it('a stdin that ends before the join completes: joins first, posts what was read, then leaves (issue 14)', async () => {
    const node = fakeNode();
    const lines$ = new Subject<string>();
    const out: string[] = [];
    const done = runChat({ node, channel: '#x', lines$, write: (l) => out.push(l), drainMs: 20 });
    lines$.complete();
    const handle = node.handles.get('#x');
    // Not even a line: still no `left` before the join.
    expect(handle?.exited).toBe(false);
    handle?.emit({ event: 'joined', host: 'h' });
    expect(handle?.exited).toBe(true);
    expect(await done).toBe(0);
    expect(out.map((l) => (JSON.parse(l) as { event: string }).event)).toEqual(['joined', 'left']);

    const node2 = fakeNode();
    const lines2$ = new Subject<string>();
    const done2 = runChat({ node: node2, channel: '#x', lines$: lines2$, write: () => undefined, drainMs: 60_000 });
    lines2$.next('early');
    lines2$.complete();
    const h2 = node2.handles.get('#x');
    h2?.emit({ event: 'joined', host: 'h' });
    expect(h2?.exited).toBe(false);
    h2?.emit({ event: 'say', author: 'me-id', nick: 'me', text: 'early' });
    expect(h2?.exited).toBe(true);
    expect(await done2).toBe(0);
  });

  it('leaves after drainMs when a post never comes back', async () => {
    const node = fakeNode();
    const lines$ = new Subject<string>();
    const done = runChat({ node, channel: '#x', lines$, write: () => undefined, drainMs: 20 });
    lines$.next('lost in the void');
    lines$.complete();
    node.handles.get('#x')?.emit({ event: 'joined', host: 'h' });
    expect(node.handles.get('#x')?.exited).toBe(false);
    expect(await done).toBe(0);
    expect(node.handles.get('#x')?.exited).toBe(true);
  });
});
