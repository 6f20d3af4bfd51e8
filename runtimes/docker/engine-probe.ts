/**
 * @module
 * Whether a Docker engine answers, without loading dockerode: a plain
 * `GET /_ping` over the Unix socket (or TCP address) with `fetch`. For
 * `--runtime auto`, which must not pay for the Docker client unless it is chosen.
 */
import { dockerHostCandidates, parseDockerHost } from './engine-address.ts'

/** Where to look for an engine. */
export interface EngineLookup {
  /** `unix:///path`, a socket path, or `tcp://host:port`; else the usual sockets in `env` are tried. */
  dockerHost?: string
  /** The environment the usual sockets are found from (`DOCKER_HOST`, `XDG_RUNTIME_DIR`, `HOME`). */
  env?: Readonly<Record<string, string | undefined>>
  /** How long a ping may take (default 1000 ms). */
  timeoutMs?: number
}

/** The addresses a lookup tries, in order. */
export function engineCandidates(lookup: EngineLookup): string[] {
  return lookup.dockerHost ? [lookup.dockerHost] : dockerHostCandidates(lookup.env ?? {})
}

/** True when the engine at `host` answers `GET /_ping` with 200 within `timeoutMs`. */
export async function pingEngine(host: string, timeoutMs: number): Promise<boolean> {
  try {
    const address = parseDockerHost(host)
    const signal = AbortSignal.timeout(timeoutMs)
    const res =
      address.kind === 'socket'
        ? await fetch('http://docker/_ping', { unix: address.socketPath, signal })
        : await fetch(
            `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}/_ping`,
            { signal },
          )
    await res.arrayBuffer().catch(() => undefined)
    return res.ok
  } catch {
    return false
  }
}

/**
 * The engine address that answers a ping within `timeoutMs` (all candidates are
 * pinged at once; the first in candidate order that answers wins), or null.
 */
export async function detectDockerEngine(lookup: EngineLookup = {}): Promise<string | null> {
  const hosts = engineCandidates(lookup)
  const answers = await Promise.all(hosts.map((host) => pingEngine(host, lookup.timeoutMs ?? 1000)))
  return hosts[answers.indexOf(true)] ?? null
}
