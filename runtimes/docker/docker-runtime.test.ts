import { afterAll, beforeAll, expect, test } from 'bun:test'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { RuntimeUnavailableError } from '../../src/errors.ts'
import type { JobSpec } from '../../src/runtime/job.ts'
import type { Runtime } from '../../src/runtime/runtime.ts'
import { jobSpec, newJobId, type ReplicaOptions } from '../testing/job-spec.ts'
import { MemorySink } from '../testing/memory-sink.ts'
import { waitFor } from '../testing/wait-for.ts'
import { DockerRuntime } from './docker-runtime.ts'
import { createDockerRuntime, detectDockerEngine, parseDockerHost } from './index.ts'
import {
  describeWithDocker,
  type EngineProxy,
  findTestEngine,
  removeAll,
  startProxy,
  TEST_IMAGE,
  testInstanceId,
  testOptions,
} from './testing/test-engine.ts'
import { isoMillis } from './timestamps.ts'

const engine = await findTestEngine()
const NS = 'team-a'

describeWithDocker('docker runtime', engine, ({ host, client }) => {
  const instanceId = testInstanceId()
  let runtime: Runtime
  let sink: MemorySink

  beforeAll(async () => {
    sink = new MemorySink()
    runtime = createDockerRuntime(testOptions(host, instanceId, { namespace: NS }))
    await runtime.start(sink)
  })
  afterAll(async () => {
    await runtime?.dispose()
    for (const id of [instanceId, ...others]) await removeAll(host, id)
  })
  /** Instance ids of tests that play a server restart: never the shared runtime's, which would adopt their jobs. */
  const others: string[] = []
  const ownInstance = () => {
    const id = testInstanceId()
    others.push(id)
    return id
  }

  const job = (framework: JobSpec['framework'], replicas: ReplicaOptions[], id = newJobId()): JobSpec =>
    jobSpec({ id, name: 'docker-test', namespace: NS, framework, replicas, image: TEST_IMAGE })
  const lastCondition = (id: string) => sink.lastStatus(id)?.status.conditions.at(-1)?.type
  const finished = (id: string, timeoutMs = 30_000) =>
    waitFor(
      `${id} to finish`,
      () => (['Succeeded', 'Failed'].includes(lastCondition(id) ?? '') ? lastCondition(id) : null),
      timeoutMs,
    )
  const logOf = (id: string, pod: string, lines: number) =>
    waitFor(`${lines} lines of ${pod}`, () => (sink.text(id, pod).length >= lines ? sink.text(id, pod) : null), 10_000)
  /** `env` output as a map. */
  const envOf = (lines: string[]) =>
    new Map(lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))

  test('detects the engine it was given, and nothing at a socket that does not exist', async () => {
    expect(await detectDockerEngine({ dockerHost: host })).toBe(host)
    expect(await detectDockerEngine({ dockerHost: 'unix:///tmp/periscope-no-such-engine.sock' })).toBeNull()
  })

  test('gives TensorFlow replicas the exact operator TF_CONFIG, and its hosts resolve in the containers', async () => {
    // kubeflow-semantics.md §4.1, TFJob `dist` in namespace `team-a` with PS: 1, Worker: 2.
    const cluster =
      '{"ps":["dist-ps-0.team-a.svc:2222"],"worker":["dist-worker-0.team-a.svc:2222","dist-worker-1.team-a.svc:2222"]}'
    const example = [
      `dist-ps-0:     {"cluster":${cluster},"task":{"type":"ps","index":0},"environment":"cloud"}`,
      `dist-worker-0: {"cluster":${cluster},"task":{"type":"worker","index":0},"environment":"cloud"}`,
      `dist-worker-1: {"cluster":${cluster},"task":{"type":"worker","index":1},"environment":"cloud"}`,
    ]
    const id = newJobId()
    const expected = new Map(
      example
        .map((l) => l.replaceAll('dist-', `${id}-`))
        .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf('{'))]),
    )
    // Every host in TF_CONFIG, in all three forms, must resolve (retrying while the others start).
    const resolveAll =
      `for h in $(echo "$TF_CONFIG" | tr '",[]' '\\n\\n\\n\\n' | grep ':2222$' | sed 's/:2222$//'); do ` +
      `for n in "\${h%%.*}" "$h" "$h.cluster.local"; do i=0; ` +
      `until nslookup -timeout=1 -retry=1 "$n" >/dev/null 2>&1; ` +
      `do i=$((i+1)); [ $i -gt 40 ] && break; sleep 0.1; done; ` +
      `[ $i -gt 40 ] && echo "unresolved $n" || echo "resolved $n"; done; done`
    const j = job(
      'TensorFlow',
      [
        { type: 'Ps', command: `printf '%s\\n' "$TF_CONFIG"; sleep 60` },
        // Names resolve only while their container runs: each stays up a while after its checks,
        // worker-1 longest, since worker-0 ends the job (TF rule) and worker-1 is then stopped.
        {
          type: 'Worker',
          replicas: 2,
          command:
            `printf '%s\\n' "$TF_CONFIG"; echo "HOSTNAME=$HOSTNAME"; ${resolveAll}; ` +
            `sleep $((2 + 2 * \${HOSTNAME##*-}))`,
        },
      ],
      id,
    )
    await runtime.submit(j)
    expect(await finished(id)).toBe('Succeeded')
    for (const [pod, config] of expected) {
      const lines = await logOf(id, pod, 1)
      expect(lines[0]).toBe(config)
    }
    for (const pod of [`${id}-worker-0`, `${id}-worker-1`]) {
      const lines = await logOf(id, pod, 11)
      expect(lines[1]).toBe(`HOSTNAME=${pod}`)
      const names = ['ps-0', 'worker-0', 'worker-1'].flatMap((p) => [
        `${id}-${p}`,
        `${id}-${p}.${NS}.svc`,
        `${id}-${p}.${NS}.svc.cluster.local`,
      ])
      expect(lines.slice(2).sort()).toEqual(names.map((n) => `resolved ${n}`).sort())
    }
  }, 60_000)

  test('gives PyTorch replicas the operator variables byte for byte (§4.2 ddp table)', async () => {
    const id = newJobId()
    const j = job(
      'PyTorch',
      [
        { type: 'Master', command: 'env; sleep 3' },
        { type: 'Worker', replicas: 2, command: 'env; sleep 1' },
      ],
      id,
    )
    await runtime.submit(j)
    expect(await finished(id)).toBe('Succeeded')
    const table: Record<string, [string, string, string]> = {
      PYTHONUNBUFFERED: ['1', '1', '1'],
      MASTER_PORT: ['23456', '23456', '23456'],
      PET_MASTER_PORT: ['23456', '23456', '23456'],
      MASTER_ADDR: ['ddp-master-0', 'ddp-master-0', 'ddp-master-0'],
      PET_MASTER_ADDR: ['ddp-master-0', 'ddp-master-0', 'ddp-master-0'],
      WORLD_SIZE: ['3', '3', '3'],
      RANK: ['0', '1', '2'],
      PET_NODE_RANK: ['0', '1', '2'],
      PET_NPROC_PER_NODE: ['auto', 'auto', 'auto'],
      PET_NNODES: ['3', '3', '3'],
    }
    const pods = ['master-0', 'worker-0', 'worker-1'].map((p) => `${id}-${p}`)
    for (const [i, pod] of pods.entries()) {
      const env = envOf(await logOf(id, pod, 5))
      for (const [name, values] of Object.entries(table))
        expect(`${name}=${env.get(name)}`).toBe(`${name}=${values[i]!.replace('ddp-', `${id}-`)}`)
      expect(env.has('TF_CONFIG')).toBe(false)
    }
  }, 60_000)

  test('gives XGBoost replicas the operator variables byte for byte (§4.3)', async () => {
    const id = newJobId()
    const j = job(
      'XGBoost',
      [
        { type: 'Master', command: 'env; sleep 3' },
        { type: 'Worker', replicas: 2, command: 'env' },
      ],
      id,
    )
    await runtime.submit(j)
    expect(await finished(id)).toBe('Succeeded')
    const pods = ['master-0', 'worker-0', 'worker-1'].map((p) => `${id}-${p}`)
    for (const [rank, pod] of pods.entries()) {
      const env = envOf(await logOf(id, pod, 5))
      const got = [
        'MASTER_PORT',
        'MASTER_ADDR',
        'WORLD_SIZE',
        'RANK',
        'PYTHONUNBUFFERED',
        'WORKER_PORT',
        'WORKER_ADDRS',
      ].map((n) => `${n}=${env.get(n)}`)
      expect(got).toEqual([
        'MASTER_PORT=9999',
        `MASTER_ADDR=${id}-master-0`,
        'WORLD_SIZE=3',
        `RANK=${rank}`,
        'PYTHONUNBUFFERED=1',
        'WORKER_PORT=9999',
        `WORKER_ADDRS=${id}-worker-0,${id}-worker-1`,
      ])
    }
  }, 60_000)

  test('labels every container and the network so the job is found by label alone; delete removes them', async () => {
    const id = newJobId()
    const j = job(
      'TensorFlow',
      [
        { type: 'Ps', command: 'sleep 60' },
        { type: 'Worker', command: 'echo up; sleep 60' },
      ],
      id,
    )
    await runtime.submit(j)
    await logOf(id, `${id}-worker-0`, 1)
    const containers = await client.listContainers([
      `periscope.io/instance=${instanceId}`,
      `periscope.io/experiment-id=${id}`,
    ])
    expect(containers.map((c) => c.name).sort()).toEqual([`${id}-ps-0`, `${id}-worker-0`])
    const worker = containers.find((c) => c.name === `${id}-worker-0`)!
    expect(worker.labels).toMatchObject({
      'training.kubeflow.org/operator-name': 'tfjob-controller',
      'training.kubeflow.org/job-name': id,
      'training.kubeflow.org/replica-type': 'worker',
      'training.kubeflow.org/replica-index': '0',
      'training.kubeflow.org/job-role': 'master',
      'periscope.io/experiment-id': id,
      'periscope.io/instance': instanceId,
    })
    expect(JSON.parse(worker.labels['periscope.io/job-spec']!)).toEqual(j)
    const ps = containers.find((c) => c.name === `${id}-ps-0`)!
    expect(ps.labels['training.kubeflow.org/job-role']).toBeUndefined()
    const net = await client.inspectNetwork(id)
    expect(net?.labels).toMatchObject({
      'periscope.io/experiment-id': id,
      'periscope.io/instance': instanceId,
      'training.kubeflow.org/job-name': id,
    })
    expect(JSON.parse(net!.labels['periscope.io/job-spec']!)).toEqual(j)
    expect(await runtime.owned()).toContain(id)

    const started = Date.now()
    await runtime.delete(id)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(await client.listContainers([`periscope.io/experiment-id=${id}`])).toEqual([])
    expect(await client.inspectNetwork(id)).toBeNull()
    expect(await runtime.owned()).not.toContain(id)
    await runtime.delete(id)
  }, 60_000)

  test('forgets the jobs it deleted, and a delete right after a submit leaves no container behind', async () => {
    if (!(runtime instanceof DockerRuntime)) throw new Error('expected the Docker runtime')
    const before = runtime.testing.jobs
    const ids = [newJobId(), newJobId(), newJobId()]
    for (const id of ids) await runtime.submit(job('TensorFlow', [{ type: 'Worker', command: 'sleep 60' }], id))
    expect(runtime.testing.jobs).toBe(before + ids.length)
    await Promise.all(ids.map((id) => runtime.delete(id)))
    for (const id of ids) expect(await client.listContainers([`periscope.io/experiment-id=${id}`])).toEqual([])
    expect(runtime.testing).toEqual({ jobs: before, deleting: 0 })
  }, 60_000)

  test('turns resources into Docker limits (memory limit twice the request), GPUs into a device request', async () => {
    const id = newJobId()
    const j = job(
      'TensorFlow',
      [
        { type: 'Ps', command: 'sleep 60', resources: { gpu: 1 } },
        { type: 'Worker', command: 'sleep 60', resources: { cpu: '500m', memory: '64M' } },
      ],
      id,
    )
    await runtime.submit(j)
    const worker = await waitFor('worker created', () => client.inspectContainer(`${id}-worker-0`), 10_000)
    const ps = await waitFor('ps created', () => client.inspectContainer(`${id}-ps-0`), 10_000)
    expect(worker.running || worker.status === 'created').toBe(true)
    const limits = await hostConfig(host, `${id}-worker-0`)
    expect(limits).toMatchObject({ NanoCpus: 500_000_000, Memory: 128_000_000, MemoryReservation: 64_000_000 })
    expect((await hostConfig(host, `${id}-ps-0`)).DeviceRequests).toMatchObject([
      { Driver: 'nvidia', Count: 1, Capabilities: [['gpu']] },
    ])
    if (!ps.running) {
      // No NVIDIA runtime on this engine: the replica waits with the engine's reason, like an unschedulable pod.
      const waiting = await waitFor(
        'ps waiting reason',
        () =>
          sink
            .lastStatus(id)
            ?.replicas.find((r) => r.pod === `${id}-ps-0`)
            ?.waiting?.startsWith('RunContainerError: ') && sink.lastStatus(id)!.message,
        10_000,
      )
      expect(waiting).toContain(`${id}-ps-0: RunContainerError: `)
    }
    await runtime.delete(id)
  }, 60_000)

  test('a replica whose image cannot be pulled waits Pending (ErrImagePull, engine message) and retries', async () => {
    const id = newJobId()
    const j = job('TensorFlow', [{ type: 'Worker', image: 'periscope-test/does-not-exist:latest' }], id)
    const t0 = Date.now()
    await runtime.submit(j)
    expect(Date.now() - t0).toBeLessThan(2000)
    const message = await waitFor(
      'ErrImagePull',
      () => (sink.lastStatus(id)?.message?.includes('ErrImagePull') ? sink.lastStatus(id)!.message : null),
      20_000,
    )
    expect(message).toStartWith(`${id}-worker-0: ErrImagePull: `)
    expect(message.length).toBeGreaterThan(`${id}-worker-0: ErrImagePull: `.length)
    const worker = sink.lastStatus(id)!.replicas[0]!
    expect(worker.phase).toBe('Pending')
    expect(worker.waiting).toStartWith('ErrImagePull: ')
    // Retried: the reason is cleared and set again by the next attempt.
    await waitFor(
      'a retry',
      () =>
        (sink.observations.get(id) ?? []).filter((o) => o.replicas[0]?.waiting?.startsWith('ErrImagePull')).length >= 2,
      10_000,
    )
    expect(sink.conditions(id)).toEqual(['Created=True'])
    await runtime.delete(id)
  }, 60_000)

  test('holds PyTorch workers Pending (PodInitializing) until the master resolves, then starts them', async () => {
    const id = newJobId()
    const master = `${id}-master-0`
    const bad = job(
      'PyTorch',
      [
        { type: 'Master', image: 'periscope-test/does-not-exist:latest', command: 'echo master; sleep 3' },
        {
          type: 'Worker',
          command:
            'nslookup -timeout=1 -retry=1 "$MASTER_ADDR" >/dev/null 2>&1 && echo "resolved $MASTER_ADDR at start"',
        },
      ],
      id,
    )
    await runtime.submit(bad)
    await waitFor(
      'worker initializing',
      () =>
        sink
          .lastStatus(id)
          ?.replicas.find((r) => r.type === 'Worker')
          ?.waiting?.startsWith('PodInitializing'),
      10_000,
    )
    const worker = sink.lastStatus(id)!.replicas.find((r) => r.type === 'Worker')!
    expect(worker).toMatchObject({ phase: 'Pending', waiting: `PodInitializing: waiting for ${master} to resolve` })
    // A window in which nothing may happen: the worker does not start while its master cannot run.
    await Bun.sleep(500)
    expect((await client.inspectContainer(`${id}-worker-0`))?.status ?? 'not created').not.toBe('running')
    expect(sink.text(id, `${id}-worker-0`)).toEqual([])
    // The master's image is fixed by an update; its next pull attempt succeeds and the worker follows.
    await runtime.update({
      ...bad,
      replicaSpecs: bad.replicaSpecs.map((s) => (s.type === 'Master' ? { ...s, image: TEST_IMAGE } : s)),
    })
    expect(await finished(id)).toBe('Succeeded')
    expect(await logOf(id, `${id}-worker-0`, 1)).toEqual([`resolved ${master} at start`])
  }, 60_000)

  test('reports an OOM-killed attempt as such, and restarts it like any failure', async () => {
    const id = newJobId()
    // Request 8M: the memory limit is twice that, 16 MB; the shell then holds 40 MB.
    const j = job(
      'TensorFlow',
      [
        {
          type: 'Worker',
          resources: { memory: '8M' },
          command: 'echo start; x=$(head -c 40000000 /dev/zero | tr "\\0" a); echo survived',
        },
      ],
      id,
    )
    await runtime.submit(j)
    expect(await finished(id)).toBe('Failed')
    const messages = (sink.observations.get(id) ?? []).map((o) => o.message).filter((m) => m?.includes('OOMKilled'))
    expect(messages[0]).toStartWith(
      `${id}-worker-0: CrashLoopBackOff: exited with code 137 (OOMKilled); 0 of 3 restarts used, next attempt at `,
    )
    expect(sink.lastStatus(id)!.replicas[0]).toMatchObject({ restartCount: 3, exitCode: 137, exitReason: 'OOMKilled' })
    expect(sink.lastStatus(id)!.message).toBe(
      `Failed: ${id}-worker-0 exited with code 137 (OOMKilled) after 3 of 3 restarts (backoffLimit reached)`,
    )
    expect(sink.text(id, `${id}-worker-0`).filter((l) => l === 'survived')).toEqual([])
  }, 60_000)

  test('restarts a failed replica in place: same container and filesystem, log appended', async () => {
    const id = newJobId()
    const j = job(
      'TensorFlow',
      [{ type: 'Worker', command: 'echo attempt; [ -f /failed-once ] || { touch /failed-once; exit 3; }; echo done' }],
      id,
    )
    await runtime.submit(j)
    const first = await waitFor('container', () => client.inspectContainer(`${id}-worker-0`), 10_000)
    expect(await finished(id)).toBe('Succeeded')
    const after = await client.inspectContainer(`${id}-worker-0`)
    expect(after?.created).toBe(first.created)
    expect(sink.lastStatus(id)!.replicas[0]).toMatchObject({ phase: 'Succeeded', restartCount: 1, exitCode: 0 })
    expect(await logOf(id, `${id}-worker-0`, 3)).toEqual(['attempt', 'attempt', 'done'])
  }, 60_000)

  test('after a kill -9, a new runtime finishes the two-replica job with the right finish time, all logs', async () => {
    const id = newJobId()
    const j = job(
      'TensorFlow',
      [
        {
          type: 'Worker',
          replicas: 2,
          command:
            // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a template
            'n=$((8 - 6 * ${HOSTNAME##*-})); i=1; while [ $i -le $n ]; do echo line-$i; i=$((i+1)); sleep 0.5; done',
        },
      ],
      id,
    )
    const [w0, w1] = [`${id}-worker-0`, `${id}-worker-1`]
    const file = `/tmp/periscope-sink-${id}.jsonl`
    const instance = ownInstance()
    const child = Bun.spawn(
      [process.execPath, `${import.meta.dir}/testing/test-child.ts`, host, instance, file, JSON.stringify(j)],
      { stdout: 'inherit', stderr: 'inherit' },
    )
    /** What the killed server had stored, read back as the next one would. */
    const stored = () => {
      const sink = new MemorySink()
      const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
      for (const line of text.split('\n').filter(Boolean)) {
        const rec = JSON.parse(line)
        if (rec.status) sink.status(rec.status)
        else sink.log(rec.log.jobId, rec.log.pod, rec.log.lines)
      }
      return sink
    }
    try {
      await waitFor(
        'both started',
        () => stored().text(id, w0).includes('line-1') && stored().text(id, w1).includes('line-1'),
        15_000,
      )
      child.kill(9)
      await child.exited
      // worker-1 (2 lines) exits while no server runs; worker-0 (8 lines) still runs
      await waitFor('worker-1 to exit', async () => (await client.inspectContainer(w1))?.running === false, 10_000)
      expect((await client.inspectContainer(w1))?.running).toBe(false)
      expect((await client.inspectContainer(w0))?.running).toBe(true)

      const own = stored()
      const second = createDockerRuntime(testOptions(host, instance, { namespace: NS }))
      await second.start(own)
      try {
        await waitFor(
          `${id} to finish`,
          () => own.lastStatus(id)?.status.conditions.at(-1)?.type === 'Succeeded',
          20_000,
        )
        const obs = own.lastStatus(id)!
        expect(obs.replicas.map((r) => [r.pod, r.phase, r.exitCode])).toEqual([
          [w0, 'Succeeded', 0],
          [w1, 'Succeeded', 0],
        ])
        // Finished when worker-0 did (TF rule), by the engine's clock.
        const finishedAt = Date.parse(isoMillis((await client.inspectContainer(w0))!.finishedAt)!)
        expect(Math.abs(Date.parse(obs.status.completionTime!) - finishedAt)).toBeLessThan(200)
        await waitFor('all lines', () => own.text(id, w0).length >= 8, 10_000)
        expect(own.text(id, w0)).toEqual([
          'line-1',
          'line-2',
          'line-3',
          'line-4',
          'line-5',
          'line-6',
          'line-7',
          'line-8',
        ])
        expect(own.text(id, w1)).toEqual(['line-1', 'line-2'])
      } finally {
        await second.dispose()
      }
    } finally {
      child.kill(9)
      rmSync(file, { force: true })
    }
  }, 60_000)

  test('scales down like the operator (extra containers removed); a restarted server keeps the new count', async () => {
    const id = newJobId()
    const j = job(
      'PyTorch',
      [
        { type: 'Master', command: 'echo up; sleep 60' },
        { type: 'Worker', replicas: 2, command: 'echo up; sleep 60' },
      ],
      id,
    )
    const own = new MemorySink()
    const instance = ownInstance()
    const first = createDockerRuntime(testOptions(host, instance, { namespace: NS }))
    await first.start(own)
    try {
      await first.submit(j)
      await waitFor(
        'workers up',
        () => own.text(id, `${id}-worker-1`).includes('up') && own.text(id, `${id}-worker-0`).includes('up'),
        15_000,
      )
      const worker0 = await client.inspectContainer(`${id}-worker-0`)
      await first.update({
        ...j,
        replicaSpecs: j.replicaSpecs.map((s) => (s.type === 'Worker' ? { ...s, replicas: 1 } : s)),
      })
      await waitFor('worker-1 removed', async () => (await client.inspectContainer(`${id}-worker-1`)) === null, 15_000)
      expect(await client.inspectContainer(`${id}-worker-0`)).toMatchObject({
        running: true,
        startedAt: worker0!.startedAt,
      })
      expect(own.lastStatus(id)!.replicas.map((r) => r.pod)).toEqual([`${id}-master-0`, `${id}-worker-0`])
    } finally {
      await first.dispose()
    }
    const second = createDockerRuntime(testOptions(host, instance, { namespace: NS }))
    await second.start(own)
    try {
      // A window in which nothing may happen: the restarted runtime recreates no removed replica.
      await Bun.sleep(1000)
      expect(await client.inspectContainer(`${id}-worker-1`)).toBeNull()
      expect(own.lastStatus(id)!.replicas.map((r) => [r.pod, r.phase])).toEqual([
        [`${id}-master-0`, 'Running'],
        [`${id}-worker-0`, 'Running'],
      ])
      await second.delete(id)
    } finally {
      await second.dispose()
    }
  }, 60_000)

  test('a job that ended while no server watched gets the containers own finish time', async () => {
    const id = newJobId()
    const j = job('TensorFlow', [{ type: 'Worker', command: 'echo one; sleep 1; echo two' }], id)
    const own = new MemorySink()
    const instance = ownInstance()
    const first = createDockerRuntime(testOptions(host, instance, { namespace: NS }))
    await first.start(own)
    await first.submit(j)
    await waitFor('first line', () => own.text(id, `${id}-worker-0`).includes('one'), 10_000)
    await first.dispose()
    await waitFor('exited', async () => (await client.inspectContainer(`${id}-worker-0`))?.running === false, 10_000)
    // Time passes on purpose: the resume's clock then differs from the container's own finish time.
    await Bun.sleep(300)
    const second = createDockerRuntime(testOptions(host, instance, { namespace: NS }))
    await second.start(own)
    try {
      // The status follows the catch-up read of the container's log (lines before the status that ends the job).
      await waitFor('Succeeded', () => own.lastStatus(id)?.status.conditions.at(-1)?.type === 'Succeeded', 10_000)
      expect(own.text(id, `${id}-worker-0`)).toEqual(['one', 'two'])
      const finishedAt = isoMillis((await client.inspectContainer(`${id}-worker-0`))!.finishedAt)
      expect(own.lastStatus(id)!.status.completionTime).toBe(finishedAt)
      await waitFor('both lines', () => own.text(id, `${id}-worker-0`).length >= 2, 5000)
      expect(own.text(id, `${id}-worker-0`)).toEqual(['one', 'two'])
    } finally {
      await second.dispose()
    }
  }, 60_000)

  test('keeps trying while the engine is away, then takes jobs and finishes the ones it lost sight of', async () => {
    const realSocket = parseDockerHost(host)
    if (realSocket.kind !== 'socket') return // the proxy below relays a Unix socket
    const path = `/tmp/periscope-proxy-${crypto.randomUUID().slice(0, 8)}.sock`
    const own = new MemorySink()
    const rt = createDockerRuntime(testOptions(`unix://${path}`, ownInstance(), { namespace: NS }))
    let proxy: EngineProxy | null = null
    try {
      await rt.start(own)
      expect(rt.unavailable()).toContain(path)
      const id = newJobId()
      const j = job('TensorFlow', [{ type: 'Worker', command: 'echo a; sleep 3; echo b' }], id)
      await expect(rt.submit(j)).rejects.toBeInstanceOf(RuntimeUnavailableError)

      proxy = await startProxy(path, realSocket.socketPath)
      await waitFor('engine back', () => rt.unavailable() === null, 15_000)
      await rt.submit(j)
      await waitFor('first line', () => own.text(id, `${id}-worker-0`).includes('a'), 10_000)

      proxy.close() // the engine goes away mid-job: event stream and log follower break
      await waitFor('engine seen down', () => rt.unavailable() !== null, 10_000)
      // The container exits while the runtime cannot see it.
      await waitFor(
        'the exit',
        async () => (await client.inspectContainer(`${id}-worker-0`))?.running === false,
        15_000,
      )
      proxy = await startProxy(path, realSocket.socketPath)
      await waitFor(`${id} to finish`, () => own.lastStatus(id)?.status.conditions.at(-1)?.type === 'Succeeded', 20_000)
      await waitFor('both lines', () => own.text(id, `${id}-worker-0`).length >= 2, 10_000)
      expect(own.text(id, `${id}-worker-0`)).toEqual(['a', 'b'])
    } finally {
      await rt.dispose()
      proxy?.close()
    }
  }, 60_000)
})

/** The HostConfig the engine stored, read straight from the Engine API. */
async function hostConfig(host: string, name: string): Promise<Record<string, unknown>> {
  const address = parseDockerHost(host)
  const res =
    address.kind === 'socket'
      ? await fetch(`http://docker/containers/${name}/json`, { unix: address.socketPath })
      : await fetch(`http://${address.host}:${address.port}/containers/${name}/json`)
  return ((await res.json()) as { HostConfig: Record<string, unknown> }).HostConfig
}
