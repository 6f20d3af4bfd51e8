import { expect, test } from 'bun:test'
import { humanDuration, parseDuration, shortDuration } from './durations.ts'

const s = 1000
const m = 60 * s
const h = 60 * m
const d = 24 * h

test('parseDuration reads Go-style durations and refuses the rest', () => {
  expect(parseDuration('90s')).toBe(90 * s)
  expect(parseDuration('10m')).toBe(10 * m)
  expect(parseDuration('1h30m')).toBe(90 * m)
  expect(parseDuration('1.5h')).toBe(90 * m)
  expect(parseDuration('2d')).toBe(2 * d)
  expect(parseDuration('250ms')).toBe(250)
  expect(parseDuration('0')).toBe(0)
  for (const bad of ['', '10', 'm', '5 m', '-5m', '1h 30m', '5mm', '1e3s', 'soon'])
    expect(parseDuration(bad)).toBeUndefined()
})

test('humanDuration is kubectl HumanDuration', () => {
  const cases: [number, string][] = [
    [-5 * s, '<invalid>'],
    [-500, '0s'],
    [0, '0s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [3 * m + 12 * s, '3m12s'],
    [5 * m, '5m'],
    [45 * m + 30 * s, '45m'],
    [5 * h + 10 * m, '5h10m'],
    [7 * h, '7h'],
    [20 * h, '20h'],
    [3 * d + 4 * h, '3d4h'],
    [30 * d, '30d'],
    [(2 * 365 + 10) * d, '2y10d'],
    [9 * 365 * d, '9y'],
  ]
  for (const [ms, text] of cases) expect([ms, humanDuration(ms)]).toEqual([ms, text])
})

test('shortDuration (ages) keeps one unit', () => {
  const cases: [number, string][] = [
    [42 * s, '42s'],
    [5 * m + 59 * s, '5m'],
    [2 * h + 59 * m, '2h'],
    [3 * d + 23 * h, '3d'],
    [800 * d, '2y'],
  ]
  for (const [ms, text] of cases) expect([ms, shortDuration(ms)]).toEqual([ms, text])
})
