/** Command lines of the processes netsim starts, built from the process contracts (README). */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostSpec } from '../scenario/types.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * Running from the deployable bundle (`dist/deploy/netsim/`, or that package installed): one flat
 * folder with the helpers beside `main.js`, the channel-server and peer-client installed beside
 * it (`@ims/channel-server`, `@ims/peer-client` in the same node_modules).
 */
export const BUNDLED = existsSync(join(HERE, 'recorder-main.js'));

/** The repository root, found from this file's location (apps/netsim/src/proc); the bundle's folder when bundled. */
export const REPO_ROOT = BUNDLED ? HERE : resolve(HERE, '../../../..');

/** A file netsim ships (`src/faults/tap-open.pl`, …): in the sources, or beside the bundle. */
export function netsimFile(path: string): string {
  return BUNDLED ? join(HERE, basename(path)) : join(REPO_ROOT, 'apps/netsim', path);
}

/** Entry points of the apps; tests point them at fixture processes. */
export interface AppMains {
  /** @default `<repo>/apps/channel-server/src/main.ts` */
  readonly server: string;
  /** @default `<repo>/apps/peer-client/src/main.ts` */
  readonly client: string;
}

/** The apps installed beside the bundle (the same node_modules folder, or dist/deploy/). */
const INSTALLED_APP_MAINS: AppMains = {
  server: join(HERE, '..', 'channel-server', 'main.js'),
  client: join(HERE, '..', 'peer-client', 'main.js'),
};

/** The real apps: the sources in the repository, the installed packages when bundled. */
export const DEFAULT_APP_MAINS: AppMains = BUNDLED
  ? INSTALLED_APP_MAINS
  : {
      server: join(REPO_ROOT, 'apps/channel-server/src/main.ts'),
      client: join(REPO_ROOT, 'apps/peer-client/src/main.ts'),
    };

/**
 * Entry point of one of netsim's helper processes (`wire/recorder-main`, …): the build
 * (`apps/netsim/dist/<name>.js`, plain node, a few hundred ms) when it is at least as new as the
 * source, else the source through tsx (seconds under load: what made recorder starts time out).
 */
export function helperMain(name: string): string {
  if (BUNDLED) return join(HERE, `${basename(name)}.js`);
  const src = join(REPO_ROOT, 'apps/netsim/src', `${name}.ts`);
  const built = join(REPO_ROOT, 'apps/netsim/dist', `${name}.js`);
  const mtime = (f: string): number => statSync(f, { throwIfNoEntry: false })?.mtimeMs ?? -1;
  return mtime(built) >= mtime(src) ? built : src;
}

/** netsim's own helper processes. */
export const HELPER_MAINS = {
  get recorder(): string {
    return helperMain('wire/recorder-main');
  },
  get hostile(): string {
    return helperMain('hostile/hostile-main');
  },
} as const;

/**
 * The apps compiled by `npm run build` (`apps/<app>/dist/main.js`): they start in about a quarter
 * of the time tsx needs, which is what lets 100 client processes start on two cores.
 */
export const BUILT_APP_MAINS: AppMains = BUNDLED
  ? INSTALLED_APP_MAINS
  : {
      server: join(REPO_ROOT, 'apps/channel-server/dist/main.js'),
      client: join(REPO_ROOT, 'apps/peer-client/dist/main.js'),
    };

/**
 * How to run an entry point: TypeScript sources through tsx with the source condition (no build
 * needed); compiled `.js` entry points with plain node, resolving packages to their `dist/`.
 */
export function nodeCommand(main: string, args: readonly string[]): { cmd: string; args: string[] } {
  if (main.endsWith('.js')) return { cmd: process.execPath, args: [main, ...args] };
  return { cmd: process.execPath, args: ['--conditions=@ims/source', '--import', 'tsx', main, ...args] };
}

/** Per-run facts every host's command line needs. */
export interface LaunchContext {
  readonly announceIntervalMs: number;
  readonly discoveryPort: number;
  readonly interfaceAddr: string;
  /** Data directory of a server with `dataDir: true`. */
  readonly dataDir?: string;
  /** `ADDR:PORT` of a hostile host's targets. */
  readonly targets?: readonly string[];
  /** Peer IDs by host name (derived in secure mode, see secure/secure-run.ts). @default the name */
  readonly idOf?: (name: string) => string;
  /** Secure mode's files for this host; absent: plain mode. */
  readonly secure?: { readonly keyFile: string; readonly identityFile: string; readonly allowFile?: string; readonly revokedFile?: string };
  /** A hostile host's plan: the victim's channel, the IDs it claims, its wrong key. */
  readonly hostile?: { readonly channel: string; readonly victimId: string; readonly serverId: string; readonly hijackId: string; readonly forgedId: string; readonly sealKeyFile?: string };
}

/** Arguments for one host (after the main script). */
export function hostArgs(spec: HostSpec, ctx: LaunchContext): string[] {
  const common = ['--announce-interval', String(ctx.announceIntervalMs), '--discovery-port', String(ctx.discoveryPort), '--interface', ctx.interfaceAddr];
  const idOf = ctx.idOf ?? ((n: string) => n);
  // Secure mode derives the peer ID from the identity and refuses --id (docs/security.md).
  const s = ctx.secure;
  const policy = s ? [...(s.allowFile ? ['--allow-peers-file', s.allowFile] : []), ...(s.revokedFile ? ['--revoked-peers-file', s.revokedFile] : [])] : [];
  const identity = s ? ['--network-key-file', s.keyFile, '--identity-file', s.identityFile, ...policy] : ['--id', spec.name];
  switch (spec.kind) {
    case 'server': {
      // Members reach a server at its PDUs' source address, so it listens on that interface.
      const args = ['--port', '0', ...identity, '--bind', ctx.interfaceAddr, ...common];
      if (ctx.dataDir !== undefined) args.push('--data-dir', ctx.dataDir);
      if (spec.standbyFor !== undefined) args.push('--standby-for', spec.standbyFor === 'all' ? 'all' : spec.standbyFor.map(idOf).join(','));
      return [...args, ...spec.args];
    }
    case 'client': {
      const args = ['chat', spec.channel, '--json', '--nick', spec.nick, ...identity, ...common];
      if (spec.server !== undefined) args.push('--server', idOf(spec.server));
      if (spec.noHost) args.push('--no-host');
      return [...args, ...spec.args];
    }
    case 'hostile': {
      const args = ['--discovery-port', String(ctx.discoveryPort), '--interface', ctx.interfaceAddr, '--rate', String(spec.rate), ...(ctx.targets ?? []).flatMap((t) => ['--target', t])];
      if (spec.attacks.length !== 1 || spec.attacks[0] !== 'garbage') args.push(...spec.attacks.flatMap((a) => ['--attack', a]), '--announce-interval', String(ctx.announceIntervalMs));
      const h = ctx.hostile;
      if (h) args.push('--channel', h.channel, '--victim-id', h.victimId, '--server-id', h.serverId, '--hijack-id', h.hijackId, '--forged-id', h.forgedId, ...(h.sealKeyFile ? ['--seal-key-file', h.sealKeyFile] : []));
      return args;
    }
  }
}

/** The main script of a host kind. */
export function mainFor(spec: HostSpec, apps: AppMains): string {
  return spec.kind === 'server' ? apps.server : spec.kind === 'client' ? apps.client : HELPER_MAINS.hostile;
}
