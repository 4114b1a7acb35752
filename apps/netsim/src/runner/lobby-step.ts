/**
 * The `lobby` step: a one-off `peer-client lobby --json` beside host `at` (its box, its mode: the
 * network key when `at` is secure), whose snapshot must list every `sees` host and none of `lacks`.
 * So a mixed LAN shows that each side's lobby lacks the other (docs/security.md).
 */
import { recordPid } from '../backend/run-dir.js';
import { spawnProcess } from '../proc/host-process.js';
import { REPO_ROOT, nodeCommand } from '../proc/launch.js';
import type { Step } from '../scenario/types.js';
import { parseEventLine } from './host-manager.js';
import type { CheckOutcome } from './result.js';
import type { StepContext } from './steps.js';

/** How long the snapshot listens, in announce intervals. @default 4 */
export const LOBBY_LISTEN_INTERVALS = 4;

/** Takes the snapshot; a failed check names who was missing or seen. */
export async function runLobbyStep(step: Extract<Step, { kind: 'lobby' }>, ctx: StepContext): Promise<CheckOutcome | undefined> {
  const { scenario, backend, log, secure } = ctx;
  const interval = scenario.announceIntervalMs;
  const name = `${step.at}-lobby`;
  const policy = secure?.policyFiles(step.at) ?? {};
  const lists = [...(policy.allow ? ['--allow-peers-file', policy.allow] : []), ...(policy.revoked ? ['--revoked-peers-file', policy.revoked] : [])];
  const mode = secure?.isSecure(step.at) ? ['--network-key-file', secure.keyFile, '--identity-file', secure.identityFile(name), ...lists] : ['--id', name];
  const args = ['lobby', '--json', '--wait', String(LOBBY_LISTEN_INTERVALS * interval), ...mode, '--announce-interval', String(interval), '--discovery-port', String(ctx.discoveryPort), '--interface', backend.interfaceOf(step.at)];
  const node = nodeCommand(ctx.apps.client, args);
  const line = backend.wrap(step.at, node.cmd, node.args);
  const proc = await spawnProcess(line.cmd, line.args, { cwd: REPO_ROOT });
  await recordPid(ctx.runDir, proc.pid);
  const out: string[] = [];
  proc.lines$.subscribe((l) => out.push(l.line));
  const killer = setTimeout(() => proc.signal('SIGKILL'), LOBBY_LISTEN_INTERVALS * interval + 30_000);
  const onAbort = (): boolean => proc.signal('SIGKILL');
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  const exit = await proc.exit;
  clearTimeout(killer);
  ctx.signal.removeEventListener('abort', onAbort);
  const snapshot = out.map(parseEventLine).find((e) => e?.event === 'lobby');
  const fail = (problems: string[]): CheckOutcome => ({ name: `lobby (line ${step.line})`, line: step.line, ok: false, problems });
  if (!snapshot) return fail([`no lobby snapshot (exit ${String(exit.code ?? exit.signal)}): ${out.slice(-3).join(' | ')}`]);
  const ids = (Array.isArray(snapshot.data['peers']) ? snapshot.data['peers'] : []).map((p: unknown) => String((p as { id?: unknown }).id));
  const seen = new Set(ids.map((id) => secure?.nameOf(id) ?? id));
  log.push(step.at, 'netsim', 'lobby', { peers: [...seen].sort() });
  const problems = [...step.sees.filter((h) => !seen.has(h)).map((h) => `${h} is missing from the lobby`), ...step.lacks.filter((h) => seen.has(h)).map((h) => `${h} is in the lobby`)];
  return problems.length > 0 ? fail(problems) : undefined;
}
