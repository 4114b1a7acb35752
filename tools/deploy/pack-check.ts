/**
 * `npm run pack-check`: packs every app's deployable folder (`dist/deploy/<app>/`, made by
 * `npm run build`), installs each tarball into a temporary global prefix as a user would
 * (`npm install -g`), then runs the installed commands from there, far from the repository:
 * `--help` of each, netsim validating a scenario file and running one (a server killed, on the
 * installed server and client), and a short chat on loopback: the
 * channel-server with a SQLite data dir and its /healthz, one `chat --json` client posting a line
 * and reading its echo, the server restarted with two worker processes and a second client reading
 * that line back as history. Installing the server compiles better-sqlite3 when no prebuilt binary
 * can be downloaded (one to two minutes here), which is why this runs as its own CI step after
 * `npm test`. Only loopback traffic, on a private discovery port.
 */
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Followed, run } from './child.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The apps, their deployable folder under dist/deploy and the command each installs. */
const APPS = [
  { dir: 'peer-client', bin: 'ims' },
  { dir: 'netsim', bin: 'ims-netsim' },
  { dir: 'channel-server', bin: 'ims-server' },
] as const;

const timings: [string, number][] = [];
/** Every program started, so a failed check still stops them all. */
const started: Followed[] = [];

function follow(label: string, cmd: string, args: readonly string[], cwd: string): Followed {
  const f = new Followed(label, cmd, args, cwd);
  started.push(f);
  return f;
}

async function timed<T>(what: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const v = await f();
  timings.push([what, (performance.now() - t0) / 1000]);
  return v;
}

async function must(cmd: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<string> {
  const r = await run(cmd, args, { cwd, timeoutMs });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** Packs one deployable folder; returns the tarball's path. */
async function pack(dir: string, dest: string): Promise<string> {
  const folder = join(ROOT, 'dist/deploy', dir);
  await access(join(folder, 'package.json')).catch(() => {
    throw new Error(`${folder} is missing: run \`npm run build\` first`);
  });
  const out = await must('npm', ['pack', '--json', '--pack-destination', dest], folder, 120_000);
  const [info] = JSON.parse(out) as { filename: string; files: { path: string }[] }[];
  if (info === undefined) throw new Error(`npm pack in ${folder} printed nothing`);
  const files = info.files.map((f) => f.path).sort();
  const manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8')) as { files: string[] };
  const expected = [...manifest.files, 'package.json'].sort();
  if (files.join() !== expected.join()) throw new Error(`${info.filename} holds ${files.join(', ')}; expected ${expected.join(', ')}`);
  return join(dest, info.filename);
}

/** A short chat between the installed server and client; proves the SQLite history survives a restart. */
async function chat(bin: string, tmp: string): Promise<void> {
  const port = String(20_000 + Math.floor(Math.random() * 10_000));
  const common = ['--discovery-port', port, '--announce-interval', '200'];
  const serverArgs = ['--id', 'pack-check-server', '--data-dir', join(tmp, 'data'), '--http-port', '0', ...common];
  const channel = `#pack-${process.pid}`;
  const text = `hello from the tarball ${Date.now()}`;

  const server = follow('ims-server', join(bin, 'ims-server'), serverArgs, tmp);
  const listening = await server.waitJson('err', (o) => o['event'] === 'listening', 'listening line');
  const health = await fetch(`http://127.0.0.1:${String(listening['httpPort'])}/healthz`);
  if (health.status !== 200) throw new Error(`/healthz answered ${health.status}`);

  const alice = follow('alice', join(bin, 'ims'), ['chat', channel, '--json', '--server', 'pack-check-server', '--no-host', '--nick', 'alice', ...common], tmp);
  await alice.waitJson('out', (o) => o['event'] === 'joined' && o['host'] === 'pack-check-server', 'joined on the server');
  alice.child.stdin?.write(`${text}\n`);
  await alice.waitJson('out', (o) => o['event'] === 'say' && o['text'] === text, 'echo of its post');
  alice.child.stdin?.end();
  await alice.waitJson('out', (o) => o['event'] === 'left', 'left');
  if ((await alice.waitExit()) !== 0) throw new Error(`alice did not exit 0\n${alice.tail()}`);

  server.child.kill('SIGTERM');
  if ((await server.waitExit()) !== 0) throw new Error(`ims-server did not exit 0 on SIGTERM\n${server.tail()}`);
  // Restarted with worker processes: the forked worker-main.js ships beside main.js.
  const again = follow('ims-server (restarted, 2 workers)', join(bin, 'ims-server'), [...serverArgs, '--workers', '2'], tmp);
  await again.waitJson('err', (o) => o['event'] === 'listening', 'listening line');
  const bob = follow('bob', join(bin, 'ims'), ['chat', channel, '--json', '--server', 'pack-check-server', '--no-host', '--nick', 'bob', ...common], tmp);
  await bob.waitJson('out', (o) => o['event'] === 'history' && o['text'] === text, 'the post as history after the restart');
  bob.child.stdin?.end();
  if ((await bob.waitExit()) !== 0) throw new Error(`bob did not exit 0\n${bob.tail()}`);
  again.child.kill('SIGTERM');
  if ((await again.waitExit()) !== 0) throw new Error(`restarted ims-server did not exit 0 on SIGTERM\n${again.tail()}`);
}

/** Secure mode from the installed programs: `ims keygen`, `ims id`, and a post through a secure server (docs/security.md). */
async function secureChat(bin: string, tmp: string): Promise<void> {
  const keyFile = join(tmp, 'network.key');
  await must(join(bin, 'ims'), ['keygen', keyFile], tmp, 30_000);
  const identityFile = join(tmp, 'carol.key');
  const carol = (await must(join(bin, 'ims'), ['id', '--identity-file', identityFile], tmp, 30_000)).trim();
  if (!/^k[a-z2-7]{52}$/.test(carol)) throw new Error(`ims id printed ${JSON.stringify(carol)}`);
  const port = String(20_000 + Math.floor(Math.random() * 10_000));
  const common = ['--discovery-port', port, '--announce-interval', '200', '--network-key-file', keyFile];
  const server = follow('ims-server (secure)', join(bin, 'ims-server'), ['--data-dir', join(tmp, 'secure-data'), ...common], tmp);
  const listening = await server.waitJson('err', (o) => o['event'] === 'listening', 'listening line');
  const serverId = String(listening['id']);
  const channel = `#secure-${process.pid}`;
  const text = `sealed hello ${Date.now()}`;
  const client = follow('carol (secure)', join(bin, 'ims'), ['chat', channel, '--json', '--server', serverId, '--no-host', '--identity-file', identityFile, ...common], tmp);
  await client.waitJson('out', (o) => o['event'] === 'joined' && o['host'] === serverId, 'joined on the secure server');
  client.child.stdin?.write(`${text}\n`);
  await client.waitJson('out', (o) => o['event'] === 'say' && o['text'] === text && o['author'] === carol, 'echo of its post, by its proven ID');
  client.child.stdin?.end();
  if ((await client.waitExit()) !== 0) throw new Error(`carol did not exit 0\n${client.tail()}`);
  server.child.kill('SIGTERM');
  if ((await server.waitExit()) !== 0) throw new Error(`secure ims-server did not exit 0 on SIGTERM\n${server.tail()}`);
}

/** The installed netsim reads and validates a scenario file: a bad one exits 2 naming file and line. */
async function netsimValidates(netsim: string, tmp: string): Promise<void> {
  const file = join(tmp, 'bad.yaml');
  await writeFile(file, 'name: pack check\nannounceInterval: many\n');
  const r = await run(netsim, ['run', file], { cwd: tmp, timeoutMs: 30_000 });
  if (r.code !== 2 || !r.stderr.includes('bad.yaml')) throw new Error(`ims-netsim run bad.yaml: exit ${r.code}, expected 2 and the file named\n${r.stderr.slice(-2000)}`);
}

/**
 * The installed netsim runs a real scenario against the installed server and client (found beside
 * it in the same node_modules): the repository's first one, a server killed under its members.
 */
async function netsimRuns(netsim: string, tmp: string): Promise<void> {
  const scenario = join(ROOT, 'apps/netsim/scenarios/01-server-crash.yaml');
  const r = await run(netsim, ['run', scenario], { cwd: tmp, timeoutMs: 180_000 });
  if (r.code !== 0 || !r.stdout.includes('PASS')) throw new Error(`ims-netsim run 01-server-crash.yaml: exit ${r.code}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(join(tmpdir(), 'ims-pack-check-'));
  const prefix = join(tmp, 'prefix');
  const bin = join(prefix, 'bin');
  try {
    for (const app of APPS) {
      const tarball = await timed(`npm pack ${app.dir}`, () => pack(app.dir, tmp));
      // A global install, as `npm install -g ./<tarball>` on a server box; cwd outside the repository.
      const install = ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3', tarball];
      await timed(`npm install -g ${app.dir}`, () => must('npm', install, tmp, 900_000));
      const help = await must(join(bin, app.bin), ['--help'], tmp, 30_000);
      if (!help.startsWith('Usage:')) throw new Error(`${app.bin} --help printed: ${help.slice(0, 200)}`);
    }
    await netsimValidates(join(bin, 'ims-netsim'), tmp);
    await timed('a netsim scenario with the installed apps', () => netsimRuns(join(bin, 'ims-netsim'), tmp));
    await timed('chat through the installed server and client', () => chat(bin, tmp));
    await timed('secure mode: keygen, id and a chat through the installed apps', () => secureChat(bin, tmp));
  } finally {
    for (const f of started) if (f.child.exitCode === null && f.child.signalCode === null) f.child.kill('SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  }
  for (const [what, s] of timings) process.stdout.write(`pack-check: ${what}: ${s.toFixed(1)} s\n`);
  process.stdout.write('pack-check: ok\n');
}

await main();
