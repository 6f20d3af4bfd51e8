/**
 * @module
 * A process runtime as the tests make it: short back-off, grace and poll, the test PATH.
 */
import type { Runtime } from '../../../src/runtime/runtime.ts'
import { createProcessRuntime } from '../index.ts'
import type { ProcessRuntimeOptions } from '../options.ts'

/** A process runtime over `dataDir` with the tests' settings, any of them overridden. */
export function testProcessRuntime(dataDir: string, overrides: Partial<ProcessRuntimeOptions> = {}): Runtime {
  return createProcessRuntime({
    dataDir,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    namespace: 'default',
    instanceId: 'test',
    restartBackoffMs: 50,
    stopGraceMs: 500,
    pollMs: 20,
    ...overrides,
  })
}
