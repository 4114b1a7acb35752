/**
 * `/metrics` in the Prometheus text exposition format (version 0.0.4), rendered from plain
 * snapshots at scrape time: nothing is counted twice, the host service owns its counters.
 */
import type { HostStats } from '@ims/host-service';

/** Everything one scrape shows; each part is a plain snapshot. */
export interface MetricsSample {
  /** The host service's counters and gauges. */
  readonly host: HostStats;
  /** History persistence; absent when history is kept in memory only. */
  readonly history?: { readonly written: number; readonly pending: number; readonly failedBatches: number };
  /** Peers in the discovery table. */
  readonly peers: number;
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
  lines.push('# HELP ims_errors_total Protocol, abuse and socket errors by code.', '# TYPE ims_errors_total counter');
  for (const code of Object.keys(h.errors).sort()) lines.push(`ims_errors_total{code="${escapeLabel(code)}"} ${h.errors[code]}`);
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
    metric(lines, 'ims_history_pending', 'gauge', 'Posts queued for the next batched write.', s.history.pending);
    metric(lines, 'ims_history_failed_batches_total', 'counter', 'History batches that could not be written.', s.history.failedBatches);
  }
  metric(lines, 'ims_discovery_peers', 'gauge', 'Peers in the discovery table.', s.peers);
  metric(lines, 'ims_uptime_seconds', 'gauge', 'Seconds since start.', s.uptimeSeconds);
  metric(lines, 'process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', s.rssBytes);
  return lines.join('\n') + '\n';
}
