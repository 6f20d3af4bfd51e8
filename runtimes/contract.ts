/**
 * @module
 * The behaviour every runtime must show, as one `bun:test` suite. Each runtime's
 * test file calls {@link describeRuntimeContract} with a factory; nothing here
 * knows which runtime it drives. Skips must carry a reason.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { JobSpec } from '../src/runtime/job.ts'
import { isDeadlineExceeded } from '../src/runtime/job-status.ts'
import type { Runtime } from '../src/runtime/runtime.ts'
import { jobSpec, type ReplicaOptions } from './testing/job-spec.ts'
import { MemorySink } from './testing/memory-sink.ts'
import { waitFor } from './testing/wait-for.ts'

/** How a runtime under test is made. */
export interface ContractTarget {
  /** A new runtime on the same backend and state; called again to simulate a server restart. */
  create(): Promise<Runtime>
  /** Image for every replica (`null` for runtimes that ignore images). */
  image: string | null
  namespace: string
  /** Upper bound for a short job to finish, in ms. */
  timeoutMs: number
  /** Releases what the target set up (called once, after the suite). */
  dispose?(): Promise<void>
}

/** Tests a runtime cannot pass, each group with the reason. Known when tests are registered. */
export type ContractSkips = Array<{ reason: string; tests: string[] }>

/** Registers the contract suite for one runtime. */
export function describeRuntimeContract(
  name: string,
  makeTarget: () => Promise<ContractTarget>,
  skip: ContractSkips = [],
): void {
  describe(`runtime contract: ${name}`, () => {
    let target: ContractTarget
    let runtime: Runtime
    let sink: MemorySink
    const skipped = new Set(skip.flatMap((s) => s.tests))

    beforeAll(async () => {
      target = await makeTarget()
      sink = new MemorySink()
      runtime = await target.create()
      await runtime.start(sink)
    })
    afterAll(async () => {
      await runtime?.dispose()
      await target?.dispose?.()
    })

    const it = (title: string, fn: () => Promise<void>) => test.skipIf(skipped.has(title))(title, fn, 120_000)
    const job = (framework: JobSpec['framework'], replicas: ReplicaOptions[], command = 'echo hello'): JobSpec =>
      jobSpec({ name: 'contract', namespace: target.namespace, framework, replicas, image: target.image, command })
    const finished = (id: string) =>
      waitFor(
        `${id} to finish`,
        () => {
          const c = sink.lastStatus(id)?.status.conditions.at(-1)
          return c && (c.type === 'Succeeded' || c.type === 'Failed') ? c : null
        },
        target.timeoutMs,
      )

    it('runs a one-replica job to Succeeded and keeps its stdout and stderr', async () => {
      const j = job('TensorFlow', [{ type: 'Worker' }], 'echo hello out; echo hello err >&2')
      await runtime.submit(j)
      const last = await finished(j.id)
      expect(last.type).toBe('Succeeded')
      expect(sink.conditions(j.id)[0]).toBe('Created=True')
      const obs = sink.lastStatus(j.id)!
      expect(obs.status.startTime).not.toBeNull()
      expect(obs.status.completionTime).not.toBeNull()
      await waitFor('both log lines', () => sink.text(j.id, `${j.id}-worker-0`).length >= 2, 5000)
      expect(sink.text(j.id, `${j.id}-worker-0`).sort()).toEqual(['hello err', 'hello out'])
    })

    it('starts nothing of a job before its launchAfter resolves, then runs it', async () => {
      const j = job('TensorFlow', [{ type: 'Worker' }], 'echo ran')
      const durable = Promise.withResolvers<void>()
      const submitted = runtime.submit(j, { launchAfter: durable.promise })
      await Bun.sleep(500) // the window held: a job started now would have run and printed by its end
      expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual([])
      expect(sink.conditions(j.id).filter((c) => /^(Running|Succeeded|Failed)=True$/.test(c))).toEqual([])
      durable.resolve()
      await submitted
      expect((await finished(j.id)).type).toBe('Succeeded')
      await waitFor('its line', () => sink.text(j.id, `${j.id}-worker-0`).length > 0, 5000)
      expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['ran'])
    })

    it('stores every replica’s last line before the status that says the job ended', async () => {
      // Replicas that print and exit at once: the race between their log streams and their exits.
      const j = job('PyTorch', [{ type: 'Worker', replicas: 3 }], 'seq 1 50; echo last')
      await runtime.submit(j)
      expect((await finished(j.id)).type).toBe('Succeeded')
      const atFinish = sink.textAtFinish.get(j.id)!
      for (const index of [0, 1, 2]) {
        const text = atFinish.get(`${j.id}-worker-${index}`)
        expect(text?.length).toBe(51)
        expect(text?.at(-1)).toBe('last')
      }
    })

    it('passes the experiment environment to every replica', async () => {
      const j = job('PyTorch', [{ type: 'Master', env: [['MY_VAR', 'my value']] }], 'echo "MY_VAR=$MY_VAR"')
      await runtime.submit(j)
      expect((await finished(j.id)).type).toBe('Succeeded')
      await waitFor('log', () => sink.text(j.id, `${j.id}-master-0`).length > 0, 5000)
      expect(sink.text(j.id, `${j.id}-master-0`)).toEqual(['MY_VAR=my value'])
    })

    it('gives TensorFlow replicas the operator TF_CONFIG', async () => {
      const j = job('TensorFlow', [
        { type: 'Ps', command: 'echo "$TF_CONFIG"; sleep 60' },
        { type: 'Worker', replicas: 2, command: 'echo "$TF_CONFIG"; sleep 1' },
      ])
      await runtime.submit(j)
      expect((await finished(j.id)).type).toBe('Succeeded')
      for (const [type, index] of [
        ['ps', 0],
        ['worker', 0],
        ['worker', 1],
      ] as const) {
        const pod = `${j.id}-${type}-${index}`
        const [line] = await waitFor(
          `${pod} log`,
          () => (sink.text(j.id, pod).length ? sink.text(j.id, pod) : null),
          5000,
        )
        const config = JSON.parse(line!)
        expect(Object.keys(config)).toEqual(['cluster', 'task', 'environment'])
        expect(Object.keys(config.cluster)).toEqual(['ps', 'worker'])
        expect(config.cluster.worker).toHaveLength(2)
        expect(config.task).toEqual({ type, index })
        expect(config.environment).toBe('cloud')
      }
    })

    it('gives PyTorch replicas their RANK and WORLD_SIZE', async () => {
      const j = job(
        'PyTorch',
        [{ type: 'Master' }, { type: 'Worker', replicas: 2 }],
        'echo "$RANK/$WORLD_SIZE"; sleep 1',
      )
      await runtime.submit(j)
      expect((await finished(j.id)).type).toBe('Succeeded')
      const pods = ['master-0', 'worker-0', 'worker-1'].map((p) => `${j.id}-${p}`)
      await waitFor('three logs', () => pods.every((p) => sink.text(j.id, p).length > 0), 10_000)
      expect(pods.map((p) => sink.text(j.id, p)[0])).toEqual(['0/3', '1/3', '2/3'])
    })

    it('restarts a failing replica in place and fails the job at the backoff limit', async () => {
      const j = job('TensorFlow', [{ type: 'Worker' }], 'echo attempt; exit 1')
      await runtime.submit(j)
      const last = await finished(j.id)
      expect(last.type).toBe('Failed')
      expect(last.message).toBe(`Job ${j.id} has failed because it has reached the specified backoff limit`)
      const worker = sink.lastStatus(j.id)!.replicas.find((r) => r.pod === `${j.id}-worker-0`)!
      expect(worker.restartCount).toBe(3)
      expect(sink.text(j.id, `${j.id}-worker-0`).filter((l) => l === 'attempt').length).toBeGreaterThanOrEqual(3)
    })

    it('explains a crash loop and the final failure in the same words', async () => {
      const j = job('TensorFlow', [{ type: 'Worker' }], 'echo attempt; exit 3')
      const pod = `${j.id}-worker-0`
      await runtime.submit(j)
      await finished(j.id)
      const messages = (sink.observations.get(j.id) ?? []).map((o) => o.message).filter((m) => m !== null)
      const looping = new RegExp(
        `^${pod}: CrashLoopBackOff: exited with code 3; [0-3] of 3 restarts used, ` +
          'next attempt at \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z$',
      )
      expect(messages.filter((m) => looping.test(m)).length).toBeGreaterThan(0)
      expect(messages.filter((m) => !looping.test(m) && !m.startsWith('Failed: '))).toEqual([])
      expect(sink.lastStatus(j.id)!.message).toBe(
        `Failed: ${pod} exited with code 3 after 3 of 3 restarts (backoffLimit reached)`,
      )
    })

    it('stops replicas that still run once the job has finished', async () => {
      const j = job('PyTorch', [
        { type: 'Master', command: 'sleep 2; echo done' },
        { type: 'Worker', command: 'echo started; sleep 120' },
      ])
      await runtime.submit(j)
      await waitFor('worker started', () => sink.text(j.id, `${j.id}-worker-0`).includes('started'), target.timeoutMs)
      expect((await finished(j.id)).type).toBe('Succeeded')
      // Stopped replicas end with an exit code (cleanPodPolicy Running); the worker's log stays.
      await waitFor('worker stopped', () => stoppedAll(sink, j.id), target.timeoutMs)
      expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['started'])
    })

    it('scales replicas up and down on update without restarting running ones', async () => {
      const j = job('PyTorch', [
        { type: 'Master', command: 'echo up; sleep 120' },
        { type: 'Worker', command: 'echo up; sleep 120' },
      ])
      await runtime.submit(j)
      // Both replicas have started (a PyTorch worker may wait for its master first).
      await waitFor(
        'master-0 and worker-0 up',
        () => sink.text(j.id, `${j.id}-master-0`).includes('up') && sink.text(j.id, `${j.id}-worker-0`).includes('up'),
        target.timeoutMs,
      )
      await runtime.update({
        ...j,
        replicaSpecs: j.replicaSpecs.map((s) => (s.type === 'Worker' ? { ...s, replicas: 2 } : s)),
      })
      await waitFor('worker-1 up', () => sink.text(j.id, `${j.id}-worker-1`).includes('up'), target.timeoutMs)
      expect(sink.text(j.id, `${j.id}-master-0`)).toEqual(['up'])
      expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['up'])
      // Down again: worker-1 stops; the others keep running untouched.
      await runtime.update(j)
      const worker1 = `${j.id}-worker-1`
      await waitFor(
        'worker-1 stopped',
        () =>
          !sink
            .lastStatus(j.id)
            ?.replicas.some((r) => r.pod === worker1 && r.phase === 'Running' && r.exitCode === null),
        target.timeoutMs,
      )
      // A window in which nothing may happen: no other replica is stopped or restarted by the scale-down.
      await Bun.sleep(300)
      const running = sink
        .lastStatus(j.id)!
        .replicas.filter((r) => r.phase === 'Running' && r.exitCode === null)
        .map((r) => r.pod)
      expect(running.sort()).toEqual([`${j.id}-master-0`, `${j.id}-worker-0`])
      expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['up'])
      await runtime.delete(j.id)
    })

    it('starts a job it does not know when asked to update it, as submit would', async () => {
      const j = job('TensorFlow', [{ type: 'Worker' }], 'echo started by update')
      await runtime.update(j)
      expect((await finished(j.id)).type).toBe('Succeeded')
      await waitFor('log', () => sink.text(j.id, `${j.id}-worker-0`).length > 0, 5000)
      expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['started by update'])
      expect(await runtime.owned()).toContain(j.id)
      await runtime.delete(j.id)
    })

    it('deletes a running job and everything it created', async () => {
      const j = job('TensorFlow', [{ type: 'Worker', command: 'echo up; sleep 120' }])
      await runtime.submit(j)
      await waitFor('running', () => sink.text(j.id, `${j.id}-worker-0`).includes('up'), target.timeoutMs)
      expect(await runtime.owned()).toContain(j.id)
      await runtime.delete(j.id)
      await waitFor('gone', async () => !(await runtime.owned()).includes(j.id), target.timeoutMs)
      await runtime.delete(j.id) // idempotent
    })

    it('picks a running job up again after a restart with no log line lost or repeated', async () => {
      const j = job('TensorFlow', [
        { type: 'Worker', command: 'for i in 1 2 3 4 5 6; do echo line-$i; sleep 0.5; done' },
      ])
      await runtime.submit(j)
      await waitFor('first line', () => sink.text(j.id, `${j.id}-worker-0`).includes('line-1'), target.timeoutMs)
      await runtime.dispose()
      runtime = await target.create()
      await runtime.start(sink)
      expect((await finished(j.id)).type).toBe('Succeeded')
      await waitFor('all lines', () => sink.text(j.id, `${j.id}-worker-0`).length >= 6, 10_000)
      expect(sink.text(j.id, `${j.id}-worker-0`)).toEqual(['line-1', 'line-2', 'line-3', 'line-4', 'line-5', 'line-6'])
    })

    it('has what a replica printed in the sink while the replica still runs', async () => {
      const j = job('TensorFlow', [{ type: 'Worker' }], 'echo early; sleep 60')
      const pod = `${j.id}-worker-0`
      const replica = () => sink.lastStatus(j.id)?.replicas.find((r) => r.pod === pod)
      await runtime.submit(j)
      await waitFor('replica running', () => replica()?.phase === 'Running', target.timeoutMs)
      // Logs are followed as they are written, not collected when the replica ends: it sleeps for a minute.
      await waitFor('the line printed before the sleep', () => sink.text(j.id, pod).includes('early'), 2000, 5)
      expect(replica()?.exitCode ?? null).toBeNull()
      expect(sink.text(j.id, pod)).toEqual(['early'])
      await runtime.delete(j.id)
    })

    it('stops a running job on delete with what its replicas print on SIGTERM in the sink', async () => {
      // The server's stop is a delete that keeps the experiment: the replicas' last words must be stored.
      const j = job(
        'TensorFlow',
        [{ type: 'Worker', replicas: 2 }],
        'trap "echo got SIGTERM; exit 0" TERM; echo up; sleep 120 & wait $!',
      )
      const pods = [0, 1].map((i) => `${j.id}-worker-${i}`)
      await runtime.submit(j)
      await waitFor('both replicas up', () => pods.every((p) => sink.text(j.id, p).includes('up')), target.timeoutMs)
      await runtime.delete(j.id)
      // Asserted as delete resolves, without waiting: the lines are in the sink by then.
      for (const p of pods) {
        const text = sink.text(j.id, p)
        expect({ p, first: text[0], last: text.at(-1) }).toEqual({ p, first: 'up', last: 'got SIGTERM' })
      }
      expect(await runtime.owned()).not.toContain(j.id)
    })

    it('fails a job that runs past its activeDeadlineSeconds and stops its replicas', async () => {
      const j: JobSpec = { ...job('TensorFlow', [{ type: 'Worker' }], 'echo up; sleep 120'), activeDeadlineSeconds: 2 }
      const pod = `${j.id}-worker-0`
      await runtime.submit(j)
      const last = await finished(j.id)
      expect(last.type).toBe('Failed')
      expect(last.message).toBe(`Job ${j.id} has failed because it was active longer than specified deadline`)
      const obs = sink.lastStatus(j.id)!
      expect(isDeadlineExceeded(obs.status)).toBe(true)
      expect(obs.message).toBe(
        'Failed: DeadlineExceeded: the job ran longer than its deadline of 2 s (activeDeadlineSeconds) ' +
          'and its replicas were stopped',
      )
      expect(Date.parse(obs.status.completionTime!) - Date.parse(obs.status.startTime!)).toBeGreaterThanOrEqual(2000)
      await waitFor('worker stopped', () => stoppedAll(sink, j.id), target.timeoutMs)
      expect(sink.text(j.id, pod)).toEqual(['up'])
      await runtime.delete(j.id)
    })
  })
}

function stoppedAll(sink: MemorySink, jobId: string): boolean {
  const obs = sink.lastStatus(jobId)
  return !!obs && obs.replicas.every((r) => r.phase !== 'Running' || r.exitCode !== null)
}
