/**
 * The IPC registrar with a small fake ipcMain (Electron cannot run here) and the REAL core.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EVENT_CHANNEL, methodNames, type EventEnvelope, type Result } from '../../preload/api.ts'
import type { Core } from '../core/core-types.ts'
import { createCore } from '../core/index.ts'
import { createFixedKeyProvider } from '../core/keys/passphrase-key-provider.ts'
import { forwardCoreEvents, isTrustedFrame, registerIpcHandlers, type FrameLike, type InvokeEventLike, type IpcMainLike } from './ipc.ts'
import { isAppPageUrl, rendererTarget } from './renderer-target.ts'

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>()
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  /** What `ipcRenderer.invoke(channel, ...args)` would get back. */
  async invoke(channel: string, frame: FrameLike | null, sender: unknown, ...args: unknown[]): Promise<Result<unknown>> {
    const handler = this.handlers.get(channel)
    if (!handler) throw new Error(`No handler registered for '${channel}'`)
    return (await handler({ sender, senderFrame: frame } as never, ...args)) as Result<unknown>
  }
}

const target = rendererTarget({ indexHtmlPath: '/app/out/renderer/index.html', isPackaged: true })
const ourContents = { id: 1 }
const ourFrame: FrameLike = { url: target.url, parent: null }
const isTrustedSender = (event: { sender: unknown; senderFrame: FrameLike | null }): boolean =>
  event.sender === ourContents && isTrustedFrame(event.senderFrame, (url) => isAppPageUrl(target, url))

const HOSTILE_PARAMS: unknown[] = [
  undefined,
  null,
  42,
  'string',
  [],
  { accountId: 1 },
  { jid: 'mallory@evil.example', password: 'hunter2hunter2', host: '127.0.0.1', port: 9 },
  { accountId: 1, to: 'bob@example.org', body: 'x'.repeat(200_000) },
  { passphrase: 'p'.repeat(5000) },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  { accountId: 1, enabled: true, fingerprint: 'AA', jid: 'a@b', accept: true, peer: 'a@b' },
]

const FOREIGN_SENDERS: Array<[string, FrameLike | null, unknown]> = [
  ['a remote page', { url: 'https://evil.example/', parent: null }, ourContents],
  ['a subframe of our page', { url: target.url, parent: { url: target.url } }, ourContents],
  ['another file', { url: 'file:///tmp/evil.html', parent: null }, ourContents],
  ['a destroyed or navigated frame', null, ourContents],
  ['our page in another WebContents', ourFrame, { id: 2 }],
  ['about:blank', { url: 'about:blank', parent: null }, ourContents],
]

let dir: string
let core: Core
let ipc: FakeIpcMain
let unregister: () => void

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ipc-test-'))
  core = await createCore({ dataDir: dir, keyProvider: createFixedKeyProvider(randomBytes(32)) })
  ipc = new FakeIpcMain()
  unregister = registerIpcHandlers(ipc, core, isTrustedSender as never)
})

afterAll(async () => {
  await core?.close()
  rmSync(dir, { recursive: true, force: true })
})

describe('registerIpcHandlers', () => {
  it('registers exactly one handler per contract method', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual([...methodNames].sort())
    expect(ipc.handlers.has(EVENT_CHANNEL)).toBe(false)
  })

  it('serves the app page', async () => {
    expect(await ipc.invoke('app:state', ourFrame, ourContents, {})).toEqual({
      ok: true,
      result: { phase: 'ready', databaseExists: true, keyProtection: 'keychain' },
    })
    expect(await ipc.invoke('accounts:list', { url: `${target.url}#/chat`, parent: null }, ourContents, undefined)).toEqual({ ok: true, result: [] })
  })

  it('refuses every method from every foreign sender, whatever the payload, and changes nothing', async () => {
    for (const method of methodNames) {
      for (const [name, frame, sender] of FOREIGN_SENDERS) {
        for (const params of HOSTILE_PARAMS) {
          const result = await ipc.invoke(method, frame, sender, params)
          expect(result, `${method} from ${name}`).toEqual({
            ok: false,
            error: { code: 'invalid-input', message: 'This call did not come from the app window' },
          })
        }
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(await ipc.invoke('accounts:list', ourFrame, ourContents, {})).toEqual({ ok: true, result: [] })
  })

  it('validates hostile payloads from the app page against the contract', async () => {
    for (const method of methodNames) {
      for (const params of HOSTILE_PARAMS.slice(1)) {
        const result = await ipc.invoke(method, ourFrame, ourContents, params)
        // Some payloads happen to be valid for some methods (e.g. {} for app:state); none may crash. A valid
        // accounts:add is refused with 'network': its login check finds nothing on that closed port.
        if (!result.ok) expect(['invalid-input', 'not-found', 'locked', 'network'], `${method} ${JSON.stringify(params)?.slice(0, 60)}`).toContain(result.error.code)
      }
    }
    const added = await ipc.invoke('accounts:add', ourFrame, ourContents, { jid: 'a@b', password: 'x', __extra: 1 })
    expect(added).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })

  it('refuses a call with extra arguments', async () => {
    expect(await ipc.invoke('app:state', ourFrame, ourContents, {}, 'extra')).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })

  it('treats a sender check that throws as untrusted', async () => {
    const other = new FakeIpcMain()
    registerIpcHandlers(other, core, () => {
      throw new Error('frame gone')
    })
    expect(await other.invoke('app:state', ourFrame, ourContents, {})).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
  })

  it('unregisters every handler', () => {
    const other = new FakeIpcMain()
    const off = registerIpcHandlers(other, core, () => true)
    off()
    expect(other.handlers.size).toBe(0)
    expect(unregister).toBeTypeOf('function')
  })
})

describe('forwardCoreEvents', () => {
  it('sends core events to the current window on EVENT_CHANNEL, and stops after unsubscribe', async () => {
    const sent: Array<[string, EventEnvelope]> = []
    let destroyed = false
    const contents = { send: (channel: string, envelope: unknown) => sent.push([channel, envelope as EventEnvelope]), isDestroyed: () => destroyed }
    let current: typeof contents | null = contents
    const off = forwardCoreEvents(core, () => current)

    const changed = await ipc.invoke('app:setSettings', ourFrame, ourContents, { showNotifications: false })
    expect(changed.ok).toBe(true)
    expect(sent.some(([channel, envelope]) => channel === EVENT_CHANNEL && envelope.event === 'app:settingsChanged')).toBe(true)

    const count = sent.length
    destroyed = true
    await ipc.invoke('app:setSettings', ourFrame, ourContents, { showNotifications: true })
    current = null
    await ipc.invoke('app:setSettings', ourFrame, ourContents, { showNotifications: false })
    expect(sent.length).toBe(count)

    destroyed = false
    current = contents
    off()
    await ipc.invoke('app:setSettings', ourFrame, ourContents, { showNotifications: true })
    expect(sent.length).toBe(count)
  })
})

describe('isTrustedFrame', () => {
  it('wants the top frame of our page', () => {
    const isApp = (url: string) => isAppPageUrl(target, url)
    expect(isTrustedFrame(ourFrame, isApp)).toBe(true)
    expect(isTrustedFrame(null, isApp)).toBe(false)
    expect(isTrustedFrame(undefined, isApp)).toBe(false)
    expect(isTrustedFrame({ url: target.url, parent: {} }, isApp)).toBe(false)
    expect(isTrustedFrame({ url: 'https://example.org/', parent: null }, isApp)).toBe(false)
  })
})
