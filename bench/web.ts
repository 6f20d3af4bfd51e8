/**
 * The web page's first screen in Debian's chromium (playwright-core): the list with
 * 10,000 experiments stored, from navigation to the first 50 rows drawn (the page's own
 * `periscope:list-drawn` mark), beside an anchor measured in the same run by the same
 * browser: a static page with the same 50-row table and no script, served by Bun.serve,
 * to its first paint after load. The machine is shared, so both are the median of N
 * loads and the ratio is the figure to compare.
 *
 *   bun bench/web.ts [--loads N]     (builds nothing: the server runs from source)
 */
import { parseArgs } from 'node:util'
import { normalizeSpec } from '../src/experiments/normalize-spec.ts'
import { createExperimentRepository } from '../src/storage/experiment-repository.ts'
import { launchBrowser } from '../test/helpers/browser.ts'
import { startTestServer } from '../test/helpers/test-server.ts'

const { values } = parseArgs({ options: { loads: { type: 'string', default: '15' } } })
const LOADS = Number(values.loads)

const server = await startTestServer()
const repo = createExperimentRepository(server.db)
const base = normalizeSpec(
  {
    meta: { name: 'stored', framework: 'TensorFlow', cmd: 'true' },
    environment: { image: 'busybox:1.36' },
    spec: { Worker: { replicas: 2, resources: 'cpu=1' } },
  },
  { namespace: 'default', findEnvironment: () => null, lowerCaseName: false },
)
const now = new Date().toISOString()
server.db.transaction(() => {
  for (let i = 1; i <= 10_000; i++) {
    const id = `experiment-1700000000000-${String(i).padStart(5, '0')}`
    repo.insert({
      id,
      uid: crypto.randomUUID(),
      spec: { ...base, meta: { ...base.meta, name: `stored-${i}`, experimentId: id } },
      acceptedTime: now,
    })
  }
})()
server.db.run(`UPDATE experiment SET status = 'Succeeded', submitted = 1, finished_time = created_time`)

const rows = Array.from(
  { length: 50 },
  (_, i) =>
    `<tr><td><a href="#">stored-${i + 1}</a></td><td>experiment-1700000000000-${i + 1}</td>` +
    '<td>TensorFlow</td><td>Succeeded</td><td>Worker 2</td><td>1m</td><td>1s</td></tr>',
).join('')
const anchorHtml =
  '<!doctype html><html><head><title>anchor</title></head><body>' +
  `<table><tbody>${rows}</tbody></table></body></html>`
const anchor = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: () => new Response(anchorHtml, { headers: { 'content-type': 'text/html' } }),
})

const browser = await launchBrowser()
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function timeList(): Promise<number> {
  await page.goto(`${server.url}/`)
  await page.locator('tbody tr').nth(49).waitFor()
  return page.evaluate(() => performance.getEntriesByName('periscope:list-drawn')[0]!.startTime)
}
async function timeAnchor(): Promise<number> {
  await page.goto(anchor.url.href)
  // The first frame after load, as the list's mark is the first frame after its rows.
  return page.evaluate(
    () => new Promise<number>((resolve) => (globalThis as any).requestAnimationFrame(() => resolve(performance.now()))),
  )
}

await timeList() // the first load bundles the page from source; not counted
const list: number[] = []
const still: number[] = []
for (let i = 0; i < LOADS; i++) {
  list.push(await timeList())
  still.push(await timeAnchor())
}
const l = median(list)
const a = median(still)
console.log(
  `list first screen, 10,000 stored: median ${l.toFixed(0)} ms ` +
    `(min ${Math.min(...list).toFixed(0)}) over ${LOADS} loads`,
)
console.log(`anchor, static 50-row table:     median ${a.toFixed(0)} ms (min ${Math.min(...still).toFixed(0)})`)
console.log(`ratio list / anchor: ${(l / a).toFixed(1)}`)
await browser.close()
anchor.stop(true)
await server.stop()
