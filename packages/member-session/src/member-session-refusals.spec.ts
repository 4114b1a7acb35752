import type { ClientCommand } from '@ims/codec';
import { describe, expect, it } from 'vitest';
import { SessionWorld, standbyOf, type HostEnd } from '../test/session-world.js';

/**
 * A host that takes SAY texts up to `limit` characters and answers a longer one as host-service
 * answers a frame over its limit: `ERROR FRAME_TOO_LARGE` (unless `silent`), then the close; what
 * that connection sent after it is never read.
 */
function strictHost(limit: number, silent = false) {
  const echoed: string[] = [];
  const cut = new Set<HostEnd>();
  const onCommand = (end: HostEnd, cmd: ClientCommand): void => {
    if (cmd.cmd !== 'SAY' || cut.has(end)) return;
    if (cmd.text.length <= limit) {
      echoed.push(cmd.text);
      end.send({ cmd: 'SAY', authorId: 'me', text: cmd.text });
      return;
    }
    cut.add(end);
    if (!silent) end.send({ cmd: 'ERROR', reason: `FRAME_TOO_LARGE: frame of ${cmd.text.length + 5} bytes exceeds the limit of ${limit + 5}` });
    end.conn.close('frame too large');
  };
  return { echoed, onCommand };
}

const errorCodes = (events: readonly { event: string; code?: string }[]): (string | undefined)[] => events.filter((e) => e.event === 'error').map((e) => e.code);

describe('member session: posts a host would refuse (memory transport, virtual time)', () => {
  it('a 70 KiB post is refused locally with one error and never reaches the host; the next post is delivered on the same connection', async () => {
    const w = new SessionWorld();
    const sh = strictHost(65_000);
    const h = await w.host('h', '10.0.0.1', standbyOf('h'), sh.onCommand);
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    s.session.post('x'.repeat(70 * 1024));
    s.session.post('next');
    await s.event('the echo of next', (e) => e.event === 'say' && e.text === 'next');
    // Let the clock run: nothing more happens (no reconnect, no re-send).
    await w.vt.advance(10_000);
    expect(errorCodes(s.events)).toEqual(['POST_TOO_LARGE']);
    expect(h.ends).toHaveLength(1);
    expect((await h.joined(0)).commands.filter((c) => c.cmd === 'SAY')).toEqual([{ cmd: 'SAY', text: 'next' }]);
    expect(s.session.pendingCount()).toBe(0);
  });

  it('text the wire cannot carry is refused with an error event; post() never throws', async () => {
    const w = new SessionWorld();
    const h = await w.host('h', '10.0.0.1', standbyOf('h'), strictHost(1_000).onCommand);
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    expect(() => s.session.post('nul\0inside')).not.toThrow();
    expect(() => s.session.post('lone \uD800')).not.toThrow();
    s.session.post('fine');
    await s.event('the echo of fine', (e) => e.event === 'say' && e.text === 'fine');
    expect(errorCodes(s.events)).toEqual(['POST_INVALID', 'POST_INVALID']);
    expect((await h.joined(0)).commands.filter((c) => c.cmd === 'SAY')).toEqual([{ cmd: 'SAY', text: 'fine' }]);
  });

  it('a stricter host closing after ERROR FRAME_TOO_LARGE: one error, one reconnect, the next post arrives, no loop', async () => {
    const w = new SessionWorld();
    const sh = strictHost(1_000);
    const h = await w.host('h', '10.0.0.1', standbyOf('h'), sh.onCommand);
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    s.session.post('y'.repeat(2_000));
    s.session.post('next');
    await s.event('the echo of next', (e) => e.event === 'say' && e.text === 'next');
    // 10 s more of virtual time: no further connection, no re-send.
    await w.vt.advance(10_000);
    expect(h.ends).toHaveLength(2);
    expect(errorCodes(s.events)).toEqual(['POST_REFUSED']);
    expect(sh.echoed).toEqual(['next']);
    expect(s.session.pendingCount()).toBe(0);
  });

  it('a stricter host closing without a word: the post is dropped after 3 closes, then the next arrives', async () => {
    const w = new SessionWorld();
    const sh = strictHost(1_000, true);
    const h = await w.host('h', '10.0.0.1', standbyOf('h'), sh.onCommand);
    const s = w.start(h.target);
    await s.event('joined', (e) => e.event === 'joined');
    s.session.post('w'.repeat(2_000));
    s.session.post('next');
    await s.event('the echo of next', (e) => e.event === 'say' && e.text === 'next');
    await w.vt.advance(10_000);
    expect(h.ends).toHaveLength(4);
    expect(errorCodes(s.events)).toEqual(['POST_REFUSED']);
    expect(sh.echoed).toEqual(['next']);
  });
});
