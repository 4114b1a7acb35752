/**
 * One discovery peer as a process, for integration tests and manual trials:
 *   node --conditions=@ims/source --import tsx test/discovery-peer.ts --id a --nick ann --port 45000
 * Emits JSON lines on stdout ({type:'ready'|'event'|'stats'}); reads JSON lines on stdin:
 * {"cmd":"nick","nick":"x"}, {"cmd":"server","port":50000,"channels":["#a"]}, {"cmd":"stats"}.
 * SIGTERM/SIGINT close discovery and exit 0. Multicast stays on loopback unless --interface is given.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { discover, udpPort } from '../src/index.js';

const { values } = parseArgs({
  options: {
    id: { type: 'string' },
    nick: { type: 'string' },
    port: { type: 'string' },
    interval: { type: 'string', default: '2000' },
    rate: { type: 'string', default: '200' },
    interface: { type: 'string' },
  },
});
const write = (line: object): void => {
  process.stdout.write(JSON.stringify(line) + '\n');
};

const port = await udpPort({
  port: values.port === undefined ? undefined : Number(values.port),
  interface: values.interface,
  onError: (e) => write({ type: 'socketError', message: e.message }),
});
const d = discover(port, {
  peerId: values.id,
  nick: values.nick,
  intervalMs: Number(values.interval),
  maxPdusPerSecondPerSource: Number(values.rate),
  log: (entry) => {
    if (entry.level === 'warn') write({ type: 'log', ...entry });
  },
});
d.events$.subscribe((event) => write({ type: 'event', ...event }));

const stop = (): void => {
  d.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

createInterface({ input: process.stdin }).on('line', (line) => {
  let msg: { cmd?: string; nick?: string; port?: number; channels?: string[] };
  try {
    msg = JSON.parse(line) as typeof msg;
  } catch (error) {
    write({ type: 'badCommand', line, message: (error as Error).message });
    return;
  }
  if (msg.cmd === 'nick') d.setNick(msg.nick);
  else if (msg.cmd === 'server') d.setServer(msg.port === undefined ? undefined : { port: msg.port, channels: msg.channels ?? [] });
  else if (msg.cmd === 'stats') write({ type: 'stats', stats: d.stats() });
  else write({ type: 'badCommand', line });
});
write({ type: 'ready', id: d.peerId });
