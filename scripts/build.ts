/**
 * Builds the single executable `dist/periscope` with `bun build --compile`.
 * Migrations and everything else are embedded; the file runs from any directory.
 */
import { $ } from 'bun'

const outfile = process.argv[2] ?? 'dist/periscope'
// This very bun, whether or not a `bun` is on PATH.
await $`${process.execPath} build --compile --minify-syntax --sourcemap=none src/main.ts --outfile ${outfile}`
console.log(`built ${outfile}`)
