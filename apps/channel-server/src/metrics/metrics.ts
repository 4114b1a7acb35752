/**
 * `/metrics` in the Prometheus text exposition format (version 0.0.4), rendered from plain
 * snapshots at scrape time: nothing is counted twice, the host service owns its counters.
 */
import type { DiscoveryStats } from '@ims/discovery';
import type { HostStats } from '@ims/host-service';
import { DISCOVERY_ABUSE_CAUSES, HOST_ERROR_CODES } from './abuse-codes.js';

/** Everything one scrape shows; each part is a plain snapshot. */
/** Counters of the SQLite history store (history/sqlite-history-store.ts). */
export interface HistoryCounters {
  readonly written: number;
  readonly pending: number;
  readonly failedCommits: number;
  readonly unimported: number;
  readonly failedImports: number;
}

export interface MetricsSample {
  /** The host service's counters and gauges. */
  readonly host: HostStats;
  /** History persistence; absent when history is kept in memory only. */
  readonly history?: HistoryCounters;
  /** Peers in the discovery table. */
  readonly peers: number;
  /** Discovery's counters (docs/protocol.md §3.4, §3.6, §3.7): every abuse cause shows; absent in old samples. */
  readonly discovery?: DiscoveryStats;
  /** This process's own timer lag as discovery measures it (docs/protocol.md §4.2); absent in old samples. */
  readonly localHealth?: { readonly lagMs: number; readonly stalledMs: number; readonly healthMultiplier: number };
  /** Seconds since the server started. */
  readonly uptimeSeconds: number;
  /** Resident set size of the process, bytes. */
  readonly rssBytes: number;
}

/** Escape a label value per the exposition format: backslash, quote and newline. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function metric(lines: string[], name: string, type: 'counter' | 'gauge', help: string, value: number): void {
  lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
}

/** The scrape body, ending with a newline. */
export function renderMetrics(s: MetricsSample): string {
  const lines: string[] = [];
  const h = s.host;
  metric(lines, 'ims_connections', 'gauge', 'Open TCP connections.', h.connections);
  metric(lines, 'ims_channels', 'gauge', 'Live channels hosted.', h.channels);
  metric(lines, 'ims_members', 'gauge', 'Members over all live channels.', h.members);
  metric(lines, 'ims_frames_in_total', 'counter', 'Frames decoded from clients, good and bad.', h.framesIn);
  metric(lines, 'ims_frames_out_total', 'counter', 'Frames queued to clients (a fan-out counts once per member).', h.framesOut);
  renderErrors(lines, h);
  const lat = h.fanoutLatency;
  lines.push(
    '# HELP ims_fanout_latency_seconds Time from decoding a SAY to its fan-out queued on every member connection.',
    '# TYPE ims_fanout_latency_seconds histogram',
  );
  for (const [boundUs, count] of lat.buckets) {
    const le = boundUs === Infinity ? '+Inf' : String(boundUs / 1e6);
    lines.push(`ims_fanout_latency_seconds_bucket{le="${le}"} ${count}`);
  }
  lines.push(`ims_fanout_latency_seconds_sum ${lat.sumUs / 1e6}`, `ims_fanout_latency_seconds_count ${lat.count}`);
  if (s.history) {
    metric(lines, 'ims_history_written_total', 'counter', 'Posts written to the SQLite history.', s.history.written);
    metric(lines, 'ims_history_pending', 'gauge', 'Posts queued for the next group commit (end of the event-loop turn).', s.history.pending);
    metric(lines, 'ims_history_failed_commits_total', 'counter', 'History group commits that could not be written (their posts were refused).', s.history.failedCommits);
    metric(lines, 'ims_history_unimported', 'gauge', 'Posts journaled (acknowledged) and not yet imported into the SQLite file.', s.history.unimported);
    metric(lines, 'ims_history_failed_imports_total', 'counter', 'Imports of the journal into SQLite that failed (the posts stay journaled and are tried again).', s.history.failedImports);
  }
  const st = h.store;
  metric(lines, 'ims_store_writable', 'gauge', '1 while the history store takes posts, 0 while posts are refused with STORE_UNAVAILABLE.', st.writable ? 1 : 0);
  metric(lines, 'ims_store_committed_posts_total', 'counter', 'Posts stored by group commits before their echo.', st.committedPosts);
  metric(lines, 'ims_store_refused_posts_total', 'counter', 'Posts refused with STORE_UNAVAILABLE (taken back after a failed commit, or refused while failing).', st.refusedPosts);
  metric(lines, 'ims_store_failed_commits_total', 'counter', 'Group commits of the history store that failed.', st.failedCommits);
  const pulls = h.historyPulls;
  metric(lines, 'ims_history_pulls_total', 'counter', 'Copies of a channel pulled from a larger peer ID after a split (docs/protocol.md §5.8).', pulls.pulls);
  metric(lines, 'ims_history_pull_failures_total', 'counter', 'History pulls that failed (dial, refusal, close, timeout); retried with backoff.', pulls.failures);
  metric(lines, 'ims_history_pulled_posts_total', 'counter', 'Posts read by history pulls (merged where this host lacked them).', pulls.posts);
  metric(lines, 'ims_discovery_peers', 'gauge', 'Peers in the discovery table.', s.peers);
  if (s.discovery) renderDiscovery(lines, s.discovery);
  if (s.localHealth) {
    const h = s.localHealth;
    metric(lines, 'ims_discovery_lag_ms', 'gauge', 'Recent lag of our own liveness timer (decaying peak), ms: a starved event loop.', h.lagMs);
    metric(lines, 'ims_discovery_stalled_ms_total', 'counter', 'ms our timers ran late in all; not counted as any peer\'s silence.', h.stalledMs);
    metric(lines, 'ims_discovery_health_multiplier', 'gauge', 'Factor on every liveness threshold while our own lag is high (1 = healthy).', h.healthMultiplier);
  }
  metric(lines, 'ims_uptime_seconds', 'gauge', 'Seconds since start.', s.uptimeSeconds);
  metric(lines, 'process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', s.rssBytes);
  return lines.join('\n') + '\n';
}

/**
 * `ims_errors_total{code}`: every code a host can count shows, at 0 until it happens (so a rate over
 * it exists before the first abuse), then any other code the host counted. STORE_UNAVAILABLE is the
 * store's refused posts (docs/protocol.md §6.2), counted there.
 */
function renderErrors(lines: string[], h: HostStats): void {
  lines.push('# HELP ims_errors_total Protocol, abuse and socket errors by code (docs/protocol.md §6).', '# TYPE ims_errors_total counter');
  const counts: Record<string, number> = { STORE_UNAVAILABLE: h.store.refusedPosts };
  for (const code of HOST_ERROR_CODES) counts[code] ??= 0;
  for (const [code, n] of Object.entries(h.errors)) counts[code] = n;
  for (const code of Object.keys(counts).sort()) lines.push(`ims_errors_total{code="${escapeLabel(code)}"} ${counts[code]}`);
}

/** Discovery's datagram counters, and its abuse counters as one family with a `cause` label. */
function renderDiscovery(lines: string[], d: DiscoveryStats): void {
  metric(lines, 'ims_discovery_received_total', 'counter', 'Datagrams received on the discovery port, own ones included.', d.received);
  metric(lines, 'ims_discovery_accepted_total', 'counter', 'PeerPDUs applied to the peer table.', d.accepted);
  metric(lines, 'ims_discovery_sent_datagrams_total', 'counter', 'Datagrams this peer sent.', d.sentDatagrams);
  lines.push(
    '# HELP ims_discovery_abuse_total Datagrams dropped or limited, peers and channels refused, own entries left out, by cause (docs/protocol.md §3, §9).',
    '# TYPE ims_discovery_abuse_total counter',
  );
  for (const cause of DISCOVERY_ABUSE_CAUSES) lines.push(`ims_discovery_abuse_total{cause="${cause}"} ${d[cause]}`);
}
