/**
 * Start-up loads only what the command needs: `--version`, `--help` and the client
 * commands (`list`, `submit`, …) not the server, `serve` with the process runtime (chosen or found by `auto`) neither
 * dockerode nor @kubernetes/client-node. Each case runs the real entry,
 * `src/main.ts`, in a child with test/helpers/loaded-modules.ts preloaded, which
 * lists every module loaded by the time the server listens (or the command exits).
 */
import { expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from './helpers/temp-dir.ts'

const root = join(import.meta.dir, '..')

/** The modules `periscope <args>` loaded, as paths relative to the repository; and its stderr. */
async function loadedBy(args: string[]): Promise<{ modules: string[]; stderr: string }> {
  const dir = tempDir('periscope-startup-')
  const list = join(dir, 'loaded.json')
  const child = Bun.spawn(
    [process.execPath, '--preload', join(root, 'test/helpers/loaded-modules.ts'), join(root, 'src/main.ts'), ...args],
    {
      cwd: dir,
      // No kubeconfig, cluster or Docker engine from the environment: `auto` must fall back to processes.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, PERISCOPE_LOADED_MODULES: list },
      stdout: 'ignore',
      stderr: 'pipe',
    },
  )
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const stderr = await new Response(child.stderr).text()
  await child.exited
  clearTimeout(timer)
  if (!existsSync(list)) throw new Error(`no module list (exit ${child.exitCode}): ${stderr}`)
  const modules = (JSON.parse(readFileSync(list, 'utf8')) as string[]).map((p) =>
    p.startsWith(root) ? p.slice(root.length + 1) : p,
  )
  return { modules, stderr }
}

const serve = (dir: string, ...args: string[]) => ['serve', '--port', '0', '--data-dir', join(dir, 'data'), ...args]
const heavy = (modules: string[]) =>
  modules.filter((m) => /node_modules\/(dockerode|@kubernetes\/client-node)\//.test(m))
const server = (modules: string[]) => modules.filter((m) => m === 'src/server.ts' || m.includes('node_modules/hono/'))

test('--version and --help load neither the server nor a runtime client', async () => {
  for (const args of [['--version'], ['--help'], ['serve', '--help']]) {
    const { modules } = await loadedBy(args)
    expect(modules).toContain('package.json') // main.ts's one static import (the entry itself is not listed)
    expect({ args, loaded: [...server(modules), ...heavy(modules)] }).toEqual({ args, loaded: [] })
  }
}, 60_000)

/** Modules a client command must not need: the server's side of the tree, Hono, the runtimes. */
const serverSide = (modules: string[]) =>
  modules.filter(
    (m) =>
      /^src\/((server|app|select-runtime|config)\.ts|(api|http|storage|environments)\/)/.test(m) ||
      /^(runtimes\/|.*node_modules\/hono\/)/.test(m),
  )

test('client commands load src/cli/ and neither the server, Hono nor a runtime client', async () => {
  const unreachable = 'http://127.0.0.1:1'
  for (const args of [
    ['list', '--server', unreachable],
    ['get', 'x', '-o', 'json', '--server', unreachable],
    ['logs', 'x', '-f', '--server', unreachable],
    ['wait', 'x', '--server', unreachable],
    ['submit', '--help'],
    ['env', 'list', '--server', unreachable],
  ]) {
    const { modules, stderr } = await loadedBy(args)
    if (args.includes(unreachable)) expect(stderr).toContain(`cannot reach ${unreachable}`)
    expect(modules).toContain('src/cli/run.ts') // not vacuous: the client did load
    expect({ args, loaded: [...serverSide(modules), ...heavy(modules)] }).toEqual({ args, loaded: [] })
  }
}, 60_000)

test('serve --runtime process loads neither dockerode nor @kubernetes/client-node', async () => {
  const { modules, stderr } = await loadedBy(serve(tempDir(), '--runtime', 'process'))
  expect(stderr).toContain('(runtime process,')
  expect(modules).toContain('runtimes/process/process-runtime.ts')
  expect(server(modules).length).toBeGreaterThan(1)
  expect(heavy(modules)).toEqual([])
}, 60_000)

test('serve --runtime auto probes for Docker and a cluster without loading either client', async () => {
  const { modules, stderr } = await loadedBy(serve(tempDir(), '--docker-host', 'unix:///nonexistent/docker.sock'))
  expect(stderr).toContain('--runtime auto: using the process runtime (no Docker engine answered)')
  expect(heavy(modules)).toEqual([])
}, 60_000)

// The checks above would pass vacuously if the list missed these packages: it does not.
test('the chosen docker or kubernetes runtime does load its client', async () => {
  const docker = await loadedBy(
    serve(tempDir(), '--runtime', 'docker', '--docker-host', 'unix:///nonexistent/docker.sock'),
  )
  expect(docker.stderr).toContain('(runtime docker,')
  expect(heavy(docker.modules).some((m) => m.includes('node_modules/dockerode/'))).toBe(true)
  expect(heavy(docker.modules).some((m) => m.includes('@kubernetes/client-node'))).toBe(false)
  const kube = await loadedBy(serve(tempDir(), '--runtime', 'kubernetes', '--kubeconfig', '/nonexistent/kubeconfig'))
  expect(kube.stderr).toContain('cannot use the kubernetes runtime')
  expect(heavy(kube.modules).some((m) => m.includes('@kubernetes/client-node'))).toBe(true)
}, 60_000)
