/**
 * The dependency arrow stays visible: runtimes use only the runtime contract and the
 * error types from the core, and each heavy client enters through one file.
 */
import { expect, test } from 'bun:test'
import { Glob } from 'bun'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const root = join(import.meta.dir, '..')
const sources = (pattern: string) => [...new Glob(pattern).scanSync(root)].filter((f) => !f.endsWith('.test.ts'))
const imports = (file: string) => [...readFileSync(join(root, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!)

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
  expect(importers('dockerode')).toEqual(['runtimes/docker/docker-client.ts'])
  expect(importers('@kubernetes/client-node')).toEqual(['runtimes/kubernetes/kube-client.ts'])
})

test('src/runtime/ is the contract alone: it imports nothing outside itself', () => {
  const offending = sources('src/runtime/*.ts').flatMap((file) =>
    imports(file)
      .filter((spec) => !spec.startsWith('./'))
      .map((spec) => `${file} → ${spec}`),
  )
  expect(offending).toEqual([])
})

test('a runtime uses another runtime folder only through runtimes/shared, runtimes/emulated and runtimes/testing', () => {
  const offending = sources('runtimes/{process,docker,kubernetes}/**/*.ts').flatMap((file) =>
    imports(file)
      .filter((spec) => /^\.\.\/(process|docker|kubernetes)\//.test(spec) || /^\.\.\/\.\.\/(process|docker|kubernetes)\//.test(spec))
      .map((spec) => `${file} → ${spec}`),
  )
  expect(offending).toEqual([])
})

test('shared runtime pieces and the emulated operator depend on no runtime', () => {
  const offending = sources('runtimes/{shared,emulated}/**/*.ts').flatMap((file) =>
    imports(file)
      .filter((spec) => /(process|docker|kubernetes)\//.test(spec))
      .map((spec) => `${file} → ${spec}`),
  )
  expect(offending).toEqual([])
})

test('test helpers live in testing/ folders, and modules outside tests import none of them', () => {
  const runtimeSources = sources('{src,runtimes}/**/*.ts').filter((f) => !f.includes('/testing/') && f !== 'runtimes/contract.ts')
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
