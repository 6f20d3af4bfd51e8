/**
 * Regenerates `test/fixtures/api-doc/*.json`, the example requests and responses of
 * Submarine's experiment API documents, from `../shared/reference/*.md` beside the
 * repository. The tests read only the fixtures, so a fresh clone needs no `../shared`.
 *
 *   bun scripts/api-doc-fixtures.ts               write the fixtures
 *   bun scripts/api-doc-fixtures.ts --check       exit 1 if a fixture differs from its document
 *   bun scripts/api-doc-fixtures.ts --from DIR    read the documents from DIR instead
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { renderFixture } from '../test/api/doc-compare.ts'
import { API_DOCS, apiDocFixture, REPO_ROOT, SHARED_REFERENCE } from '../test/fixtures/paths.ts'

if (import.meta.main) {
  const args = process.argv.slice(2)
  const check = args.includes('--check')
  const from = args.includes('--from') ? args[args.indexOf('--from') + 1] : SHARED_REFERENCE
  if (!from || !existsSync(from)) {
    console.error(`${from ?? '--from needs a directory'} not found: nothing to regenerate the fixtures from`)
    process.exit(2)
  }
  let stale = 0
  for (const doc of API_DOCS) {
    const text = renderFixture(doc, readFileSync(join(from, doc), 'utf8'))
    const file = apiDocFixture(doc)
    const shown = relative(REPO_ROOT, file)
    let current = ''
    try {
      current = readFileSync(file, 'utf8')
    } catch {}
    if (current === text) console.log(`${shown}: up to date`)
    else if (check) {
      console.error(`${shown}: differs from ${doc}`)
      stale++
    } else {
      writeFileSync(file, text)
      console.log(`${shown}: written`)
    }
  }
  process.exit(stale ? 1 : 0)
}
