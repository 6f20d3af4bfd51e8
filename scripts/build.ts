/**
 * Builds the single executable `dist/periscope` with `bun build --compile`.
 * Migrations and everything else are embedded; the file runs from any directory.
 *
 * Start-up flags (see bench/startup.ts for the figures):
 * - `--splitting`: each `import()` target (the server, each runtime) is its own
 *   embedded chunk, so `--version` parses none of it and `serve --runtime process`
 *   never parses dockerode or @kubernetes/client-node (~3 MB of the bundle).
 * - `--bytecode --format=esm`: the chunks are embedded precompiled, so loading
 *   them skips parsing (ESM bytecode requires `--compile`).
 * - `--minify --keep-names`: a smaller bundle, but error and class names stay.
 * - `--sourcemap=linked`: the map is embedded too, so stack traces name the
 *   sources; it costs binary size, not start-up (it is read only for a trace).
 *   Bun also writes one `.map` file per chunk beside the binary; the build runs
 *   in a scratch directory so only the binary lands at `outfile`.
 *
 * The web page's browser files are bundled first (`src/web/build-client.ts`) and embedded
 * as extra entry points named `<file>.asset` (`--asset-naming`: no hash in the name), which
 * `src/web/assets.ts` finds in `Bun.embeddedFiles`; a `.js` entry point would be bundled
 * into the server instead of embedded.
 */

import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { $ } from 'bun'
import { EMBEDDED_SUFFIX } from '../src/web/assets.ts'
import { buildClient } from '../src/web/build-client.ts'

const outfile = resolve(process.argv[2] ?? 'dist/periscope')
mkdirSync(dirname(outfile), { recursive: true })
const scratch = mkdtempSync(join(dirname(outfile), '.periscope-build-'))
try {
  const built = join(scratch, 'periscope')
  const entry = join(import.meta.dir, '../src/main.ts')
  const webFiles: string[] = []
  for (const file of await buildClient()) {
    const path = join(scratch, `${file.name}${EMBEDDED_SUFFIX}`)
    writeFileSync(path, file.bytes)
    webFiles.push(path)
  }
  // cpu-features (ssh2's optional CPU probe, for dockerode's unused ssh transport) stays out:
  // package.json's allowScripts denies its native build, so there is no .node file to embed;
  // ssh2 requires it inside a try and does without.
  const flags = [
    '--compile',
    '--splitting',
    '--bytecode',
    '--format=esm',
    '--minify',
    '--keep-names',
    '--sourcemap=linked',
    '--asset-naming=[name].[ext]',
  ]
  await $`${process.execPath} build ${flags} --external cpu-features ${entry} ${webFiles} --outfile ${built}`
  renameSync(built, outfile)
} finally {
  rmSync(scratch, { recursive: true, force: true })
}
console.log(`built ${outfile}`)
