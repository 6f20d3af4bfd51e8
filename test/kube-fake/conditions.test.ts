import { describe, expect, test } from 'bun:test'
import { isFinished, setCondition } from './conditions.ts'

const types = (status: any) => status.conditions.map((c: any) => `${c.type}=${c.status}`)

describe('job condition algebra', () => {
  test('a changed condition is removed and appended at the end', () => {
    const status: any = {}
    setCondition(status, 'Created', 'True', 'TFJobCreated', 'm', 't1')
    setCondition(status, 'Running', 'True', 'TFJobRunning', 'm', 't2')
    setCondition(status, 'Suspended', 'True', 'TFJobSuspended', 'm', 't3')
    setCondition(status, 'Running', 'False', 'TFJobSuspended', 'm', 't4')
    expect(types(status)).toEqual(['Created=True', 'Suspended=True', 'Running=False'])
  })

  test('the same type, status and reason changes nothing, not even the message', () => {
    const status: any = {}
    setCondition(status, 'Running', 'True', 'TFJobRunning', 'first', 't1')
    expect(setCondition(status, 'Running', 'True', 'TFJobRunning', 'second', 't2')).toBe(false)
    expect(status.conditions[0]).toMatchObject({ message: 'first', lastUpdateTime: 't1' })
  })

  test('lastTransitionTime is kept when only the reason changes', () => {
    const status: any = {}
    setCondition(status, 'Restarting', 'True', 'A', 'm', 't1')
    setCondition(status, 'Restarting', 'True', 'B', 'm', 't2')
    expect(status.conditions[0]).toMatchObject({ reason: 'B', lastUpdateTime: 't2', lastTransitionTime: 't1' })
  })

  test('Running and Restarting exclude each other', () => {
    const status: any = {}
    setCondition(status, 'Created', 'True', 'C', 'm')
    setCondition(status, 'Running', 'True', 'R', 'm')
    setCondition(status, 'Restarting', 'True', 'X', 'm')
    expect(types(status)).toEqual(['Created=True', 'Restarting=True'])
    setCondition(status, 'Running', 'True', 'R', 'm')
    expect(types(status)).toEqual(['Created=True', 'Running=True'])
  })

  test('Succeeded flips Running to False in place, keeping its reason and times', () => {
    const status: any = {}
    setCondition(status, 'Created', 'True', 'C', 'm', 't1')
    setCondition(status, 'Running', 'True', 'R', 'running', 't2')
    setCondition(status, 'Succeeded', 'True', 'S', 'done', 't3')
    expect(types(status)).toEqual(['Created=True', 'Running=False', 'Succeeded=True'])
    expect(status.conditions[1]).toMatchObject({ reason: 'R', message: 'running', lastTransitionTime: 't2' })
    expect(isFinished(status)).toBe(true)
  })

  test('Failed is terminal', () => {
    const status: any = {}
    setCondition(status, 'Running', 'True', 'R', 'm')
    setCondition(status, 'Failed', 'True', 'F', 'm')
    expect(setCondition(status, 'Running', 'True', 'R2', 'm')).toBe(false)
    expect(setCondition(status, 'Succeeded', 'True', 'S', 'm')).toBe(false)
    expect(types(status)).toEqual(['Running=False', 'Failed=True'])
  })
})
