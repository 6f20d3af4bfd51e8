/**
 * @module
 * Where a Docker engine may listen, and how to dial it. Pure: the environment is
 * passed in (the server parses its own at the edge), never read from `process.env`.
 */

/** How to reach an engine: a Unix socket or a plain-HTTP TCP address. */
export type EngineAddress = { kind: 'socket'; socketPath: string } | { kind: 'tcp'; host: string; port: number }

/**
 * The engine addresses worth trying, most specific first, without duplicates:
 * `DOCKER_HOST`, then `/var/run/docker.sock`, rootless Docker's
 * `$XDG_RUNTIME_DIR/docker.sock`, Docker Desktop's `$HOME/.docker/run/docker.sock`,
 * Podman's `$XDG_RUNTIME_DIR/podman/podman.sock` and `/run/podman/podman.sock`.
 */
export function dockerHostCandidates(env: Readonly<Record<string, string | undefined>> = {}): string[] {
  const list: string[] = []
  if (env.DOCKER_HOST) list.push(env.DOCKER_HOST)
  list.push('unix:///var/run/docker.sock')
  const xdg = env.XDG_RUNTIME_DIR
  if (xdg) list.push(`unix://${xdg}/docker.sock`)
  if (env.HOME) list.push(`unix://${env.HOME}/.docker/run/docker.sock`)
  if (xdg) list.push(`unix://${xdg}/podman/podman.sock`)
  list.push('unix:///run/podman/podman.sock')
  return [...new Set(list)]
}

/**
 * Parses a `DOCKER_HOST`-style address: `unix:///path`, a bare `/path`,
 * `tcp://host:port` (plain HTTP; default port 2375) or `http://host:port`.
 * @throws Error naming the form expected, for TLS (`https://`, port 2376), `ssh://` and `npipe://`
 */
export function parseDockerHost(address: string): EngineAddress {
  const text = address.trim()
  if (text.startsWith('/')) return { kind: 'socket', socketPath: text }
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length)
    if (!socketPath.startsWith('/'))
      throw new Error(`Docker host ${JSON.stringify(address)}: expected unix:///absolute/path`)
    return { kind: 'socket', socketPath }
  }
  const match = /^(tcp|http):\/\/([^/:]+|\[[^\]]+\])(?::(\d+))?\/?$/.exec(text)
  if (match) {
    const port = Number(match[3] ?? 2375)
    if (port === 2376)
      throw new Error(
        `Docker host ${JSON.stringify(address)}: TLS engines (port 2376) are not supported; ` +
          'use a Unix socket or plain tcp',
      )
    return { kind: 'tcp', host: match[2]!.replace(/^\[|\]$/g, ''), port }
  }
  throw new Error(`Docker host ${JSON.stringify(address)}: expected unix:///path/to/docker.sock or tcp://host:port`)
}

/** The canonical text of an address (`unix:///var/run/docker.sock`, `tcp://host:2375`). */
export function formatDockerHost(address: EngineAddress): string {
  return address.kind === 'socket'
    ? `unix://${address.socketPath}`
    : `tcp://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`
}
