/** Parses and validates one scenario text into a `Scenario`, naming the line of every problem. */
import { basename, extname } from 'node:path';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NetsimError } from '../errors.js';
import { ValidationContext } from './context.js';
import { readYamlSource } from './yaml-source.js';
import { validateHosts } from './validate-hosts.js';
import { validateSteps } from './validate-steps.js';
import { validateExpect } from './validate-expect.js';
import { DEFAULT_ANNOUNCE_INTERVAL_MS, DEFAULT_TIMEOUT_MS, type BackendName, type HostSpec, type Scenario } from './types.js';

const TOP_KEYS = ['name', 'description', 'announceInterval', 'timeout', 'startupTimeout', 'backends', 'pending', 'secure', 'allow', 'revoked', 'hosts', 'steps', 'expect'];

/** Result of parsing: a scenario, or every error found (each with file and line). */
export type ParseResult = { readonly ok: true; readonly scenario: Scenario } | { readonly ok: false; readonly errors: readonly NetsimError[] };

/** Parses a scenario from its text. `file` is used in messages and as the default name. */
export function parseScenario(text: string, file: string): ParseResult {
  const read = readYamlSource(text, file);
  if (!read.ok) return read;
  const ctx = new ValidationContext(read.source);
  const top = ctx.record(read.source.value, [], 'a scenario');
  if (!top) return { ok: false, errors: ctx.errors };
  ctx.onlyKeys(top, [], TOP_KEYS);
  const name = top['name'] === undefined ? basename(file, extname(file)) : (ctx.string(top['name'], ['name'], 'name') ?? file);
  const description = top['description'] === undefined ? '' : (ctx.string(top['description'], ['description'], 'description') ?? '');
  const announceIntervalMs =
    top['announceInterval'] === undefined ? DEFAULT_ANNOUNCE_INTERVAL_MS : (ctx.number(top['announceInterval'], ['announceInterval'], 'announceInterval (ms)', 10, 60_000) ?? 0);
  const timeoutS = top['timeout'] === undefined ? DEFAULT_TIMEOUT_MS / 1000 : (ctx.number(top['timeout'], ['timeout'], 'timeout (s)', 1, 3600) ?? 0);
  const startupS = top['startupTimeout'] === undefined ? undefined : ctx.number(top['startupTimeout'], ['startupTimeout'], 'startupTimeout (s)', 0.1, 3600);
  let backends: BackendName[] = ['local', 'netns'];
  if (top['backends'] !== undefined) {
    backends = ctx.stringList(top['backends'], ['backends'], 'backends') as BackendName[];
    for (const b of backends) if (b !== 'local' && b !== 'netns') ctx.fail(['backends'], `unknown backend "${b}" (local or netns)`);
  }
  const pending = top['pending'] === undefined ? undefined : ctx.string(top['pending'], ['pending'], 'pending (a reason)');
  const secure = top['secure'] === undefined ? false : (ctx.bool(top['secure'], ['secure'], 'secure') ?? false);
  const hosts = validateHosts(ctx, top['hosts']);
  const steps = validateSteps(ctx, top['steps'], hosts);
  const expect = validateExpect(ctx, top['expect'], hosts);
  checkBackendNeeds(ctx, steps, backends);
  checkModes(ctx, hosts, secure);
  const policy = policyLists(ctx, top, hosts);
  const sniff = expect.find((x) => x.kind === 'noPlaintext');
  if (sniff && backends.includes('local')) {
    // Only the userspace switch of a netns run sees every frame of every host (loopback has no wire).
    ctx.errors.push(new NetsimError('SCENARIO_INVALID', `${file}:${sniff.line}: noPlaintext reads the userspace switch's capture; add "backends: [netns]"`, { file, line: sniff.line }));
  }
  if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors };
  return {
    ok: true,
    scenario: { file, name, description, announceIntervalMs, timeoutMs: timeoutS * 1000, secure, ...policy, ...(startupS !== undefined ? { startupTimeoutMs: startupS * 1000 } : {}), backends, hosts, steps, expect, ...(pending !== undefined ? { pending } : {}) },
  };
}

/** Partitions and netem need real links: only the netns backend has them. */
function checkBackendNeeds(ctx: ValidationContext, steps: Scenario['steps'], backends: readonly BackendName[]): void {
  const s = steps.find((x) => x.kind === 'partition' || x.kind === 'heal' || x.kind === 'netem');
  if (s && backends.includes('local')) {
    ctx.errors.push(new NetsimError('SCENARIO_INVALID', `${ctx.source.file}:${s.line}: ${s.kind} needs the netns backend; add "backends: [netns]"`, { file: ctx.source.file, line: s.line }));
  }
}

/** A client's server and a server's standby list live on its side of a mixed LAN: the other side never sees them. */
function checkModes(ctx: ValidationContext, hosts: ReadonlyMap<string, HostSpec>, secure: boolean): void {
  const mode = (h: HostSpec | undefined): string => (h !== undefined && h.kind !== 'hostile' && (h.secure ?? secure) ? 'secure' : 'plain');
  for (const h of hosts.values()) {
    const refs = h.kind === 'client' && h.server !== undefined ? [h.server] : h.kind === 'server' && Array.isArray(h.standbyFor) ? (h.standbyFor as readonly string[]) : [];
    for (const r of refs) {
      if (hosts.has(r) && mode(hosts.get(r)) !== mode(h)) ctx.fail(['hosts', h.name], `${h.name} (${mode(h)} mode) names ${r}, which runs in ${mode(hosts.get(r))} mode: the two never see each other`);
    }
  }
}

/** `allow:` / `revoked:` name secure hosts (their IDs go into the policy files). */
function policyLists(ctx: ValidationContext, top: Record<string, unknown>, hosts: ReadonlyMap<string, HostSpec>): { allow?: string[]; revoked?: string[] } {
  const out: { allow?: string[]; revoked?: string[] } = {};
  for (const key of ['allow', 'revoked'] as const) {
    if (top[key] === undefined) continue;
    const names = ctx.hostList(top[key], [key], key);
    for (const n of names) if (hosts.get(n) === undefined || hosts.get(n)?.kind === 'hostile') ctx.fail([key], `${key}: "${n}" is not a server or client host`);
    out[key] = names;
  }
  return out;
}

const SCENARIO_EXT = ['.yaml', '.yml', '.json'];

/** Loads one scenario file, or every scenario file of a folder (sorted by name). */
export async function loadScenarios(path: string): Promise<ParseResult[]> {
  const st = await stat(path).catch((e: unknown) => {
    throw new NetsimError('SCENARIO_NOT_FOUND', `no such scenario file or folder: ${path}`, { cause: e });
  });
  const files = st.isDirectory()
    ? (await readdir(path)).filter((f) => SCENARIO_EXT.includes(extname(f))).sort().map((f) => join(path, f))
    : [path];
  if (files.length === 0) throw new NetsimError('SCENARIO_NOT_FOUND', `no .yaml, .yml or .json scenario in ${path}`);
  return Promise.all(files.map(async (f) => parseScenario(await readFile(f, 'utf8'), f)));
}
