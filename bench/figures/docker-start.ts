/**
 * @module
 * Docker runtime: POST of a 1-replica TF job (`true` in the test image) → the replica's
 * container has started (its `State.StartedAt`, read from the engine API), beside the same
 * image and command started straight through the engine API on a fresh user-defined network
 * (what `docker network create` + `docker run -d --network` do); and the same job with 4
 * Worker replicas → the last container's `StartedAt`, beside the 1-replica job. A third,
 * informative row is what the engine alone costs for 4: 4 containers created and started in
 * parallel on one fresh network straight through the engine API, beside the 1-container anchor
 * (on a 2-core machine the engine's own 4-vs-1 is about 3×, the floor of periscope's 4-vs-1).
 * All times are from just before the POST (or the network create) to the engine's `StartedAt`,
 * on one host clock. Medians of alternated rounds. Every container and network made is removed
 * (periscope's through DELETE of the experiment). Not measured when no engine answers.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { spawnServer } from '../../test/helpers/server-process.ts'
import { type Figure, type FigureOptions, median } from '../lib/figure.ts'

const IMAGE = 'periscope-test/busybox:latest'
const NAME_1 = 'Docker: POST → the replica’s container has started (`StartedAt`)'
const ANCHOR_1 = 'network create + `docker run -d` on it (engine API) → `StartedAt`'
const NAME_4 = 'Docker: 4 replicas → the last container started'
const ANCHOR_4 = 'the same job with 1 replica'
const NAME_E4 = 'Docker engine alone: 4 containers in parallel (engine API) → the last `StartedAt`'
const ANCHOR_E4 = 'the same with 1 container (row 1’s anchor)'

/** The engine API over `DOCKER_HOST` (unix socket or tcp). */
function engine(dockerHost: string) {
  const unix = dockerHost.startsWith('unix://') ? dockerHost.slice('unix://'.length) : undefined
  const base = unix ? 'http://docker' : dockerHost.replace(/^tcp:\/\//, 'http://')
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
      ...(unix ? { unix } : {}),
    } as RequestInit)
    const text = await res.text()
    let json: any = text
    try {
      json = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, json }
  }
}
type Engine = ReturnType<typeof engine>

/** ms since the epoch of an engine time (RFC 3339 with nanoseconds), or null when not started. */
function startedAt(state: any): number | null {
  const at = state?.StartedAt as string | undefined
  if (!at || at.startsWith('0001-')) return null
  return Date.parse(at.replace(/(\.\d{3})\d*/, '$1'))
}

/** Waits until every named container has started; returns the latest `StartedAt` (ms since the epoch). */
async function lastStarted(api: Engine, names: readonly string[]): Promise<number> {
  const times = await Promise.all(
    names.map((name) =>
      waitFor(
        `container ${name} to start`,
        async () => {
          const r = await api('GET', `/containers/${name}/json`)
          return r.status === 200 ? startedAt(r.json.State) : null
        },
        30_000,
        5,
      ),
    ),
  )
  return Math.max(...times)
}

/** Why the engine cannot be used, or null when it answers and has the image. */
async function engineProblem(api: Engine): Promise<string | null> {
  try {
    const ping = await api('GET', '/_ping')
    if (ping.status !== 200) return `the engine answered /_ping with ${ping.status}`
    const image = await api('GET', `/images/${encodeURIComponent(IMAGE)}/json`)
    if (image.status !== 200) return `the engine has no ${IMAGE} (never pulled)`
    return null
  } catch (err) {
    return `no Docker engine answers (${err instanceof Error ? err.message : String(err)})`
  }
}

function notMeasured(why: string): Figure[] {
  return [
    { name: NAME_1, anchorName: ANCHOR_1, goal: '≤ 1.1×' },
    { name: NAME_4, anchorName: ANCHOR_4, goal: '≤ 1.3×' },
    { name: NAME_E4, anchorName: ANCHOR_E4, goal: '— (the floor of row 2)', informative: true },
  ].map((f) => ({ ...f, subject: 'not measured', anchor: '—', ratio: null, met: false, notMeasured: why }))
}

/** Measures the figures. */
export async function measureDockerStart(opts: FigureOptions): Promise<Figure[]> {
  const dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock'
  const api = engine(dockerHost)
  const problem = await engineProblem(api)
  if (problem) return notMeasured(problem)

  const rounds = opts.short ? 3 : 7
  const dir = mkdtempSync(join(tmpdir(), 'periscope-bench-dstart-'))
  const server = await spawnServer(join(dir, 'data'), ['--runtime', 'docker'], { DOCKER_HOST: dockerHost })
  const experiments: string[] = []
  const anchorContainers: string[] = []
  const anchorNetworks: string[] = []
  const tag = crypto.randomUUID().slice(0, 8)

  /** POST → the last replica's StartedAt, in ms. */
  const viaPeriscope = async (replicas: number): Promise<number> => {
    const t0 = Date.now()
    const res = await fetch(`${server.url}/api/v1/experiment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        meta: { name: `docker-start-${replicas}`, framework: 'TensorFlow', cmd: 'true' },
        environment: { image: IMAGE },
        spec: { Worker: { replicas } },
      }),
    })
    if (res.status !== 200) throw new Error(`create answered ${res.status}: ${await res.text()}`)
    const id = ((await res.json()) as any).result.experimentId as string
    experiments.push(id)
    return (
      (await lastStarted(
        api,
        Array.from({ length: replicas }, (_, i) => `${id}-worker-${i}`),
      )) - t0
    )
  }
  /**
   * network create + `containers` × (container create on it + start), the containers in parallel,
   * each started as soon as it is created → the last StartedAt, in ms.
   */
  const viaEngine = async (i: number, containers = 1): Promise<number> => {
    const name = `periscope-bench-anchor-${tag}-${i}-${containers}`
    const t0 = Date.now()
    const net = await api('POST', '/networks/create', { Name: name, Driver: 'bridge', CheckDuplicate: true })
    if (net.status !== 201) throw new Error(`network create answered ${net.status}: ${JSON.stringify(net.json)}`)
    anchorNetworks.push(net.json.Id)
    const run = async (c: number): Promise<string> => {
      const created = await api('POST', `/containers/create?name=${name}-${c}`, {
        Image: IMAGE,
        Cmd: ['sh', '-c', 'true'],
        HostConfig: { NetworkMode: name },
        NetworkingConfig: { EndpointsConfig: { [name]: {} } },
      })
      if (created.status !== 201)
        throw new Error(`container create answered ${created.status}: ${JSON.stringify(created.json)}`)
      anchorContainers.push(created.json.Id)
      const started = await api('POST', `/containers/${created.json.Id}/start`)
      if (started.status !== 204)
        throw new Error(`container start answered ${started.status}: ${JSON.stringify(started.json)}`)
      return created.json.Id as string
    }
    const ids = await Promise.all(Array.from({ length: containers }, (_, c) => run(c)))
    return (await lastStarted(api, ids)) - t0
  }

  const one: number[] = []
  const four: number[] = []
  const anchor: number[] = []
  const engine4: number[] = []
  try {
    await viaEngine(-1) // warm-up of both paths
    await viaPeriscope(1)
    for (let i = 0; i < rounds; i++) {
      anchor.push(await viaEngine(i))
      one.push(await viaPeriscope(1))
      four.push(await viaPeriscope(4))
      engine4.push(await viaEngine(i, 4))
    }
  } finally {
    for (const id of experiments) {
      await fetch(`${server.url}/api/v1/experiment/${id}`, { method: 'DELETE' }).catch(() => {})
    }
    await server.stop()
    for (const id of anchorContainers) await api('DELETE', `/containers/${id}?force=true`).catch(() => {})
    for (const id of anchorNetworks) await api('DELETE', `/networks/${id}`).catch(() => {})
    rmSync(dir, { recursive: true, force: true })
  }
  const r1 = median(one) / median(anchor)
  const r4 = median(four) / median(one)
  const e4 = median(engine4) / median(anchor)
  const ms = (xs: number[]) => `${median(xs).toFixed(0)} ms`
  return [
    {
      name: NAME_1,
      anchorName: ANCHOR_1,
      subject: `${ms(one)} (median of ${rounds})`,
      anchor: ms(anchor),
      ratio: r1,
      goal: '≤ 1.1×',
      met: r1 <= 1.1,
      note: `  1 replica: ${one.join(', ')} ms; anchor: ${anchor.join(', ')} ms (engine StartedAt, ms resolution)`,
    },
    {
      name: NAME_4,
      anchorName: ANCHOR_4,
      subject: `${ms(four)} (median of ${rounds})`,
      anchor: ms(one),
      ratio: r4,
      goal: '≤ 1.3×',
      met: r4 <= 1.3,
      note: `  4 replicas (last StartedAt): ${four.join(', ')} ms`,
    },
    {
      name: NAME_E4,
      anchorName: ANCHOR_E4,
      subject: `${ms(engine4)} (median of ${rounds})`,
      anchor: ms(anchor),
      ratio: e4,
      goal: '— (the floor of row 2)',
      met: true,
      informative: true,
      note:
        `  4 containers (last StartedAt): ${engine4.join(', ')} ms; periscope's 4 replicas over these ` +
        `4 containers: ${(median(four) / median(engine4)).toFixed(2)}×, its 4-vs-1 over the engine's 4-vs-1: ` +
        `${(r4 / e4).toFixed(2)}×`,
    },
  ]
}

if (import.meta.main) console.table(await measureDockerStart({ short: process.argv.includes('--short') }))
