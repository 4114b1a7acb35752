/**
 * Codec benchmark: decode and encode throughput of SAY frames with 64-byte text, and PeerPDU
 * decodes, each next to a minimal baseline (./codec/baseline.ts) measured in the same run.
 * Rounds alternate codec and baseline and keep each side's best, so load from other processes
 * hurts both alike. Target: codec decode ≥ 50 % of the baseline.
 */
import { encodeFrame, encodePdu, decodePdu, serverSideDecoder, type PeerPdu, type SayCommand } from '@ims/codec';
import type { BenchContext, BenchSuite } from '../report.js';
import { baselineDecode, baselineDecodePdu, baselineEncode } from './codec/baseline.js';

const TEXT = 'The quick brown fox jumps over the lazy dog; 0123456789 abcdefgh'; // 64 bytes
const UTF8_TEXT = 'Grüße aus Köln – ça va? Ελληνικά 👋 日本!!!!!!'; // 64 bytes of UTF-8
const ROUNDS = 5;
/** TCP hands over data in chunks; 16 KiB splits some frames across chunks, as real reads do. */
const CHUNK = 16 * 1024;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/** Best rate (items per second) of `run`, which handles `items` per call, over `reps` calls. */
function rate(run: () => number, items: number, reps: number): number {
  const t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < reps; i++) sink += run();
  const ms = performance.now() - t0;
  if (sink < 0) throw new Error('unreachable: keeps the work observable');
  return (items * reps) / (ms / 1000);
}

/** Alternate codec and baseline for ROUNDS rounds; each side's best. */
function compare(ctx: BenchContext, label: string, codec: () => number, base: () => number, items: number, reps: number): [number, number] {
  // Warm-up: let both reach optimised code before timing.
  rate(codec, items, Math.max(1, reps / 4));
  rate(base, items, Math.max(1, reps / 4));
  let bestCodec = 0;
  let bestBase = 0;
  for (let r = 0; r < ROUNDS; r++) {
    bestCodec = Math.max(bestCodec, rate(codec, items, reps));
    bestBase = Math.max(bestBase, rate(base, items, reps));
    ctx.progress(`${label} round ${r + 1}/${ROUNDS}`);
  }
  return [bestCodec, bestBase];
}

const suite: BenchSuite = {
  name: 'codec',
  async run(ctx) {
    const say: SayCommand = { cmd: 'SAY', text: TEXT };
    const frame = encodeFrame(say);
    const frames = 10_000;
    const stream = concat(Array.from({ length: frames }, () => frame));
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += CHUNK) chunks.push(stream.subarray(i, i + CHUNK));
    const reps = Math.max(2, Math.round(20 * ctx.scale));

    // Sanity: both sides see every frame, so the comparison is like for like.
    const check = serverSideDecoder();
    const decodedOk = chunks.flatMap((c) => check.push(c)).filter((r) => r.ok).length;
    if (decodedOk !== frames || baselineDecode(chunks) !== frames) throw new Error(`bench setup: decoded ${decodedOk} of ${frames}`);

    const [dec, decBase] = compare(ctx, 'decode', () => {
      const d = serverSideDecoder();
      let n = 0;
      for (const c of chunks) n += d.push(c).length;
      return n;
    }, () => baselineDecode(chunks), frames, reps);
    ctx.figure('decode SAY 64 B', dec, 'frames/s', decBase);
    ctx.figure('decode SAY 64 B throughput', (dec * frame.length) / 1e6, 'MB/s', (decBase * frame.length) / 1e6);

    // Same size, non-ASCII: the fatal TextDecoder path instead of the ASCII fast path.
    const utf8Frame = encodeFrame({ cmd: 'SAY', text: UTF8_TEXT });
    const utf8Chunks: Uint8Array[] = [];
    const utf8Stream = concat(Array.from({ length: frames }, () => utf8Frame));
    for (let i = 0; i < utf8Stream.length; i += CHUNK) utf8Chunks.push(utf8Stream.subarray(i, i + CHUNK));
    const [dec8, dec8Base] = compare(ctx, 'decode utf-8', () => {
      const d = serverSideDecoder();
      let n = 0;
      for (const c of utf8Chunks) n += d.push(c).length;
      return n;
    }, () => baselineDecode(utf8Chunks), frames, reps);
    ctx.figure('decode SAY 64 B non-ASCII', dec8, 'frames/s', dec8Base);

    const batch = 10_000;
    const [enc, encBase] = compare(ctx, 'encode', () => {
      let n = 0;
      for (let i = 0; i < batch; i++) n += encodeFrame(say).length;
      return n;
    }, () => {
      let n = 0;
      for (let i = 0; i < batch; i++) n += baselineEncode(['SAY', TEXT]).length;
      return n;
    }, batch, reps);
    ctx.figure('encode SAY 64 B', enc, 'frames/s', encBase);

    const pdu: PeerPdu = {
      peerId: '5f0c6a2e-9d1b-4c3a-8e7f-2b1d0c9a8e7f',
      options: [
        { type: 'SERVER_OPTION', port: 50_123 },
        { type: 'SERVER_CHANNELS', channels: ['#lobby', '#dev', '#ops', '#random', '#music', '#games', '#news', '#help'] },
      ],
    };
    const datagram = encodePdu(pdu);
    const [pd, pdBase] = compare(ctx, 'pdu', () => {
      let n = 0;
      for (let i = 0; i < batch; i++) if (decodePdu(datagram).ok) n++;
      return n;
    }, () => {
      let n = 0;
      for (let i = 0; i < batch; i++) n += baselineDecodePdu(datagram);
      return n;
    }, batch, reps);
    ctx.figure('decode PeerPDU (8 channels)', pd, 'PDUs/s', pdBase);
  },
};

export default suite;
