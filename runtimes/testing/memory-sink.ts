/**
 * @module
 * A {@link RuntimeSink} in memory, for driving a runtime in tests without a server.
 */
import { isFinished, type JobObservation } from '../../src/runtime/job-status.ts'
import type { LogCursor, LogLine, RuntimeSink } from '../../src/runtime/runtime.ts'

/** A sink that keeps everything in memory, like the server's store would, across runtime instances. */
export class MemorySink implements RuntimeSink {
  readonly observations = new Map<string, JobObservation[]>()
  readonly logs = new Map<string, LogLine[]>()
  /** Per job, each pod's log text when the first terminal status arrived. */
  readonly textAtFinish = new Map<string, Map<string, string[]>>()

  status(o: JobObservation): void {
    if (isFinished(o.status) && !this.textAtFinish.has(o.jobId)) {
      const texts = new Map<string, string[]>()
      for (const r of o.replicas) texts.set(r.pod, this.text(o.jobId, r.pod))
      this.textAtFinish.set(o.jobId, texts)
    }
    const list = this.observations.get(o.jobId) ?? []
    list.push(structuredClone(o))
    this.observations.set(o.jobId, list)
  }
  lastStatus(jobId: string): JobObservation | null {
    return this.observations.get(jobId)?.at(-1) ?? null
  }
  log(jobId: string, pod: string, lines: readonly LogLine[]): void {
    const key = `${jobId}/${pod}`
    this.logs.set(key, [...(this.logs.get(key) ?? []), ...lines])
  }
  logCursor(jobId: string, pod: string): LogCursor {
    const lines = this.logs.get(`${jobId}/${pod}`) ?? []
    const lastTs = lines.at(-1)?.ts ?? null
    return { lines: lines.length, lastTs, atLastTs: lastTs === null ? 0 : lines.filter((l) => l.ts === lastTs).length }
  }
  /** The text of one replica's stored log. */
  text(jobId: string, pod: string): string[] {
    return (this.logs.get(`${jobId}/${pod}`) ?? []).map((l) => l.text)
  }
  conditions(jobId: string): string[] {
    return (this.lastStatus(jobId)?.status.conditions ?? []).map((c) => `${c.type}=${c.status}`)
  }
}
