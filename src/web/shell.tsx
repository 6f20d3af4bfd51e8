/** @jsxImportSource hono/jsx */
/**
 * @module
 * The one HTML document every page address answers: it names the bundled script and
 * style (by content hash, so a new binary's files are never taken from a stale cache)
 * and nothing inline, so it runs under `default-src 'self'`.
 */
import type { FC } from 'hono/jsx'

/** What the document links to and tells the script. */
export interface ShellProps {
  version: string
  /** Sequence of the newest stored status event: the list follows the event stream from here. */
  lastEventSeq: number
  scriptHref: string
  styleHref: string
  iconHref: string
}

/** The page's HTML (the browser code draws the rest into `#app`). */
export const Shell: FC<ShellProps> = (props) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="color-scheme" content="light dark" />
      <meta name="periscope-version" content={props.version} />
      <meta name="periscope-last-event" content={String(props.lastEventSeq)} />
      <title>periscope</title>
      <link rel="icon" type="image/svg+xml" href={props.iconHref} />
      <link rel="stylesheet" href={props.styleHref} />
      <script type="module" src={props.scriptHref} />
    </head>
    <body>
      <div id="app">
        <noscript>periscope's page needs JavaScript; the API is at /api/v1/experiment.</noscript>
      </div>
    </body>
  </html>
)
