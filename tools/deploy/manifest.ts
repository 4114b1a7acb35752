/**
 * The package.json of an app's deployable folder, computed from what its bundle still imports.
 * Pure: the bundler's list of external imports and the workspace manifests come in as data.
 */

/** The fields of a workspace package.json this module reads. */
export interface WorkspaceManifest {
  readonly name: string;
  readonly version?: string;
  readonly description?: string;
  readonly license?: string;
  readonly engines?: Readonly<Record<string, string>>;
  readonly dependencies?: Readonly<Record<string, string>>;
}

/** What an app's deployable package.json says. */
export interface DeployManifest {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly private: true;
  readonly type: 'module';
  readonly bin: Readonly<Record<string, string>>;
  readonly files: readonly string[];
  readonly engines: Readonly<Record<string, string>>;
  readonly dependencies: Readonly<Record<string, string>>;
}

/** A runtime dependency that no manifest declares, or that two declare with different ranges. */
export class ManifestError extends Error {
  constructor(
    readonly code: 'UNDECLARED_DEPENDENCY' | 'RANGE_CONFLICT' | 'WORKSPACE_EXTERNAL',
    message: string,
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}

/**
 * The npm package an import specifier names, or undefined for a Node built-in or a relative path:
 * `rxjs/operators` → `rxjs`, `@scope/x/y` → `@scope/x`, `node:fs` → undefined.
 */
export function packageNameOf(specifier: string): string | undefined {
  if (specifier.startsWith('node:') || specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  if (specifier.startsWith('@')) return parts.length >= 2 ? `${parts[0]}/${parts[1]}` : undefined;
  return parts[0];
}

/**
 * The version range of every package the bundle imports at run time. Ranges come from the
 * manifests of the app and of the workspace packages bundled into it (each declares what it
 * imports, CONTRIBUTING.md §2); a workspace package left external would not be installable.
 */
export function runtimeDependencies(externalImports: readonly string[], manifests: readonly WorkspaceManifest[], workspaceScope = '@ims/'): Record<string, string> {
  const names = [...new Set(externalImports.map(packageNameOf).filter((n): n is string => n !== undefined))].sort();
  const deps: Record<string, string> = {};
  for (const name of names) {
    if (name.startsWith(workspaceScope)) throw new ManifestError('WORKSPACE_EXTERNAL', `${name} is a workspace package: it must be bundled, not installed`);
    const ranges = new Set(manifests.flatMap((m) => (m.dependencies?.[name] === undefined ? [] : [m.dependencies[name]])));
    const [range, ...others] = [...ranges];
    if (range === undefined) throw new ManifestError('UNDECLARED_DEPENDENCY', `the bundle imports ${name}, which no bundled package.json declares`);
    if (others.length > 0) throw new ManifestError('RANGE_CONFLICT', `${name} is declared with different ranges: ${[...ranges].join(', ')}`);
    deps[name] = range;
  }
  return deps;
}

/** Options of {@link deployManifest}. */
export interface DeployManifestOptions {
  /** The app's workspace package.json. */
  readonly app: WorkspaceManifest;
  /** The root package.json (license and engines when the app has none). */
  readonly root: WorkspaceManifest;
  /** The command the package installs, e.g. `ims-server`. */
  readonly bin: string;
  /** The bundle's file name inside the folder. @default 'main.js' */
  readonly main?: string;
  readonly dependencies: Readonly<Record<string, string>>;
  /** Other files shipped beside the bundle. @default ['README.md', 'LICENSE'] */
  readonly extraFiles?: readonly string[];
}

/** The deployable folder's package.json: one bin, the bundle, and only its runtime dependencies. */
export function deployManifest(o: DeployManifestOptions): DeployManifest {
  const main = o.main ?? 'main.js';
  return {
    name: o.app.name,
    version: o.app.version ?? o.root.version ?? '0.0.0',
    description: o.app.description ?? o.root.description ?? '',
    license: o.app.license ?? o.root.license ?? 'UNLICENSED',
    // Installed from its tarball, never published: private keeps it off the registry.
    private: true,
    type: 'module',
    bin: { [o.bin]: `./${main}` },
    files: [main, ...(o.extraFiles ?? ['README.md', 'LICENSE'])],
    engines: o.app.engines ?? o.root.engines ?? {},
    dependencies: o.dependencies,
  };
}
