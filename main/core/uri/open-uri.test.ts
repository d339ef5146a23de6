import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventEnvelope } from '../../../preload/api.ts'
import { createCore, createFixedKeyProvider, createPassphraseKeyProvider, type Core } from '../index.ts'

let core: Core
let dataDir: string

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'open-uri-test-'))
  core = await createCore({ dataDir, keyProvider: createFixedKeyProvider(randomBytes(32)) })
})
afterAll(async () => {
  await core.close()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('app:openUri (the contract method: parse only)', () => {
  it('returns the action of a valid link and emits nothing', async () => {
    const seen: EventEnvelope[] = []
    const unsubscribe = core.subscribe((envelope) => seen.push(envelope))
    const result = await core.call('app:openUri', { uri: 'xmpp:Bob@Example.org?roster;name=Bob' })
    unsubscribe()
    expect(result).toEqual({ ok: true, result: { kind: 'roster', jid: 'bob@example.org', name: 'Bob' } })
    expect(seen.filter((envelope) => envelope.event === 'app:uriOpened')).toEqual([])
  })

  it('refuses a hostile link as invalid-input with the reason', async () => {
    const result = await core.call('app:openUri', { uri: 'javascript:alert(1)' })
    expect(result).toEqual({ ok: false, error: { code: 'invalid-input', message: 'Only xmpp: links can be opened' } })
  })

  it.each([[{ uri: 'x'.repeat(4097) }], [{ uri: 42 }], [{}], [{ uri: 'xmpp:a@b', extra: 1 }], ['xmpp:a@b'], [null]])(
    'validates the payload %j',
    async (payload) => {
      const result = await core.call('app:openUri', payload)
      expect(result).toMatchObject({ ok: false, error: { code: 'invalid-input' } })
    },
  )
})

describe('core.openUri (links from the operating system)', () => {
  it('emits app:uriOpened with the action', () => {
    const seen: EventEnvelope[] = []
    const unsubscribe = core.subscribe((envelope) => seen.push(envelope))
    const result = core.openUri('xmpp:room@conference.example.org?join')
    unsubscribe()
    expect(result).toEqual({ ok: true, result: { kind: 'join', room: 'room@conference.example.org' } })
    expect(seen).toEqual([{ event: 'app:uriOpened', payload: { kind: 'join', room: 'room@conference.example.org' } }])
  })

  it('emits the reason (never the link) for a refused link', () => {
    const seen: EventEnvelope[] = []
    const unsubscribe = core.subscribe((envelope) => seen.push(envelope))
    const result = core.openUri('xmpp://alice:hunter2@example.org/bob@example.org')
    unsubscribe()
    expect(result.ok).toBe(false)
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({ event: 'app:uriOpened', payload: { kind: 'invalid' } })
    expect(JSON.stringify(seen)).not.toContain('hunter2')
  })

  it('works while the database is locked', async () => {
    const lockedDir = mkdtempSync(join(tmpdir(), 'open-uri-locked-'))
    const locked = await createCore({ dataDir: lockedDir, keyProvider: createPassphraseKeyProvider(lockedDir) })
    try {
      expect(locked.openUri('xmpp:alice@example.org')).toEqual({ ok: true, result: { kind: 'chat', jid: 'alice@example.org' } })
      expect(await locked.call('app:openUri', { uri: 'xmpp:alice@example.org?message' })).toMatchObject({ ok: true })
    } finally {
      await locked.close()
      rmSync(lockedDir, { recursive: true, force: true })
    }
  })
})
