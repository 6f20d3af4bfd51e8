import { describe, expect, test } from 'bun:test'
import { INVALID_QUANTITIES, VALID_QUANTITIES } from '../../test/tables/quantities.ts'
import { doubleQuantity, isQuantity, MAX_QUANTITY, parseQuantity, requestProblem, scaledCeil } from './quantity.ts'

describe('parseQuantity', () => {
  for (const row of VALID_QUANTITIES) {
    test(`"${row.text.slice(0, 24)}" is a request of ${row.value} (nano ${row.nano}), doubled ${row.doubled}`, () => {
      const q = parseQuantity(row.text)
      if (!isQuantity(q)) throw new Error(`refused: ${q.error}`)
      expect(requestProblem(q)).toBeNull()
      expect(scaledCeil(q, 0)).toBe(row.value)
      expect(scaledCeil(q, 9)).toBe(row.nano)
      expect(doubleQuantity(q)).toBe(row.doubled)
      // The doubled text is itself a quantity of exactly twice the value (compared at 10^-40).
      const d = parseQuantity(doubleQuantity(q))
      if (!isQuantity(d)) throw new Error('doubled text refused')
      if (q.exp10 > -40) expect(scaledCeil(d, 40)).toBe(2n * scaledCeil(q, 40))
    })
  }
  for (const row of INVALID_QUANTITIES) {
    test(`"${row.text.slice(0, 24)}" is refused: ${row.why}`, () => {
      const q = parseQuantity(row.text)
      const problem = isQuantity(q) ? requestProblem(q) : q.error
      expect(problem).toContain(row.why)
    })
  }

  test('a negative quantity parses (the grammar has a sign) but is no request', () => {
    const q = parseQuantity('-1.5Gi')
    if (!isQuantity(q)) throw new Error('refused')
    expect(q.negative).toBe(true)
    expect(scaledCeil(q, 0)).toBe(3n * 2n ** 29n)
    expect(requestProblem(q)).toContain('negative')
  })

  test('the limit is 2^63-1, as Kubernetes clamps', () => {
    expect(MAX_QUANTITY).toBe(9_223_372_036_854_775_807n)
  })
})
