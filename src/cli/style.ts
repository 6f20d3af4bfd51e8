/**
 * @module
 * ANSI colour for one output stream, or none: on when that stream is a terminal,
 * off with `NO_COLOR`, `TERM=dumb` or machine-readable output (`-o json|yaml`).
 */

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, bold: 1, dim: 2 } as const

/** A colour name. */
export type Colour = keyof typeof CODES

/** Paints text for one stream. */
export interface Style {
  readonly enabled: boolean
  paint(colour: Colour, text: string): string
}

/** A style that paints when `enabled`, else passes text through. */
export function makeStyle(enabled: boolean): Style {
  return {
    enabled,
    paint: (colour, text) => (enabled && text !== '' ? `\x1b[${CODES[colour]}m${text}\x1b[0m` : text),
  }
}

/** The colour of an experiment status: green done, red failed, yellow on its way. */
export function statusColour(status: string): Colour | undefined {
  switch (status) {
    case 'Succeeded':
      return 'green'
    case 'Failed':
      return 'red'
    case 'Running':
    case 'Created':
      return 'yellow'
    default:
      return undefined
  }
}

const POD_COLOURS: readonly Colour[] = ['cyan', 'magenta', 'blue', 'green', 'yellow']

/** A colour per pod, in the order pods are first seen (as docker compose colours services). */
export function podColours(): (pod: string) => Colour {
  const seen = new Map<string, Colour>()
  return (pod) => {
    let c = seen.get(pod)
    if (!c) seen.set(pod, (c = POD_COLOURS[seen.size % POD_COLOURS.length]!))
    return c
  }
}
