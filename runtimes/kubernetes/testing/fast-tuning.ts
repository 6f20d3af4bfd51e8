/**
 * @module
 * Runtime timings for tests: fast reconnects and log passes, so injected faults heal
 * within a test's time. Test-only.
 */
import type { KubernetesTuning } from '../options.ts'

export const FAST: KubernetesTuning = {
  watchTimeoutSeconds: 30,
  backoff: { initialMs: 20, maxMs: 300 },
  logIdlePollMs: 500,
  logExitReportMs: 300,
}
