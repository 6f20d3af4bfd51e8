import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '../../test/helpers/temp-dir.ts'
import { describeRuntimeContract } from '../contract.ts'
import { jobSpec } from '../testing/job-spec.ts'
import { MemorySink } from '../testing/memory-sink.ts'
import { waitFor } from '../testing/wait-for.ts'
import { filesOf } from './backend-spec.ts'
import { testProcessRuntime } from './testing/test-runtime.ts'

describeRuntimeContract('process', async () => {
  const dataDir = tempDir()
  return {
    create: async () => testProcessRuntime(dataDir),
    image: null,
    namespace: 'default',
    timeoutMs: 15_000,
  }
})

describe('process runtime: replicas wake their log followers', () => {
  // A poll that never comes during a test: whatever reaches the sink was pushed by fs.watch.
  const unpolled = (dataDir: string) => testProcessRuntime(dataDir, { pollMs: 600_000 })

  test('each line reaches the sink as it is printed, with no poll', async () => {
    const sink = new MemorySink()
    const runtime = unpolled(tempDir())
    await runtime.start(sink)
    try {
      const j = jobSpec({ command: 'echo one; sleep 0.3; echo two; sleep 60' })
      const pod = `${j.id}-worker-0`
      await runtime.submit(j)
      await waitFor('first line', () => sink.text(j.id, pod).length === 1, 5000, 2)
      const first = performance.now()
      await waitFor('second line', () => sink.text(j.id, pod).length === 2, 2000, 2)
      // Printed 300 ms after the first: it arrives then, not at a poll or at exit.
      expect(performance.now() - first).toBeLessThan(1000)
      expect(sink.text(j.id, pod)).toEqual(['one', 'two'])
      await runtime.delete(j.id)
    } finally {
      await runtime.dispose()
    }
  }, 30_000)

  test('a restarted runtime reads what a live replica printed meanwhile, then follows it, each line once', async () => {
    const dataDir = tempDir()
    const sink = new MemorySink()
    const first = unpolled(dataDir)
    await first.start(sink)
    const j = jobSpec({ command: 'echo a; sleep 0.5; echo b; sleep 1; echo c; sleep 60' })
    const pod = `${j.id}-worker-0`
    await first.submit(j)
    await waitFor('a', () => sink.text(j.id, pod).length === 1, 5000)
    await first.dispose()
    // Nobody reads while `b` is printed.
    await waitFor(
      'b printed',
      () => sink.text(j.id, pod).length === 1 && printed(dataDir, j.id, pod).includes('b'),
      5000,
    )
    const second = unpolled(dataDir)
    await second.start(sink)
    try {
      await waitFor('b, read at re-attach', () => sink.text(j.id, pod).length >= 2, 2000, 2)
      await waitFor('c, woken by the watch', () => sink.text(j.id, pod).length >= 3, 3000, 2)
      expect(sink.text(j.id, pod)).toEqual(['a', 'b', 'c'])
      await second.delete(j.id)
    } finally {
      await second.dispose()
    }
  }, 30_000)

  test('a replica printing flat out is read in slices, every line once, while the server keeps answering', async () => {
    const sink = new MemorySink()
    const runtime = unpolled(tempDir())
    await runtime.start(sink)
    try {
      const j = jobSpec({ command: 'seq 1 200000; sleep 60' })
      const pod = `${j.id}-worker-0`
      let longest = 0
      let last = performance.now()
      const beat = setInterval(() => {
        const now = performance.now()
        longest = Math.max(longest, now - last)
        last = now
      }, 1)
      await runtime.submit(j)
      await waitFor('200,000 lines', () => sink.text(j.id, pod).length >= 200_000, 20_000)
      clearInterval(beat)
      const text = sink.text(j.id, pod)
      expect(text.length).toBe(200_000)
      expect(text.every((line, i) => line === String(i + 1))).toBe(true)
      // Not one 1.3 MB read in one go: the event loop turned between slices.
      expect(longest).toBeLessThan(250)
      await runtime.delete(j.id)
    } finally {
      await runtime.dispose()
    }
  }, 60_000)
})

describe('process runtime: a replica’s command runs as `sh -c` would run it', () => {
  const runtime = (dataDir: string) => testProcessRuntime(dataDir)
  /** Runs `command` once (no restart); resolves with the replica's exit code and log. */
  async function runOnce(command: string): Promise<{ exitCode: number | null; text: string[] }> {
    const sink = new MemorySink()
    const r = runtime(tempDir())
    await r.start(sink)
    try {
      const j = jobSpec({ command, backoffLimit: 0 })
      await r.submit(j)
      await waitFor(
        'the job to end',
        () => sink.conditions(j.id).some((c) => /^(Succeeded|Failed)=True$/.test(c)),
        10_000,
      )
      const pod = `${j.id}-worker-0`
      await waitFor('the exit code', () => sink.lastStatus(j.id)?.replicas[0]?.exitCode != null, 5000)
      return { exitCode: sink.lastStatus(j.id)!.replicas[0]!.exitCode, text: sink.text(j.id, pod) }
    } finally {
      await r.dispose()
    }
  }

  test('no positional parameters; stdout and stderr in the order printed; its exit code', async () => {
    const run = await runOnce('echo "args=$#"; echo err >&2; echo out; exit 3')
    expect(run).toEqual({ exitCode: 3, text: ['args=0', 'err', 'out'] })
  }, 30_000)

  test('a syntax error exits 2 and says so in the log', async () => {
    const run = await runOnce('if then fi')
    expect(run.exitCode).toBe(2)
    expect(run.text.join('\n')).toMatch(/syntax error/i)
  }, 30_000)
})

function printed(dataDir: string, jobId: string, pod: string): string {
  try {
    return readFileSync(filesOf(join(dataDir, 'runs', jobId), pod).log, 'utf8')
  } catch {
    return ''
  }
}
