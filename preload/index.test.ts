/**
 * The preload with a fake `electron` module (contextBridge and ipcRenderer cannot run outside Electron):
 * exactly one frozen object is exposed, only contract methods cross IPC, events can be unsubscribed.
 */
import { existsSync, readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { EVENT_CHANNEL, methodNames, type Api, type EventEnvelope } from './api.ts'

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
  emitter: null as null | import('node:events').EventEmitter,
}))

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events')
  fake.emitter = new Emitter()
  const emitter = fake.emitter
  return {
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => fake.exposed.set(key, value) },
    ipcRenderer: {
      invoke: (channel: string, ...args: unknown[]) => fake.invoke(channel, ...args),
      on: (channel: string, listener: (...args: unknown[]) => void) => emitter.on(channel, listener),
      removeListener: (channel: string, listener: (...args: unknown[]) => void) => emitter.removeListener(channel, listener),
    },
  }
})

let api: Api

beforeAll(async () => {
  await import('./index.ts')
  api = fake.exposed.get('api') as Api
})

describe('preload', () => {
  it('exposes one frozen object with call and onEvent, nothing else', () => {
    expect([...fake.exposed.keys()]).toEqual(['api'])
    expect(Object.isFrozen(api)).toBe(true)
    expect(Object.keys(api).sort()).toEqual(['call', 'onEvent'])
  })

  it('invokes contract methods on their own channel with the params', async () => {
    fake.invoke.mockResolvedValueOnce({ ok: true, result: 'x' })
    expect(await api.call('app:state', {})).toEqual({ ok: true, result: 'x' })
    expect(fake.invoke).toHaveBeenLastCalledWith('app:state', {})
    for (const method of methodNames) {
      fake.invoke.mockResolvedValueOnce({ ok: true, result: null })
      await api.call(method, {} as never)
      expect(fake.invoke).toHaveBeenLastCalledWith(method, {})
    }
  })

  it('answers other names itself, without crossing IPC', async () => {
    fake.invoke.mockClear()
    for (const method of ['nope', '__proto__', 'constructor', EVENT_CHANNEL, 'app:state ', 42, null, { toString: () => 'app:state' }]) {
      const result = await api.call(method as never, {} as never)
      expect(result).toMatchObject({ ok: false, error: { code: 'unknown-method' } })
    }
    expect(fake.invoke).not.toHaveBeenCalled()
  })

  it('turns a failed invoke into an error result', async () => {
    fake.invoke.mockRejectedValueOnce(new Error('An object could not be cloned'))
    expect(await api.call('app:state', {})).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })

  it('delivers events until unsubscribed', () => {
    const seen: EventEnvelope[] = []
    const unsubscribe = api.onEvent((envelope) => seen.push(envelope))
    const envelope: EventEnvelope = { event: 'accounts:removed', payload: { accountId: 1 } }
    fake.emitter!.emit(EVENT_CHANNEL, { sender: 'ignored' }, envelope)
    unsubscribe()
    fake.emitter!.emit(EVENT_CHANNEL, {}, envelope)
    expect(seen).toEqual([envelope])
    expect(fake.emitter!.listenerCount(EVENT_CHANNEL)).toBe(0)
    expect(() => api.onEvent('not a function' as never)).toThrow(TypeError)
  })
})

// A sandboxed preload can require('electron') and nothing from node_modules: dependencies must be bundled.
const built = new URL('../out/preload/index.cjs', import.meta.url)
describe.skipIf(!existsSync(built))('built preload (out/preload/index.cjs)', () => {
  it('requires nothing but electron', () => {
    const requires = [...readFileSync(built, 'utf8').matchAll(/require\(\s*["']([^"']+)["']\s*\)/gu)].map((match) => match[1])
    expect(new Set(requires)).toEqual(new Set(['electron']))
  })
})
