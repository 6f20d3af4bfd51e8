/**
 * @module
 * A real git server on 127.0.0.1 for code sync tests: one bare repository (`repo.git`)
 * with a `main` branch and a `feature` branch, served anonymously by `git daemon`
 * (`git://`) and with HTTP Basic auth by `git http-backend` behind a small Bun.serve CGI
 * bridge (`http://`). Nothing leaves the machine.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createConnection } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { waitFor } from './wait-for.ts'

const HTTP_BACKEND = '/usr/lib/git-core/git-http-backend'

/** A running server; `stop` ends both daemons and removes the repository. */
export interface GitServer {
  /** `git://127.0.0.1:<port>/repo.git`, anonymous. */
  gitUrl: string
  /** `http://127.0.0.1:<port>/repo.git`, Basic auth with {@link GitServer.username}/{@link GitServer.password}. */
  httpUrl: string
  username: string
  password: string
  /** What `hello.txt` holds on each branch. */
  content: { main: string; feature: string }
  /** Authorization headers the HTTP side saw, in order (to prove the password reached it). */
  authorizations: string[]
  stop(): Promise<void>
}

function git(cwd: string, ...args: string[]): void {
  const r = Bun.spawnSync(['git', ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.com',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.com',
    },
    stderr: 'pipe',
  })
  if (r.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr.toString()}`)
}

async function freePort(): Promise<number> {
  const s = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = s.port
  s.stop(true)
  return port
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ host: '127.0.0.1', port }, () => {
      c.destroy()
      resolve(true)
    })
    c.on('error', () => resolve(false))
  })
}

/** Creates the repository and starts both servers. */
export async function startGitServer(): Promise<GitServer> {
  const root = mkdtempSync(join(tmpdir(), 'periscope-git-'))
  const work = join(root, 'work')
  mkdirSync(work)
  const content = { main: 'hello from main', feature: 'hello from feature' }
  git(work, 'init', '--quiet', '--initial-branch=main')
  writeFileSync(join(work, 'hello.txt'), `${content.main}\n`)
  writeFileSync(join(work, 'run.sh'), '#!/bin/sh\necho "run.sh in $(pwd)"\n')
  chmodSync(join(work, 'run.sh'), 0o755)
  git(work, 'add', '.')
  git(work, 'commit', '--quiet', '-m', 'main')
  git(work, 'checkout', '--quiet', '-b', 'feature')
  writeFileSync(join(work, 'hello.txt'), `${content.feature}\n`)
  git(work, 'commit', '--quiet', '-am', 'feature')
  git(work, 'checkout', '--quiet', 'main')
  git(root, 'clone', '--quiet', '--bare', work, 'repo.git')

  const gitPort = await freePort()
  // git-daemon itself, not `git daemon`: that runs it as a child, which a kill of `git` leaves running.
  const execPath = Bun.spawnSync(['git', '--exec-path']).stdout.toString().trim()
  const daemon = Bun.spawn(
    [
      join(execPath, 'git-daemon'),
      '--export-all',
      '--reuseaddr',
      '--informative-errors',
      `--base-path=${root}`,
      '--listen=127.0.0.1',
      `--port=${gitPort}`,
      root,
    ],
    { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' },
  )
  await waitFor('git daemon to listen', () => accepts(gitPort), 10_000, 50)

  const username = 'periscope'
  const password = 's3cr3t-pa55'
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
  const authorizations: string[] = []
  const http = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const auth = req.headers.get('authorization')
      if (auth) authorizations.push(auth)
      if (auth !== expected)
        return new Response('authentication required\n', {
          status: 401,
          headers: { 'WWW-Authenticate': 'Basic realm="periscope-test"' },
        })
      return cgi(req, root, username)
    },
  })
  return {
    gitUrl: `git://127.0.0.1:${gitPort}/repo.git`,
    httpUrl: `http://127.0.0.1:${http.port}/repo.git`,
    username,
    password,
    content,
    authorizations,
    async stop() {
      daemon.kill('SIGKILL')
      await daemon.exited
      http.stop(true)
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/** Runs `git http-backend` as a CGI script for one request. */
async function cgi(req: Request, root: string, user: string): Promise<Response> {
  const url = new URL(req.url)
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : new Uint8Array(await req.arrayBuffer())
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method,
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers.get('content-type') ?? '',
    REMOTE_USER: user,
    REMOTE_ADDR: '127.0.0.1',
  }
  if (body) env.CONTENT_LENGTH = String(body.byteLength)
  const encoding = req.headers.get('content-encoding')
  if (encoding) env.HTTP_CONTENT_ENCODING = encoding
  const protocol = req.headers.get('git-protocol')
  if (protocol) env.GIT_PROTOCOL = protocol
  const proc = Bun.spawn([HTTP_BACKEND], { env, stdin: body ?? 'ignore', stdout: 'pipe', stderr: 'ignore' })
  const out = new Uint8Array(await new Response(proc.stdout).arrayBuffer())
  await proc.exited
  // CGI: headers, a blank line, the body.
  let split = -1
  let gap = 0
  for (let i = 0; i < out.length - 1; i++) {
    if (out[i] === 10 && out[i + 1] === 10) {
      split = i
      gap = 2
      break
    }
    if (out[i] === 13 && out[i + 1] === 10 && out[i + 2] === 13 && out[i + 3] === 10) {
      split = i
      gap = 4
      break
    }
  }
  if (split < 0) return new Response('bad CGI answer', { status: 502 })
  const headers = new Headers()
  let status = 200
  for (const line of new TextDecoder().decode(out.subarray(0, split)).split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const name = line.slice(0, colon).trim()
    const value = line.slice(colon + 1).trim()
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10)
    else headers.append(name, value)
  }
  return new Response(out.subarray(split + gap), { status, headers })
}
