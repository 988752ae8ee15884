/** `bridgescope/testing`: a headless inspector for Playwright, Vitest and CI checks. */
export { connectInspector } from './inspector.js';
export type { ConnectOptions, CyclesOptions, CyclesResult, Inspector, SettleOptions, WaitOptions } from './inspector.js';
export type { Boundedness } from './bounded.js';
export { isBounded } from './bounded.js';
export { formatFinding, leakReport, RULE_IDS, summarize, toJUnit } from './report.js';
export { parseRecording, serializeRecording } from '../client/recording.js';
export { ClientError } from '../client/errors.js';
export type { ClientErrorCode } from '../client/errors.js';
export type { CountsSnapshot, FindingFilter, Model } from '../../shared/analysis/types.js';
export type { Finding, RuleId, SettleResult } from '../../shared/protocol.js';
