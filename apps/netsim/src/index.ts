/**
 * @ims/netsim: runs real channel-servers and peer-clients as processes, breaks things on purpose
 * and checks that the system heals. The CLI (`main.ts`) is the usual entry; this is the API the
 * CLI and the tests use.
 *
 * @example
 * ```ts
 * import { loadScenarios, runScenario, formatResult } from '@ims/netsim';
 * for (const p of await loadScenarios('apps/netsim/scenarios')) if (p.ok) console.log(formatResult(await runScenario(p.scenario)));
 * ```
 * @packageDocumentation
 */
export { NetsimError, type NetsimErrorCode } from './errors.js';
export { parseScenario, loadScenarios, type ParseResult } from './scenario/parse-scenario.js';
export type { BackendName, ClientHost, Condition, Expectation, HostileHost, HostSpec, HostStep, Scenario, ServerHost, Step } from './scenario/types.js';
export { runScenario, type RunOptions } from './runner/run-scenario.js';
export type { CheckOutcome, RunResult, RunStatus, WireSummary } from './runner/result.js';
export type { SimEvent, EventSource } from './checks/log.js';
export { evaluateCondition, type ConditionResult } from './checks/conditions.js';
export { checkExactlyOnce, checkHistory, type CheckResult } from './checks/delivery.js';
export { measureFailovers, type FailoverMeasure } from './checks/failover-time.js';
export { checkNoPrivateNames, type WireRecord } from './checks/wire.js';
export { formatResult, formatTimeline, formatRepeat } from './report/text.js';
export { renderHtml, timelineSvg } from './report/html.js';
export { spread, summariseRepeats, type RepeatSummary, type Spread } from './report/stats.js';
export { runCommand, buildProgram, writeReport, EXIT, type RunCommandOptions } from './cli.js';
export { netnsUnavailableReason, netemUnavailableReason, sweepNamespaces } from './backend/netns.js';
export { sweepRunDirs } from './backend/run-dir.js';
export { DEFAULT_APP_MAINS, type AppMains } from './proc/launch.js';
