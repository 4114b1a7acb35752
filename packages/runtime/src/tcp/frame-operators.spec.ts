import { type ClientCommand, type Command, encodeFrame, serverSideDecoder } from '@ims/codec';
import { from, lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrames } from './frame-operators.js';

describe('frame operators', () => {
  const commands: ClientCommand[] = [{ cmd: 'JOIN', channel: '#a', clientId: 'p' }, { cmd: 'SAY', text: 'hi' }, { cmd: 'EXIT' }];

  it('encodeFrames then decodeFrames round-trips, whatever the chunking', async () => {
    const bytes = Buffer.concat(await lastValueFrom(from(commands).pipe(encodeFrames(), toArray())));
    for (const size of [1, 3, 7, bytes.length]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const out = await lastValueFrom(from(chunks).pipe(decodeFrames(() => serverSideDecoder()), toArray()));
      expect(out.map((d) => (d.ok ? d.value : d.error.code))).toEqual(commands);
    }
  });

  it('gives each subscription its own decoder', async () => {
    const frame = encodeFrame({ cmd: 'EXIT' });
    const half$ = of(frame.subarray(0, 3)).pipe(decodeFrames(() => serverSideDecoder()));
    // Two subscriptions each see a partial frame only: neither may complete the other's.
    expect(await lastValueFrom(half$.pipe(toArray()))).toEqual([]);
    expect(await lastValueFrom(half$.pipe(toArray()))).toEqual([]);
  });

  it('passes codec errors through as values', async () => {
    const out = await lastValueFrom(of(Uint8Array.of(0, 0, 0, 4, 70, 79, 79, 0)).pipe(decodeFrames(() => serverSideDecoder()), toArray()));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ ok: false, error: { code: 'UNKNOWN_COMMAND' } });
  });

  it('encodeFrames errors the stream on a command our code built wrong', async () => {
    const bad = { cmd: 'JOIN', channel: 'no-prefix' } as Command;
    await expect(lastValueFrom(of(bad).pipe(encodeFrames()))).rejects.toMatchObject({ code: 'INVALID_VALUE' });
  });
});
