/**
 * @module
 * The real process runtime behind a switch: closed, submit and delete answer like an
 * unreachable engine, and readiness says so. Everything else is the real runtime.
 */
import { RuntimeUnavailableError } from '../../src/errors.ts'
import type { JobSpec } from '../../src/runtime/job.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'

/** A runtime that can be made unreachable. */
export class GatedRuntime implements Runtime {
  readonly name = 'process' as const
  open = true
  constructor(readonly inner: Runtime) {}
  start = (sink: Parameters<Runtime['start']>[0]) => this.inner.start(sink)
  async submit(job: JobSpec) {
    if (!this.open) throw new RuntimeUnavailableError('connect ECONNREFUSED /var/run/docker.sock')
    return this.inner.submit(job)
  }
  update = (job: JobSpec) => this.inner.update(job)
  async delete(id: string) {
    if (!this.open) throw new RuntimeUnavailableError('connect ECONNREFUSED /var/run/docker.sock')
    return this.inner.delete(id)
  }
  owned = () => this.inner.owned()
  unavailable = () => (this.open ? null : 'the engine does not answer')
  dispose = () => this.inner.dispose()
}
