/**
 * @module
 * The `Host` check against DNS rebinding: a page on `evil.example` whose name is made to
 * resolve to 127.0.0.1 reaches a loopback server with `Host: evil.example`, so any name but
 * this server's own is refused (421) before anything else runs.
 *
 * Accepted: `localhost`, the `--host` name, `--public-host` names (each with any port or
 * none), and any IP literal. An IP literal cannot be rebound: a browser sends it only when
 * the page's own origin is that address, which is this server.
 */
import { isIP } from 'node:net'
import { MisdirectedRequestError } from '../errors.ts'
import type { RequestCheck } from './around-routes.ts'

/** The names (not addresses) this server answers to, lower-cased. */
export function hostNames(bindHost: string, publicHosts: readonly string[]): ReadonlySet<string> {
  const names = new Set(['localhost', ...publicHosts.map((h) => h.toLowerCase())])
  const bind = bindHost.toLowerCase().replace(/^\[|\]$/g, '')
  if (isIP(bind) === 0) names.add(bind)
  return names
}

/** The host part of a `Host` header or URL authority: no port, no brackets, lower case, no trailing dot. */
export function hostPart(authority: string): string {
  const lower = authority.trim().toLowerCase()
  const host = lower.startsWith('[') ? lower.slice(1, lower.indexOf(']')) : lower.replace(/:\d*$/, '')
  return host.replace(/\.$/, '')
}

/** The request's authority: its Host header, else (a request made in-process) its URL's. */
export function requestAuthority(req: { header(name: string): string | undefined; url: string }): string {
  return req.header('host') ?? new URL(req.url).host
}

/** Refuses requests whose Host names another server. */
export function hostCheck(names: ReadonlySet<string>): RequestCheck {
  const known = [...names].join(', ')
  // The check is a function of the header alone: the few values clients send are remembered.
  const accepted = new Set<string>()
  return (c) => {
    const authority = requestAuthority(c.req)
    if (accepted.has(authority)) return undefined
    const host = hostPart(authority)
    if (isIP(host) === 0 && !names.has(host)) {
      const shown = JSON.stringify(authority.length > 100 ? `${authority.slice(0, 100)}…` : authority)
      throw new MisdirectedRequestError(
        `The Host header ${shown} does not name this server, which answers to ${known} and IP addresses; ` +
          'if clients reach it by that name, start it with --public-host <name>',
      )
    }
    if (accepted.size < 64) accepted.add(authority)
    return undefined
  }
}
