/**
 * @module
 * The page's browser files (`app.js`, `app.css`, `icon.svg`), each with its gzip form and an ETag.
 * The compiled binary carries them as embedded files named `<name>.asset` (see
 * `scripts/build.ts`); from source they are bundled on first use (`build-client.ts`).
 */

/** One file as served. */
export interface WebAsset {
  name: string
  type: string
  body: Uint8Array<ArrayBuffer>
  gzip: Uint8Array<ArrayBuffer>
  /** A strong ETag, also the `?v=` that makes the page's links change with the content. */
  etag: string
}

/** The suffix `scripts/build.ts` gives embedded page files. */
export const EMBEDDED_SUFFIX = '.asset'

const TYPES = new Map([
  ['app.js', 'text/javascript; charset=utf-8'],
  ['app.css', 'text/css; charset=utf-8'],
  ['icon.svg', 'image/svg+xml'],
])

function asset(name: string, body: Uint8Array<ArrayBuffer>): WebAsset {
  const etag = `"${new Bun.CryptoHasher('sha256').update(body).digest('hex').slice(0, 16)}"`
  return {
    name,
    type: TYPES.get(name) ?? 'application/octet-stream',
    body,
    gzip: Bun.gzipSync(body, { level: 9 }),
    etag,
  }
}

/** The files embedded in a compiled binary, or none when running from source. */
async function embedded(): Promise<Map<string, WebAsset>> {
  const out = new Map<string, WebAsset>()
  for (const file of Bun.embeddedFiles as Array<Blob & { name: string }>) {
    if (!file.name.endsWith(EMBEDDED_SUFFIX)) continue
    const name = file.name.slice(0, -EMBEDDED_SUFFIX.length)
    if (TYPES.has(name)) out.set(name, asset(name, new Uint8Array<ArrayBuffer>(await file.arrayBuffer())))
  }
  return out
}

let loaded: Promise<Map<string, WebAsset>> | undefined

/** The page's files by name, loaded once (embedded, else bundled from source). */
export function webAssets(): Promise<Map<string, WebAsset>> {
  loaded ??= (async () => {
    const found = await embedded()
    if (found.size === TYPES.size) return found
    const { buildClient } = await import('./build-client.ts')
    return new Map((await buildClient()).map((f) => [f.name, asset(f.name, f.bytes)]))
  })()
  // A failed bundle is tried again on the next request rather than cached.
  loaded.catch(() => (loaded = undefined))
  return loaded
}
