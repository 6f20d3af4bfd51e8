/**
 * @module
 * Throughput with `wrk` (Debian's package; `.ci/run` installs it): keep-alive connections,
 * one thread, so the load generator takes one of the machine's cores and the server the other.
 */

/** What one wrk run measured. */
export interface WrkResult {
  requestsPerSecond: number
  p99Ms: number
}

/** Whether `wrk` is on the PATH. */
export function haveWrk(): boolean {
  return Bun.which('wrk') !== null
}

function millis(value: string, unit: string): number {
  const n = Number(value)
  if (unit === 'us') return n / 1000
  if (unit === 's') return n * 1000
  if (unit === 'm') return n * 60_000
  return n
}

/** Runs wrk against `url` for `seconds` with `connections` keep-alive connections. */
export async function wrk(url: string, connections: number, seconds: number): Promise<WrkResult> {
  const proc = Bun.spawn(['wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url], {
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ])
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out)
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out)
  if (code !== 0 || !rps || !p99) throw new Error(`wrk ${url} failed (exit ${code}): ${out}${err}`)
  if (/Non-2xx or 3xx responses/.test(out)) throw new Error(`wrk ${url}: some answers were not 2xx:\n${out}`)
  return { requestsPerSecond: Number(rps[1]), p99Ms: millis(p99[1]!, p99[2]!) }
}
