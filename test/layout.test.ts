/**
 * The dependency arrow stays visible: runtimes use only the runtime contract and the
 * error types from the core, and each heavy client enters through one file.
 */
import { expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Glob } from 'bun'

const root = join(import.meta.dir, '..')
const sources = (pattern: string) => [...new Glob(pattern).scanSync(root)].filter((f) => !f.endsWith('.test.ts'))
const imports = (file: string) =>
  [...readFileSync(join(root, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!)

test('runtimes import nothing from the core but src/runtime/ and src/errors.ts', () => {
  const offending = sources('runtimes/**/*.ts').flatMap((file) =>
    imports(file)
      .filter((spec) => spec.includes('/src/') && !/\/src\/(runtime\/|errors\.ts$)/.test(spec))
      .map((spec) => `${file} → ${spec}`),
  )
  expect(offending).toEqual([])
})

test('dockerode and @kubernetes/client-node each enter through one file', () => {
  const importers = (pkg: string) => sources('{src,runtimes}/**/*.ts').filter((f) => imports(f).includes(pkg))
  expect(importers('dockerode')).toEqual(['runtimes/docker/backend-client.ts'])
  expect(importers('@kubernetes/client-node')).toEqual(['runtimes/kubernetes/backend-client.ts'])
})

test('src/runtime/ is the contract alone: it imports nothing outside itself', () => {
  const offending = sources('src/runtime/*.ts').flatMap((file) =>
    imports(file)
      .filter((spec) => !spec.startsWith('./'))
      .map((spec) => `${file} → ${spec}`),
  )
  expect(offending).toEqual([])
})

test('a runtime uses another runtime folder only through runtimes/{common,emulated,testing}', () => {
  const offending = sources('runtimes/{process,docker,kubernetes}/**/*.ts').flatMap((file) =>
    imports(file)
      .filter(
        (spec) =>
          /^\.\.\/(process|docker|kubernetes)\//.test(spec) || /^\.\.\/\.\.\/(process|docker|kubernetes)\//.test(spec),
      )
      .map((spec) => `${file} → ${spec}`),
  )
  expect(offending).toEqual([])
})

test('shared runtime pieces and the emulated operator depend on no runtime', () => {
  const offending = sources('runtimes/{common,emulated}/**/*.ts').flatMap((file) =>
    imports(file)
      .filter((spec) => /(process|docker|kubernetes)\//.test(spec))
      .map((spec) => `${file} → ${spec}`),
  )
  expect(offending).toEqual([])
})

test('test helpers live in testing/ folders, and modules outside tests import none of them', () => {
  const runtimeSources = sources('{src,runtimes}/**/*.ts').filter(
    (f) => !f.includes('/testing/') && f !== 'runtimes/contract.ts' && f !== 'runtimes/code-sync-contract.ts',
  )
  expect(runtimeSources.filter((f) => /(^|\/)test-[^/]*\.ts$/.test(f))).toEqual([])
  const offending = runtimeSources.flatMap((file) =>
    imports(file)
      .filter((spec) => spec.includes('/testing/') || spec.includes('/test/') || spec === 'bun:test')
      .map((spec) => `${file} → ${spec}`),
  )
  expect(offending).toEqual([])
})

test('the contract suite helpers do not import bun:test', () => {
  const offending = sources('runtimes/testing/*.ts').filter((f) => imports(f).includes('bun:test'))
  expect(offending).toEqual([])
})

/** The same file name for the same role in every runtime folder (runtimes/README.md has the table). */
const ROLES = [
  'index.ts',
  '<name>-runtime.ts',
  'options.ts',
  'tracked-job.ts',
  'backend-port.ts',
  'backend-client.ts',
  'backend-spec.ts',
  'backend-status.ts',
  'log-follower.ts',
  'testing/',
]
/** Roles a runtime does not have, with the reason. */
const ABSENT: Record<string, Record<string, string>> = {
  kubernetes: { 'tracked-job.ts': 'per-job state is the cluster’s, mirrored by cluster-view.ts' },
  process: {
    'backend-port.ts': 'processes are spawned directly; there is no client to narrow',
    'backend-status.ts': 'exit codes go straight to the emulated operator',
    'testing/': 'its tests need nothing beyond runtimes/testing/',
  },
}

test('the three runtime folders have the same file for the same role', () => {
  const missing: string[] = []
  for (const name of ['process', 'docker', 'kubernetes']) {
    for (const role of ROLES) {
      if (ABSENT[name]?.[role]) continue
      const path = `runtimes/${name}/${role.replace('<name>', name)}`
      if (!existsSync(join(root, path))) missing.push(path)
    }
  }
  expect(missing).toEqual([])
})
