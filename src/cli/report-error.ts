/**
 * @module
 * A failure as one line on stderr, and the exit code that goes with it.
 */
import { errorText } from '../errors.ts'
import { CliError, UsageError } from './cli-errors.ts'
import type { Io } from './io.ts'
import type { Style } from './style.ts'

/** Exit code of bad usage. */
export const EXIT_USAGE = 2

/** Writes `periscope: <what failed>` (and a usage hint for bad usage); returns the exit code. */
export async function reportError(io: Io, style: Style, err: unknown): Promise<number> {
  const label = style.paint('red', 'periscope:')
  if (err instanceof UsageError) {
    const help = err.command ? `periscope ${err.command} --help` : 'periscope --help'
    await io.err(`${label} ${err.message}\nSee "${help}".\n`)
    return EXIT_USAGE
  }
  if (err instanceof CliError) {
    await io.err(`${label} ${oneLine(err.message)}\n`)
    return 1
  }
  // A bug, not the user's doing: say so, with the whole story.
  await io.err(`${label} unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : errorText(err)}\n`)
  return 1
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ')
}
