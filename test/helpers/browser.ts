/**
 * @module
 * Debian's chromium driven by playwright-core, for the web page's tests. Tests skip
 * (saying why) only when no chromium is installed and `PERISCOPE_REQUIRE_BROWSER` is
 * unset; with it set (`.ci/run` sets it) a missing browser fails them.
 */
import { existsSync } from 'node:fs'
import { type Browser, chromium, type Page } from 'playwright-core'

/** Where the browser is: `$PERISCOPE_CHROMIUM`, else Debian's `/usr/bin/chromium`; null when absent. */
export function chromiumPath(): string | null {
  const path = process.env.PERISCOPE_CHROMIUM || '/usr/bin/chromium'
  return existsSync(path) ? path : null
}

/** Why the browser tests cannot run here, or null when they can; throws when they must. */
export function browserSkipReason(): string | null {
  if (chromiumPath()) return null
  const why = 'no chromium at /usr/bin/chromium (apt-get install chromium, or set PERISCOPE_CHROMIUM)'
  if (process.env.PERISCOPE_REQUIRE_BROWSER) throw new Error(`PERISCOPE_REQUIRE_BROWSER is set but there is ${why}`)
  console.warn(`skipping the browser tests: ${why}`)
  return why
}

/** A headless chromium with no network but loopback (playwright gives each launch a fresh, empty profile). */
export function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath()
  if (!executablePath) throw new Error('no chromium installed')
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Every console error and uncaught exception a page reports. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()}`)
  })
  page.on('pageerror', (err) => errors.push(`exception: ${err.message}`))
  return errors
}
