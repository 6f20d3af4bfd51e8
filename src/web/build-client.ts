/**
 * @module
 * Bundles the browser code (`client/main.tsx`, `client/styles.css`, and `client/icon.svg` as it is) with Bun's bundler.
 * `scripts/build.ts` runs it before `bun build --compile` and embeds the output; a server
 * run from source (`bun src/main.ts serve`, the tests) runs it once, on the first page request.
 */
import { join } from 'node:path'

/** One bundled file, by the name the page asks for (`app.js`, `app.css`, `icon.svg`). */
export interface BuiltFile {
  name: string
  bytes: Uint8Array<ArrayBuffer>
}

/** The browser files, minified. Throws with the bundler's messages when the build fails. */
export async function buildClient(): Promise<BuiltFile[]> {
  const result = await Bun.build({
    entrypoints: [join(import.meta.dir, 'client/main.tsx'), join(import.meta.dir, 'client/styles.css')],
    target: 'browser',
    format: 'esm',
    minify: true,
    naming: '[name].[ext]',
    define: { 'process.env.NODE_ENV': '"production"' },
  })
  if (!result.success) throw new Error(`the web page's bundle failed: ${result.logs.map(String).join('\n')}`)
  const files: BuiltFile[] = []
  for (const out of result.outputs) {
    const name = out.path.endsWith('.css') ? 'app.css' : out.path.endsWith('.js') ? 'app.js' : null
    if (name) files.push({ name, bytes: new Uint8Array<ArrayBuffer>(await out.arrayBuffer()) })
  }
  // The icon is served as it is (a tab asking for /favicon.ico would log a 404 otherwise).
  files.push({
    name: 'icon.svg',
    bytes: new Uint8Array(await Bun.file(join(import.meta.dir, 'client/icon.svg')).arrayBuffer()),
  })
  return files
}
