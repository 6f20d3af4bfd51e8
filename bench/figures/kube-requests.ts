/**
 * @module
 * Kubernetes runtime: how many requests the API server gets over one experiment's life,
 * against the fake API server (`test/kube-fake`) and its request counter. One PyTorch job
 * (Master + Worker, `echo hi`) from POST until the experiment is Succeeded, split by kind;
 * then the requests per minute while nothing changes (the job finished, nobody calls).
 * The goal is create + one log stream per container and nothing else, and 0/min idle.
 *
 * Counted per experiment: every request the fake receives from the POST until the API
 * reports Succeeded, and in the 2 s after, except watches: those are shared by every
 * experiment (one per kind plus one for pods, opened at startup) and listed apart, so a
 * watch reconnect that happens to fall in the window is shown, not charged to the job.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from '../../runtimes/testing/wait-for.ts'
import { spawnServer } from '../../test/helpers/server-process.ts'
import { type RecordedRequest, startFakeKube } from '../../test/kube-fake/index.ts'
import type { Figure, FigureOptions } from '../lib/figure.ts'

const KINDS = ['create', 'get', 'list', 'watch', 'log follow', 'other'] as const
type Kind = (typeof KINDS)[number]

/** The kind of a request, as the table splits them. */
function kindOf(r: RecordedRequest): Kind {
  if (r.follow) return 'log follow'
  if (r.watch) return 'watch'
  const path = r.path.split('?')[0]!
  if (r.method === 'POST') return 'create'
  if (r.method !== 'GET') return 'other'
  // A collection path ends with the plural: /api/v1/namespaces/ns/pods, /apis/g/v/namespaces/ns/tfjobs.
  const parts = path.split('/').filter(Boolean)
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3)
  const afterNs = rest[0] === 'namespaces' ? rest.slice(2) : rest
  if (parts[0] !== 'api' && parts[0] !== 'apis') return 'other' // discovery, /version…
  return afterNs.length === 1 ? 'list' : afterNs.length >= 2 ? 'get' : 'other'
}

function split(rs: readonly RecordedRequest[]): Record<Kind, number> {
  const counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>
  for (const r of rs) counts[kindOf(r)]++
  return counts
}

const show = (c: Record<Kind, number>) =>
  KINDS.filter((k) => c[k] > 0)
    .map((k) => `${c[k]} ${k}`)
    .join(', ') || 'none'

/** `method path` lines, identical ones folded into `N× …`, without the query's resourceVersion noise. */
function listing(rs: readonly RecordedRequest[]): string {
  const counts = new Map<string, number>()
  for (const r of rs) {
    const key = `${r.method} ${r.path.replace(/resourceVersion=\d+/, 'resourceVersion=…')}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return [...counts].map(([k, n]) => `    ${n}× ${k}`).join('\n')
}

/** Names what the runtime keeps asking for while idle: follow re-attaches, watch reconnects, resync lists. */
function idleCauses(rs: readonly RecordedRequest[]): string {
  const c = split(rs)
  const pods = [...new Set(rs.filter((r) => r.follow).map((r) => /\/pods\/([^/]+)\/log/.exec(r.path)?.[1]))]
  return [
    c['log follow'] ? `${c['log follow']} log follow re-attaches (of ${pods.join(', ')})` : 'no log follow',
    c.watch ? `${c.watch} watch reconnects` : 'no watch reconnect',
    c.list ? `${c.list} (resync) lists` : 'no resync list',
    c.get + c.create + c.other ? `${c.get + c.create + c.other} other` : '',
  ]
    .filter(Boolean)
    .join(', ')
}

/** Measures the figure. */
export async function measureKubeRequests(opts: FigureOptions): Promise<Figure[]> {
  const idleMs = opts.short ? 20_000 : 60_000
  const dir = mkdtempSync(join(tmpdir(), 'periscope-bench-kreq-'))
  const fake = await startFakeKube()
  const kubeconfig = join(dir, 'kubeconfig')
  writeFileSync(kubeconfig, fake.kubeconfig())
  const server = await spawnServer(join(dir, 'data'), ['--runtime', 'kubernetes', '--kubeconfig', kubeconfig])
  try {
    await Bun.sleep(1000) // let startup settle (initial lists and watches)
    const startup = fake.requests()
    fake.clearRequests()
    const res = await fetch(`${server.url}/api/v1/experiment`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        meta: { name: 'kube-requests', framework: 'PyTorch', cmd: 'echo hi' },
        environment: { image: 'busybox' },
        spec: { Master: { replicas: 1 }, Worker: { replicas: 1 } },
      }),
    })
    if (res.status !== 200) throw new Error(`create answered ${res.status}: ${await res.text()}`)
    const id = ((await res.json()) as any).result.experimentId as string
    const status = await waitFor(
      'the experiment to finish',
      async () => {
        const r = await fetch(`${server.url}/api/v1/experiment/${id}`)
        const s = ((await r.json()) as any).result.status as string
        return s === 'Succeeded' || s === 'Failed' ? s : null
      },
      30_000,
      25,
    )
    if (status !== 'Succeeded') throw new Error(`the experiment ended ${status}`)
    const life = fake.requests()
    fake.clearRequests()
    await Bun.sleep(2000) // the tail: followers of finished containers end, watches settle
    const tail = fake.requests()
    fake.clearRequests()
    await Bun.sleep(idleMs)
    const idle = fake.requests()
    const perMinute = (idle.length * 60_000) / idleMs
    const containers = 2
    const perExperiment = [...life, ...tail].filter((r) => !r.watch)
    const watches = [...life, ...tail].filter((r) => r.watch)
    const c = split(perExperiment)
    const goalMet = c.create === 1 && c['log follow'] === containers && perExperiment.length === 1 + containers
    return [
      {
        name: 'Kubernetes: API requests over one experiment’s life (fake API server, PyTorch Master + Worker)',
        anchorName: 'goal: 1 create + 2 log follows',
        subject:
          `${perExperiment.length} requests POST → Succeeded + 2 s (${show(c)}; ` +
          `shared watches apart: ${watches.length} reconnects)`,
        anchor: `${1 + containers}`,
        ratio: null,
        goal: 'create + 1 log stream per container',
        met: goalMet,
        note: [
          '  counted: every request from the POST to Succeeded and in the 2 s after, but watches (shared, listed)',
          `  at startup (before the POST): ${startup.length} (${show(split(startup))})`,
          listing(startup),
          `  POST → Succeeded: ${life.length} (${show(c)})`,
          listing(life),
          `  the 2 s after Succeeded: ${tail.length} (${show(split(tail))})`,
          listing(tail),
        ]
          .filter((l) => l !== '')
          .join('\n'),
      },
      {
        name: 'Kubernetes: API requests per minute while nothing changes (fake API server)',
        anchorName: 'goal: 0/min',
        subject: `${perMinute.toFixed(1)}/min (${idle.length} in ${idleMs / 1000} s: ${show(split(idle))})`,
        anchor: '0/min',
        ratio: null,
        goal: '0/min idle',
        met: idle.length === 0,
        note:
          idle.length === 0
            ? '  no request while idle'
            : `  requests while idle (${idleMs / 1000} s): ${idleCauses(idle)}\n${listing(idle)}`,
      },
    ]
  } finally {
    await server.stop()
    await fake.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.main) {
  const figures = await measureKubeRequests({ short: process.argv.includes('--short') })
  for (const f of figures) console.log(`${f.name}: ${f.subject} [${f.met ? 'met' : 'NOT met'}]\n${f.note ?? ''}`)
}
