import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DiscoveryStats } from '@ims/discovery';
import { Histogram, type HostStats } from '@ims/host-service';
import { DISCOVERY_ABUSE_CAUSES, HOST_ERROR_CODES } from './abuse-codes.js';
import { escapeLabel, renderMetrics } from './metrics.js';

function stats(over: Partial<HostStats> = {}): HostStats {
  return {
    connections: 3,
    channels: 2,
    members: 5,
    framesIn: 10,
    framesOut: 40,
    errors: { FLOOD: 2, BAD_UTF8: 1 },
    fanoutLatency: new Histogram().snapshot(),
    store: { writable: true, committedPosts: 0, refusedPosts: 0, failedCommits: 0 },
    historyPulls: { pulls: 1, failures: 0, posts: 7 },
    ...over,
  };
}

/** Parses exposition lines `name{labels} value` into a map, failing on anything malformed. */
function parse(text: string): Map<string, number> {
  const out = new Map<string, number>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.trimEnd().split('\n')) {
    if (line.startsWith('# ')) {
      expect(line).toMatch(/^# (HELP \w+ .+|TYPE \w+ (counter|gauge|histogram))$/);
      continue;
    }
    const m = /^([a-z_]+(?:\{[a-z]+="[^"]*"\})?) (\S+)$/.exec(line);
    expect(m, line).not.toBeNull();
    out.set(m?.[1] as string, Number(m?.[2]));
  }
  return out;
}

describe('renderMetrics', () => {
  it('exposes gauges, counters and errors by code', () => {
    const m = parse(renderMetrics({ host: stats(), peers: 4, uptimeSeconds: 7, rssBytes: 1000 }));
    expect(m.get('ims_connections')).toBe(3);
    expect(m.get('ims_channels')).toBe(2);
    expect(m.get('ims_members')).toBe(5);
    expect(m.get('ims_frames_in_total')).toBe(10);
    expect(m.get('ims_frames_out_total')).toBe(40);
    expect(m.get('ims_errors_total{code="FLOOD"}')).toBe(2);
    expect(m.get('ims_errors_total{code="BAD_UTF8"}')).toBe(1);
    expect(m.get('ims_discovery_peers')).toBe(4);
    expect(m.has('ims_history_written_total')).toBe(false);
  });

  it('exposes the local health of discovery: our own timer lag, stalled time and the widening factor', () => {
    const m = parse(renderMetrics({ host: stats(), peers: 4, uptimeSeconds: 7, rssBytes: 1000, localHealth: { lagMs: 3_500, stalledMs: 42_000, healthMultiplier: 1.75 } }));
    expect(m.get('ims_discovery_lag_ms')).toBe(3_500);
    expect(m.get('ims_discovery_stalled_ms_total')).toBe(42_000);
    expect(m.get('ims_discovery_health_multiplier')).toBe(1.75);
  });

  it('renders the fan-out histogram in seconds with cumulative buckets', () => {
    const h = new Histogram();
    for (const us of [1, 3, 3, 100, 5_000_000]) h.record(us);
    const m = parse(renderMetrics({ host: stats({ fanoutLatency: h.snapshot() }), peers: 0, uptimeSeconds: 0, rssBytes: 0 }));
    expect(m.get('ims_fanout_latency_seconds_bucket{le="0.000001"}')).toBe(1);
    expect(m.get('ims_fanout_latency_seconds_bucket{le="0.000004"}')).toBe(3);
    expect(m.get('ims_fanout_latency_seconds_bucket{le="0.000128"}')).toBe(4);
    expect(m.get('ims_fanout_latency_seconds_bucket{le="+Inf"}')).toBe(5);
    expect(m.get('ims_fanout_latency_seconds_count')).toBe(5);
    expect(m.get('ims_fanout_latency_seconds_sum')).toBeCloseTo(5.000107, 9);
  });

  it('adds history counters when persistence is on', () => {
    const m = parse(
      renderMetrics({ host: stats(), history: { written: 9, pending: 1, failedCommits: 2, unimported: 4, failedImports: 3 }, peers: 0, uptimeSeconds: 0, rssBytes: 0 }),
    );
    expect(m.get('ims_history_written_total')).toBe(9);
    expect(m.get('ims_history_pending')).toBe(1);
    expect(m.get('ims_history_failed_commits_total')).toBe(2);
    expect(m.get('ims_history_unimported')).toBe(4);
    expect(m.get('ims_history_failed_imports_total')).toBe(3);
  });

  it('shows whether the store takes posts, and what it refused', () => {
    const store = { writable: false, committedPosts: 40, refusedPosts: 7, failedCommits: 3 };
    const m = parse(renderMetrics({ host: stats({ store }), peers: 0, uptimeSeconds: 0, rssBytes: 0 }));
    expect(m.get('ims_store_writable')).toBe(0);
    expect(m.get('ims_store_committed_posts_total')).toBe(40);
    expect(m.get('ims_store_refused_posts_total')).toBe(7);
    expect(m.get('ims_store_failed_commits_total')).toBe(3);
    expect(parse(renderMetrics({ host: stats(), peers: 0, uptimeSeconds: 0, rssBytes: 0 })).get('ims_store_writable')).toBe(1);
  });

  it('shows every code of docs/protocol.md §6 at 0 before it happens, then what the host counted, unknown codes included', () => {
    const m = parse(renderMetrics({ host: stats({ errors: { FLOOD: 2, JOIN_RATE: 4 } }), peers: 0, uptimeSeconds: 0, rssBytes: 0 }));
    for (const code of HOST_ERROR_CODES.filter((c) => c !== 'FLOOD')) expect(m.get(`ims_errors_total{code="${code}"}`), code).toBe(0);
    expect(m.get('ims_errors_total{code="FLOOD"}')).toBe(2);
    expect(m.get('ims_errors_total{code="JOIN_RATE"}')).toBe(4);
    for (const code of ['MAX_CONNECTIONS', 'MAX_CONNECTIONS_PER_IP', 'CONNECTION_RATE_PER_IP', 'NOT_ACCEPTING', 'SLOW_READER', 'IDLE_TIMEOUT', 'HELD_BACK_PER_IP', 'HELD_BACK_PER_CHANNEL', 'ID_IN_USE', 'CREATE_RATE']) {
      expect(HOST_ERROR_CODES).toContain(code);
    }
  });

  it('lists every code docs/protocol.md §6 gives a frame or a connection (so each shows in /metrics before it happens)', () => {
    const doc = readFileSync(new URL('../../../../docs/protocol.md', import.meta.url), 'utf8');
    const section = (from: string, to: string): string => doc.slice(doc.indexOf(from), doc.indexOf(to, doc.indexOf(from)));
    const frameCodes = [...section('### 6.1', '### 6.2').matchAll(/^\| `([A-Z_]+)` \| frame/gm)].map((m) => m[1]);
    // §6.2: the refusals' table and the accept refusals; FRAMES_DROPPED is a reply (counted by budget), HOST_ERROR a client's stand-in.
    const refusals = [...section('### 6.2', '## 7.').matchAll(/`([A-Z][A-Z_]{3,})[`:]/g)].map((m) => m[1]).filter((c) => !['CODE', 'HOST_ERROR', 'FRAMES_DROPPED', 'FRAME_TRUNCATED'].includes(c as string));
    expect(frameCodes.length).toBeGreaterThan(5);
    expect(refusals).toContain('MAX_CONNECTIONS_PER_IP');
    for (const code of new Set([...frameCodes, ...refusals].filter((c) => c !== 'FRAME_TRUNCATED'))) expect(HOST_ERROR_CODES, code).toContain(code);
  });

  it('counts posts the store refused as STORE_UNAVAILABLE', () => {
    const store = { writable: false, committedPosts: 0, refusedPosts: 7, failedCommits: 1 };
    expect(parse(renderMetrics({ host: stats({ store }), peers: 0, uptimeSeconds: 0, rssBytes: 0 })).get('ims_errors_total{code="STORE_UNAVAILABLE"}')).toBe(7);
  });

  it('shows each discovery abuse counter under its own cause, and moves only that one', () => {
    const zero = discoveryStats();
    const base = parse(renderMetrics({ host: stats(), peers: 0, discovery: zero, uptimeSeconds: 0, rssBytes: 0 }));
    for (const cause of DISCOVERY_ABUSE_CAUSES) expect(base.get(`ims_discovery_abuse_total{cause="${cause}"}`), cause).toBe(0);
    for (const [i, cause] of DISCOVERY_ABUSE_CAUSES.entries()) {
      const m = parse(renderMetrics({ host: stats(), peers: 0, discovery: { ...zero, [cause]: i + 1 }, uptimeSeconds: 0, rssBytes: 0 }));
      for (const other of DISCOVERY_ABUSE_CAUSES) expect(m.get(`ims_discovery_abuse_total{cause="${other}"}`), other).toBe(other === cause ? i + 1 : 0);
    }
    const m = parse(renderMetrics({ host: stats(), peers: 0, discovery: { ...zero, received: 9, accepted: 5, sentDatagrams: 3 }, uptimeSeconds: 0, rssBytes: 0 }));
    expect([m.get('ims_discovery_received_total'), m.get('ims_discovery_accepted_total'), m.get('ims_discovery_sent_datagrams_total')]).toEqual([9, 5, 3]);
  });

  it('escapes label values', () => {
    expect(escapeLabel('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
  });
});

function discoveryStats(): DiscoveryStats {
  return {
    received: 0,
    accepted: 0,
    own: 0,
    oversize: 0,
    rateLimited: 0,
    peerRateLimited: 0,
    addressConflicts: 0,
    malformed: 0,
    unauthenticated: 0,
    replayed: 0,
    notAdmitted: 0,
    identityMismatch: 0,
    secureIgnored: 0,
    warnings: 0,
    evicted: 0,
    peersRefused: 0,
    channelsRefused: 0,
    channelsFiltered: 0,
    announcements: 0,
    sentDatagrams: 0,
    encodeErrors: 0,
    entriesLeftOut: 0,
    peers: 0,
    lagMs: 0,
    maxLagMs: 0,
    stalledMs: 0,
    healthMultiplier: 1,
  };
}
