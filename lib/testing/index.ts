// start-guard/testing: the exposure audit as a library (ESM only, like start-guard/start), and the
// Vite-side helper that records which source file each server-function id belongs to. Nothing here
// imports the core or its native binding.
export { auditServerFns, assertNoExposedServerFns } from './audit.js';
export type { AuditOptions, AuditReport, AuditedServerFn } from './audit.js';
export type { Verdict } from './classify.js';
export { discoverServerFns } from './discover.js';
export type { DiscoverOptions, DiscoveredServerFn, Discovery } from './discover.js';
export type { Method, Probe, ProbeOutcome } from './probe.js';
export type { PublicEntry, UnknownPublicEntry } from './public-list.js';
export { recordServerFnIds } from './record.js';
export type {
  GenerateFunctionId,
  GenerateFunctionIdInput,
  RecordServerFnIdsOptions,
  RecordedServerFn,
} from './record.js';
export { formatAuditReport } from './report.js';
export { isLoopback } from './target.js';
