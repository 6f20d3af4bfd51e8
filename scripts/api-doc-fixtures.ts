/**
 * Regenerates the committed test data from the material it was taken from, a folder holding
 * Submarine's experiment API documents (`experiment-api.md`, `experiment-api-earlier.md`) and
 * `kubeflow-crds/`: the documents' examples become `test/fixtures/api-doc/*.json`, and the CRDs
 * are copied to `test/fixtures/kubeflow-crds/` unchanged. The tests read only the fixtures.
 *
 *   bun scripts/api-doc-fixtures.ts --from DIR            write the fixtures
 *   bun scripts/api-doc-fixtures.ts --from DIR --check    exit 1 if a fixture differs from its source
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { renderFixture } from '../test/api/doc-compare.ts'
import { API_DOCS, apiDocFixture, KUBEFLOW_CRDS, REPO_ROOT } from '../test/fixtures/paths.ts'
import { JOB_KINDS } from '../test/kube-fake/kinds.ts'

if (import.meta.main) {
  const args = process.argv.slice(2)
  const check = args.includes('--check')
  const from = args.includes('--from') ? args[args.indexOf('--from') + 1] : undefined
  if (!from || !existsSync(from)) {
    console.error(from ? `${from} not found` : 'usage: bun scripts/api-doc-fixtures.ts --from DIR [--check]')
    process.exit(2)
  }
  const sources = [
    ...API_DOCS.map((doc) => ({ file: apiDocFixture(doc), text: () => renderFixture(doc, read(join(from, doc))) })),
    ...Object.values(JOB_KINDS).map(({ crdFile }) => ({
      file: join(KUBEFLOW_CRDS, crdFile),
      text: () => read(join(from, 'kubeflow-crds', crdFile)),
    })),
  ]
  let stale = 0
  for (const { file, text } of sources) {
    const wanted = text()
    const shown = relative(REPO_ROOT, file)
    if (existsSync(file) && read(file) === wanted) console.log(`${shown}: up to date`)
    else if (check) {
      console.error(`${shown}: differs from its source in ${from}`)
      stale++
    } else {
      writeFileSync(file, wanted)
      console.log(`${shown}: written`)
    }
  }
  process.exit(stale ? 1 : 0)
}

function read(path: string): string {
  return readFileSync(path, 'utf8')
}
