/**
 * @module
 * The page document as text (pure): the shell rendered with the files' hashed addresses.
 */

import type { WebAsset } from './assets.ts'
import { Shell } from './shell.tsx'

const href = (file: WebAsset | undefined, name: string) => `/ui/${name}?v=${file?.etag.slice(1, -1) ?? ''}`

/** `<!doctype html>` and the shell for these files. */
export function pageHtml(files: ReadonlyMap<string, WebAsset>, version: string, lastEventSeq: number): string {
  const shell = Shell({
    version,
    lastEventSeq,
    scriptHref: href(files.get('app.js'), 'app.js'),
    styleHref: href(files.get('app.css'), 'app.css'),
    iconHref: href(files.get('icon.svg'), 'icon.svg'),
  })
  return `<!doctype html>${String(shell)}`
}
