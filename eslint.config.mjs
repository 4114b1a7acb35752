// Lint for the whole workspace. The module-boundary rule is what keeps the architecture honest:
// codec depends on nothing, discovery and channel-core only on codec, apps and tools on packages,
// and nothing on an app. A forbidden import fails `npm test` and `npm run lint -w <package>` alike
// (CONTRIBUTING.md §2); every package.json lists exactly what its production sources import.
import { createProjectGraphAsync, readCachedProjectGraph } from '@nx/devkit';
import nx from '@nx/eslint-plugin';
import jsoncParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';
import rxjsX from 'eslint-plugin-rxjs-x';

// The Nx rules (enforce-module-boundaries, dependency-checks) only read a cached project graph and
// are skipped with a mere warning when there is none, as in a fresh clone; so the graph is made
// here, before any rule reads it.
await ensureProjectGraph();

/**
 * Makes sure `.nx/workspace-data` holds a current project graph. Under an Nx task (`npm test`,
 * `nx run-many -t lint`) the Nx process that started eslint has just computed and cached it, so it
 * is reused (~10 ms instead of ~0.3-1 s per project). Any other start (`npm run lint -w`, a bare
 * `eslint`, an editor) computes it: incremental and ~0.3 s warm, it also refreshes a graph left
 * stale by an added file or package. Parallel runs serialise on Nx's own graph lock. A graph that
 * cannot be built throws, so lint fails rather than silently skipping the boundaries.
 */
async function ensureProjectGraph() {
  if (process.env.NX_TASK_TARGET_PROJECT !== undefined) {
    try {
      readCachedProjectGraph();
      return;
    } catch {
      // No cached graph after all (the outer Nx ran with an unusual cache setup): build it below.
    }
  }
  await createProjectGraphAsync({ exitOnError: false });
}

// The purity fence of codec and channel-core (CONTRIBUTING.md §2): no I/O, no clock, no timers,
// no process. They are pure functions of their inputs, so they run and test anywhere and replay
// deterministically under virtual time; every clock reading comes from an injected scheduler.
const pure = ['packages/codec/**/*.ts', 'packages/channel-core/**/*.ts'];
const CLOCK = 'Time comes from the injected scheduler (scheduler.now()), never the wall clock: a pure package must replay the same under virtual time.';
const TIMER = 'Time comes from the injected scheduler: a pure package never arms its own timers (the caller schedules; tests use virtual time).';
const PROCESS = 'codec and channel-core are pure: no process (env, exit, clock); settings come in as options, and specs read the environment through their test helpers.';
const timerGlobals = ['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'clearImmediate'];
/** Globals the pure packages must not reach, with the reason each message gives. */
const impureGlobals = [
  ...timerGlobals.map((name) => ({ name, message: TIMER })),
  { name: 'queueMicrotask', message: 'Ordering comes from the caller: a pure package schedules no work of its own, not even a microtask.' },
  { name: 'performance', message: CLOCK },
  { name: 'process', message: PROCESS },
  { name: 'Buffer', message: 'Use Uint8Array: a pure package uses no Node built-ins.' },
];
const clockSyntax = [
  { selector: "MemberExpression[object.name='Date'][property.name='now']", message: CLOCK },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: CLOCK },
  { selector: "CallExpression[callee.name='Date']", message: CLOCK },
];
/** `globalThis.setTimeout` or `(globalThis as T).process` would walk round no-restricted-globals. */
function viaGlobalThis(names, message) {
  const props = `/^(${names.join('|')})$/`;
  return [
    { selector: `MemberExpression[object.name='globalThis'][property.name=${props}]`, message },
    { selector: `MemberExpression[object.type=/^TS(As|NonNull|Satisfies)Expression$/][property.name=${props}]:has(Identifier[name='globalThis'])`, message },
  ];
}
const timerNames = [...timerGlobals, 'queueMicrotask', 'performance'];

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/*.config.ts', '**/*.config.mjs', 'vitest.shared.ts', '**/.nx/**'],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'rxjs-x': rxjsX },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:codec', onlyDependOnLibsWithTags: [], bannedExternalImports: ['rxjs', 'rxjs/*'] },
            { sourceTag: 'type:io', onlyDependOnLibsWithTags: ['type:codec', 'type:secure'] },
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:codec'] },
            { sourceTag: 'type:kit', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:secure', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:transport', onlyDependOnLibsWithTags: ['type:codec', 'type:kit', 'type:secure'] },
            { sourceTag: 'type:host', onlyDependOnLibsWithTags: ['type:codec', 'type:core', 'type:transport', 'type:kit', 'type:secure'] },
            { sourceTag: 'type:member', onlyDependOnLibsWithTags: ['type:codec', 'type:core', 'type:transport', 'type:kit', 'type:secure'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:codec', 'type:io', 'type:core', 'type:kit', 'type:transport', 'type:host', 'type:member', 'type:secure'] },
            { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:codec', 'type:io', 'type:core', 'type:kit', 'type:transport', 'type:host', 'type:member', 'type:secure'] },
          ],
        },
      ],
      'rxjs-x/no-unsafe-takeuntil': 'error',
      'rxjs-x/no-nested-subscribe': 'error',
      'rxjs-x/no-ignored-subscription': 'off',
      'rxjs-x/no-subject-unsubscribe': 'error',
      'rxjs-x/no-unbound-methods': 'error',
      'rxjs-x/no-create': 'error',
      'rxjs-x/no-internal': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // Sources and specs alike: a spec that needs time uses virtual time (CONTRIBUTING.md §6).
    files: pure,
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['node:*'], message: 'codec and channel-core are pure: no Node built-ins.' }] }],
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-syntax': ['error', ...clockSyntax, ...viaGlobalThis(timerNames, TIMER), ...viaGlobalThis(['process'], PROCESS)],
    },
  },
  {
    // The spec helpers that read test settings (FC_NUM_RUNS, FUZZ_*) from the environment: the one
    // place `globalThis.process` is read, never shipped (not in the build or the production input).
    files: ['packages/codec/test/**/*.ts', 'packages/channel-core/test/**/*.ts', 'packages/channel-core/src/fc-runs.ts'],
    rules: {
      'no-restricted-syntax': ['error', ...clockSyntax, ...viaGlobalThis(timerNames, TIMER)],
    },
  },
  {
    // Every workspace package.json lists exactly what its production sources import: npm packages at
    // the installed version, workspace packages as "*" (CONTRIBUTING.md §2). Test-only packages
    // (vitest, fast-check, playwright-core, @types/*) are devDependencies, which this rule does not
    // read. Projects without a build target (tools) are checked through their typecheck target,
    // and specs, spec helpers (test/) and configs are never production sources.
    files: ['**/package.json'],
    languageOptions: { parser: jsoncParser },
    rules: {
      '@nx/dependency-checks': [
        'error',
        {
          buildTargets: ['build', 'typecheck'],
          checkMissingDependencies: true,
          checkObsoleteDependencies: true,
          checkVersionMismatches: true,
          ignoredFiles: ['{projectRoot}/**/*.spec.ts', '{projectRoot}/test/**', '{projectRoot}/vitest*.config.ts', '{projectRoot}/**/*.md'],
        },
      ],
    },
  },
);
