import { expect, test } from 'bun:test'
import { renderTable } from './table.ts'

test('columns are aligned on the widest cell, three spaces apart, the last not padded', () => {
  expect(
    renderTable(
      ['NAME', 'STATUS', 'AGE'],
      [
        ['a', 'Running', '5m'],
        ['longer-name', 'Failed', '3d'],
      ],
    ),
  ).toBe('NAME          STATUS    AGE\na             Running   5m\nlonger-name   Failed    3d\n')
})

test('painted cells are padded by their text, not their colour codes; wide characters count double', () => {
  const red = { text: 'Failed', paint: (p: string) => `\x1b[31m${p}\x1b[0m` }
  expect(
    renderTable(
      ['S', 'N'],
      [
        [red, 'x'],
        ['Running', '名前'],
      ],
    ),
  ).toBe('S         N\n\x1b[31mFailed \x1b[0m   x\nRunning   名前\n')
  expect(renderTable(['名前', 'X'], [['ab', 'y']])).toBe('名前   X\nab     y\n')
})
