/**
 * The hostile peer's attacks on a network, as an outsider speaking plain mode (its forged PDUs may
 * also go out sealed under another network's key). Each attack says on its own whether it worked,
 * as seen from the attacker's side; the victims' side is checked by `attacksFailed`:
 *
 * - `impersonate`: dial the server and JOIN the victim's channel with the victim's peer ID as
 *   clientId, then SAY a forged post. Worked: the server answered with a frame (in secure mode the
 *   TLS handshake fails first, docs/security.md).
 * - `forgeServer`: multicast PeerPDUs that redirect the channel's members (docs/protocol.md §5.8):
 *   as the server itself with the attacker's port, and as a smaller peer ID announcing the channel.
 *   Worked: a member dialled the forged endpoint.
 * - `standbyHijack`: announce SERVER_OPTION as a dedicated server with the smallest peer ID and
 *   JOIN the channel, to be chosen standby (§5.2) and so its next host. Worked: the server named it
 *   in STANDBY, or a member dialled it.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { MULTICAST_GROUP_V4, clientSideDecoder, encodeFrame, encodePdu, type PduOption } from '@ims/codec';
import type { PduSealer } from '@ims/secure';

/** An attack other than the garbage flood. */
export type AimedAttack = 'impersonate' | 'forgeServer' | 'standbyHijack';

/** What the attacks aim at. */
export interface AttackPlan {
  readonly attacks: readonly AimedAttack[];
  /** The victim's channel. */
  readonly channel: string;
  /** The victim's peer ID (impersonate). */
  readonly victimId: string;
  /** The peer ID of the server the victim is on (forgeServer). */
  readonly serverId: string;
  /** The ID the hijacker claims, sorting first (standbyHijack). */
  readonly hijackId: string;
  /** The smaller ID forgeServer claims the channel under (its second PDU). */
  readonly forgedId: string;
  /** `ADDR:PORT` of the servers to dial. */
  readonly targets: readonly string[];
  readonly interfaceAddr: string;
  readonly discoveryPort: number;
  /** How often the forged PDUs go out: the network's announce interval, so discovery never sees the forger go quiet (docs/protocol.md §4). */
  readonly announceIntervalMs: number;
  /** Seals forged PDUs under another network's key (sent besides the plain ones). */
  readonly sealer?: PduSealer;
  readonly log: (event: string, data?: object) => void;
}

/** The text of every post the attacker forges, so the victims' side can tell one arrived. */
export const FORGED_TEXT = 'forged by the hostile peer';

/** How often each attack tries again, ms. @default 1000 */
export const ATTACK_PERIOD_MS = 1_000;

interface Tally {
  attempts: number;
  worked: number;
  refused: number;
}

/** Starts the attacks; returns a stop function. Logs `attack` stats each period and `attack-worked` at once. */
export function startAttacks(plan: AttackPlan): () => void {
  if (plan.attacks.length === 0) return () => undefined;
  const tallies = new Map(plan.attacks.map((a) => [a, { attempts: 0, worked: 0, refused: 0 } satisfies Tally]));
  const worked = (attack: AimedAttack, how: string): void => {
    const t = tallies.get(attack);
    if (t) t.worked += 1;
    plan.log('attack-worked', { attack, how });
  };
  const closers: (() => void)[] = [];
  const udp = createSocket({ type: 'udp4', reuseAddr: true });
  udp.on('error', (e) => plan.log('error', { message: e.message }));
  udp.bind(0, plan.interfaceAddr, () => {
    udp.setMulticastInterface(plan.interfaceAddr);
    udp.setMulticastTTL(1);
  });
  closers.push(() => udp.close());
  const listeners = new Map<AimedAttack, { server: Server; port: () => number }>();
  for (const a of plan.attacks.filter((x) => x !== 'impersonate')) {
    const server = createServer((s) => {
      worked(a, `a member dialled the forged endpoint from ${s.remoteAddress}`);
      // The dial is the proof; what becomes of the socket after that says nothing.
      s.on('error', () => undefined);
      s.destroy();
    });
    server.on('error', (e) => plan.log('error', { message: e.message }));
    server.listen(0, plan.interfaceAddr);
    listeners.set(a, { server, port: () => (server.address() as { port: number } | null)?.port ?? 0 });
    closers.push(() => server.close());
  }
  let sessions: (Socket & { hijack?: boolean })[] = [];
  const announce = (): void => {
    if (plan.attacks.includes('forgeServer')) forgeServerPdus(udp, plan, listeners.get('forgeServer')?.port() ?? 0);
    if (plan.attacks.includes('standbyHijack')) sendPdu(udp, plan, { peerId: plan.hijackId, options: [{ type: 'SERVER_OPTION', port: listeners.get('standbyHijack')?.port() ?? 0 }, { type: 'SERVER_CHANNELS', channels: [] }] });
  };
  const tick = (): void => {
    sessions = sessions.filter((s) => !s.destroyed);
    for (const a of plan.attacks) {
      const t = tallies.get(a) as Tally;
      t.attempts += 1;
      if (a === 'impersonate') sessions.push(...plan.targets.map((target) => joinAs(target, plan.victimId, plan, t, () => (worked(a, `the server answered a JOIN as ${plan.victimId}`), true))));
      if (a === 'standbyHijack') {
        // One member session at a time is enough to be chosen; retry when the server closed it.
        const named = (f: { cmd: string }): boolean => f.cmd === 'STANDBY' && JSON.stringify(f).includes(plan.hijackId) && (worked(a, 'the server named it standby'), true);
        if (!sessions.some((s) => !s.destroyed && s.hijack)) sessions.push(...plan.targets.map((target) => Object.assign(joinAs(target, plan.hijackId, plan, t, named), { hijack: true })));
      }
    }
    for (const [a, t] of tallies) plan.log('attack', { attack: a, ...t });
  };
  // The forged PDUs carry the listeners' ports: start once every listener has one.
  let timer: NodeJS.Timeout | undefined;
  let pduTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  void Promise.all([...listeners.values()].map(({ server }) => new Promise((resolve) => (server.listening ? resolve(undefined) : server.once('listening', resolve))))).then(() => {
    if (stopped) return;
    announce();
    tick();
    pduTimer = setInterval(announce, Math.max(10, plan.announceIntervalMs));
    timer = setInterval(tick, ATTACK_PERIOD_MS);
  });
  return () => {
    stopped = true;
    clearInterval(timer);
    clearInterval(pduTimer);
    for (const [a, t] of tallies) plan.log('attack', { attack: a, ...t });
    for (const s of sessions) s.destroy();
    for (const c of closers) c();
  };
}

function sendPdu(udp: UdpSocket, plan: AttackPlan, pdu: { peerId: string; options: readonly PduOption[] }): void {
  const bytes = encodePdu(pdu);
  udp.send(bytes, plan.discoveryPort, MULTICAST_GROUP_V4);
  if (plan.sealer) udp.send(plan.sealer.seal(bytes), plan.discoveryPort, MULTICAST_GROUP_V4);
}

/** The server's own PDU with the attacker's port, and a smaller ID claiming the channel (§5.8: members move to it). */
function forgeServerPdus(udp: UdpSocket, plan: AttackPlan, port: number): void {
  const channels = plan.channel.startsWith('#') ? [plan.channel] : [];
  sendPdu(udp, plan, { peerId: plan.serverId, options: [{ type: 'SERVER_OPTION', port }, { type: 'SERVER_CHANNELS', channels }] });
  sendPdu(udp, plan, { peerId: plan.forgedId, options: [{ type: 'SERVER_OPTION', port }, { type: 'SERVER_CHANNELS', channels }] });
}

/**
 * Dials `target` and JOINs the channel as `clientId` (then posts once); `onFrame` gets each frame
 * the server answers with until it returns true (the attack worked). A close without any frame
 * counts as refused.
 */
function joinAs(target: string, clientId: string, plan: AttackPlan, tally: Tally, onFrame: (frame: { cmd: string }) => boolean): Socket {
  const [host, p] = target.split(':');
  const s = connect({ host: host ?? '127.0.0.1', port: Number(p) });
  const decoder = clientSideDecoder();
  let answered = false;
  let done = false;
  s.on('connect', () => {
    s.write(encodeFrame({ cmd: 'JOIN', channel: plan.channel, clientId }));
    s.write(encodeFrame({ cmd: 'SAY', text: `${FORGED_TEXT} as ${clientId}` }));
  });
  s.on('data', (chunk: Buffer) => {
    for (const d of decoder.push(chunk)) {
      if (!d.ok) continue;
      if (!answered) plan.log('attack-answer', { clientId, cmd: d.value.cmd });
      answered = true;
      if (!done) done = onFrame(d.value);
    }
  });
  // Refused or reset: in secure mode the handshake the attacker cannot make fails first.
  s.on('error', () => undefined);
  s.on('close', () => {
    if (!answered) tally.refused += 1;
  });
  return s;
}
