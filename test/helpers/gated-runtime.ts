/**
 * @module
 * The real process runtime behind a switch: closed, submit and delete answer like an
 * unreachable engine, and readiness says so; with `refuse` set, submit is refused for good.
 * Everything else is the real runtime.
 */
import { RuntimeRejectedError, RuntimeUnavailableError } from '../../src/errors.ts'
import type { JobSpec } from '../../src/runtime/job.ts'
import type { Runtime, SubmitOptions } from '../../src/runtime/runtime.ts'

/** A runtime that can be made unreachable. */
export class GatedRuntime implements Runtime {
  readonly name = 'process' as const
  /** When set, submit is refused for good (403) with this message. */
  refuse: string | null = null
  constructor(
    readonly inner: Runtime,
    public open = true,
  ) {}
  start = (sink: Parameters<Runtime['start']>[0]) => this.inner.start(sink)
  async submit(job: JobSpec, options?: SubmitOptions) {
    if (this.refuse) throw new RuntimeRejectedError(this.refuse, 403)
    if (!this.open) throw new RuntimeUnavailableError('connect ECONNREFUSED /var/run/docker.sock')
    return this.inner.submit(job, options)
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
