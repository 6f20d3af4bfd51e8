/**
 * @module
 * Preloaded (`bun --preload`) into a `periscope` run by test/startup.test.ts: at
 * exit it writes every module loaded (`require.cache` holds ES modules too) as
 * JSON to `$PERISCOPE_LOADED_MODULES`. It ends a `serve` run as soon as the
 * server logs that it listens, so the list is what serving needed to start.
 */
import { writeFileSync } from 'node:fs'

const out = process.env.PERISCOPE_LOADED_MODULES
if (!out) throw new Error('PERISCOPE_LOADED_MODULES is not set')

process.on('exit', () => writeFileSync(out, JSON.stringify(Object.keys(require.cache))))

const error = console.error.bind(console)
console.error = (...args: unknown[]) => {
  error(...args)
  if (args.some((a) => typeof a === 'string' && a.includes(' listening on http'))) process.exit(0)
}
