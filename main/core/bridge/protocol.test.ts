import { describe, expect, it } from 'vitest'
import { parseClientFrame } from './protocol.ts'

describe('parseClientFrame', () => {
  it('accepts a call and leaves method and params to the contract', () => {
    expect(parseClientFrame('{"type":"call","id":7,"method":"app:state","params":{}}', false)).toEqual({
      kind: 'call',
      message: { type: 'call', id: 7, method: 'app:state', params: {} },
    })
    expect(parseClientFrame(Buffer.from('{"type":"call","id":0,"method":"x"}'), false)).toMatchObject({
      kind: 'call',
      message: { id: 0, method: 'x', params: undefined },
    })
  })

  it('closes on binary frames with 1003', () => {
    expect(parseClientFrame(Buffer.from('{}'), true)).toMatchObject({ kind: 'close', code: 1003 })
  })

  it.each(['', 'x', '{', '[]', 'null', '42', '"s"', '{"type":"call"}', '{"id":"1"}', '{"id":-1}', '{"id":1e300}', '{"id":NaN}', '{"id":0.5}'])(
    'closes with 1008 when there is nothing to answer: %s',
    (frame) => {
      expect(parseClientFrame(frame, false)).toMatchObject({ kind: 'close', code: 1008 })
    },
  )

  it('answers wrong shapes that carry an id', () => {
    expect(parseClientFrame('{"id":3,"type":"event","method":"app:state"}', false)).toMatchObject({
      kind: 'reject',
      id: 3,
      result: { ok: false, error: { code: 'invalid-input' } },
    })
    expect(parseClientFrame('{"id":3,"type":"call","method":5}', false)).toMatchObject({
      kind: 'reject',
      result: { ok: false, error: { code: 'unknown-method' } },
    })
    expect(parseClientFrame('{"id":3,"type":"call","method":"app:state","__proto__":{}}', false)).toMatchObject({
      kind: 'reject',
      result: { ok: false, error: { code: 'invalid-input' } },
    })
  })
})
