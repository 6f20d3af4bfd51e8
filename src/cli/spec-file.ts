/**
 * @module
 * `-f FILE` (or `-` for stdin) read and parsed as JSON or YAML before it is sent,
 * so a typo is reported with the file's name instead of as the server's 400.
 */
import { readFile } from 'node:fs/promises'
import { errorText } from '../errors.ts'
import { CliError } from './cli-errors.ts'
import type { Io } from './io.ts'

/** Largest file sent (the server's body limit). */
const MAX_BYTES = 1024 * 1024

/** The name to use for `file` in messages. */
export function fileLabel(file: string): string {
  return file === '-' ? 'stdin' : file
}

/** Reads `file` (`-` is stdin) and parses it: a `.json` file or text starting with `{`/`[` as JSON, else as YAML. */
export async function readSpecFile(file: string, io: Io): Promise<unknown> {
  const label = fileLabel(file)
  let text: string
  try {
    text = file === '-' ? await io.readStdin() : await readFile(file, 'utf8')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'it is a directory' : errorText(err)
    throw new CliError(`cannot read ${label}: ${why}`)
  }
  if (Buffer.byteLength(text) > MAX_BYTES) throw new CliError(`${label} is larger than 1 MiB, the server's limit`)
  if (text.trim() === '') throw new CliError(`${label} is empty`)
  const json = /\.json$/i.test(file) || /^\s*[{[]/.test(text)
  try {
    // Bun.YAML.parse reads JSON too, but JSON.parse names the position of a JSON mistake.
    const value = json ? JSON.parse(text) : Bun.YAML.parse(text)
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new Error('expected an object (a mapping of fields)')
    return value
  } catch (err) {
    throw new CliError(`${label} is not valid ${json ? 'JSON' : 'YAML'}: ${errorText(err).split('\n')[0]}`)
  }
}
