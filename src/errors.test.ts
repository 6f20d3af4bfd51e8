import { expect, test } from 'bun:test'
import { errorText } from './errors.ts'

test('errorText gives the message of an error, a string as it is, and JSON for other values', () => {
  expect(errorText(new TypeError('bad thing'))).toBe('bad thing')
  expect(errorText('plain words')).toBe('plain words')
  expect(errorText({ code: 7 })).toBe('{"code":7}')
  expect(errorText(undefined)).toBe('undefined')
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  expect(errorText(cyclic)).toBe('[object Object]')
})
