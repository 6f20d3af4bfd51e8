/**
 * Builds the single executable `dist/periscope` with `bun build --compile`.
 * Migrations and everything else are embedded; the file runs from any directory.
 */
import { $ } from 'bun'

const outfile = process.argv[2] ?? 'dist/periscope'
// This very bun, whether or not a `bun` is on PATH. cpu-features (ssh2's optional CPU probe, for
// dockerode's unused ssh transport) stays out: package.json's allowScripts denies its native
// build, so there is no .node file to embed; ssh2 requires it inside a try and does without.
await $`${process.execPath} build --compile --minify-syntax --sourcemap=none --external cpu-features src/main.ts --outfile ${outfile}`
console.log(`built ${outfile}`)
