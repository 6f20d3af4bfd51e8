/**
 * @module
 * The client's settings, from its flags and environment, parsed once where a
 * command starts: which server, which token, and how to write (colour, live lines).
 */
import { UsageError } from './cli-errors.ts'

/** The server a client talks to when neither `--server` nor `PERISCOPE_SERVER` says. */
export const DEFAULT_SERVER = 'http://127.0.0.1:32080'

/** What the terminal around the process is like; `main.ts` looks. */
export interface TerminalFacts {
  stdoutIsTTY: boolean
  stderrIsTTY: boolean
}

/** The client's settings. */
export interface ClientConfig {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:32080`. */
  readonly server: string
  /** Sent as `Authorization: Bearer <token>` when set. */
  readonly token: string | undefined
  /** Colour on stdout / stderr. */
  readonly colourOut: boolean
  readonly colourErr: boolean
  /** A status line rewritten in place on stderr (a terminal that understands `\r` and erase-line). */
  readonly liveErr: boolean
}

/**
 * The settings from the `--server` flag (if given) and the environment
 * (`PERISCOPE_SERVER`, `PERISCOPE_TOKEN`, `NO_COLOR`, `TERM`).
 */
export function parseClientConfig(
  serverFlag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  terminal: TerminalFacts,
): ClientConfig {
  const raw = serverFlag ?? (env.PERISCOPE_SERVER || undefined) ?? DEFAULT_SERVER
  const from = serverFlag === undefined && env.PERISCOPE_SERVER ? 'PERISCOPE_SERVER' : '--server'
  // Any non-empty NO_COLOR (no-color.org), like TERM=dumb, asks for plain text: no colour
  // and no line rewritten in place either (it takes escape codes too), only whole lines.
  const plain = !!env.NO_COLOR || env.TERM === 'dumb'
  return Object.freeze({
    server: serverUrl(raw, from),
    token: env.PERISCOPE_TOKEN || undefined,
    colourOut: !plain && terminal.stdoutIsTTY,
    colourErr: !plain && terminal.stderrIsTTY,
    liveErr: !plain && terminal.stderrIsTTY,
  })
}

function serverUrl(raw: string, from: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new UsageError(`invalid ${from} "${raw}": expected a URL such as ${DEFAULT_SERVER}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new UsageError(`invalid ${from} "${raw}": expected an http:// or https:// URL`)
  if (url.search || url.hash) throw new UsageError(`invalid ${from} "${raw}": expected a URL without ? or #`)
  return url.href.replace(/\/+$/, '')
}
