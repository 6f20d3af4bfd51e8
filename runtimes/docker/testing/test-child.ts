/**
 * A server stand-in for the kill -9 test: runs one job on the Docker runtime and
 * writes every sink call to a file as it happens (as the real store commits
 * each one), until it is killed. Usage: bun test-child.ts <host> <instanceId> <sinkFile> <jobJson>
 */
import { appendFileSync } from 'node:fs'
import type { JobObservation } from '../../../src/runtime/job-status.ts'
import type { LogLine } from '../../../src/runtime/runtime.ts'
import { MemorySink } from '../../testing/memory-sink.ts'
import { createDockerRuntime } from '../index.ts'
import { testOptions } from './test-engine.ts'

const [host, instanceId, file, jobJson] = process.argv.slice(2) as [string, string, string, string]

class FileSink extends MemorySink {
  override status(o: JobObservation): void {
    appendFileSync(file, `${JSON.stringify({ status: o })}\n`)
    super.status(o)
  }
  override log(jobId: string, pod: string, lines: readonly LogLine[]): void {
    appendFileSync(file, `${JSON.stringify({ log: { jobId, pod, lines } })}\n`)
    super.log(jobId, pod, lines)
  }
}

const job = JSON.parse(jobJson)
const runtime = createDockerRuntime(testOptions(host, instanceId, { namespace: job.namespace }))
await runtime.start(new FileSink())
await runtime.submit(job)
setInterval(() => {}, 1 << 30)
