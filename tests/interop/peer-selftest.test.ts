/**
 * Self-test of the independent OMEMO 0.3 peer (tests/interop/peer/omemo_peer.py): two instances, alice and
 * bob, talk to each other through a throwaway Prosody. If these fail, an interop failure against the
 * messenger says nothing about the messenger.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Element } from '@xmpp/xml'
import xml from '@xmpp/xml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startOmemoPeer, type OmemoPeer, type OmemoPeerMessage } from '../helpers/omemo-peer.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { connectRawClient } from '../helpers/raw-client.ts'
import { createTestCertificates } from '../helpers/test-certificates.ts'
import { waitFor } from '../helpers/wait.ts'

const MESSAGE_TIMEOUT_MS = 20_000
const alice = { username: 'alice', password: 'alice-secret' }
const bob = { username: 'bob', password: 'bob-secret' }
const carol = { username: 'carol', password: 'carol-secret' }
const OMEMO_NS = 'eu.siacs.conversations.axolotl'

let server: ProsodyServer
let scratchDir: string
let bobDataDir: string
let alicePeer: OmemoPeer
let bobPeer: OmemoPeer

function startBob(options: { mamCatchUp?: boolean } = {}): Promise<OmemoPeer> {
  return startOmemoPeer({ server, ...bob, dataDir: bobDataDir, ...options })
}

function withBody(body: string): (message: OmemoPeerMessage) => boolean {
  return (message) => message.body === body
}

/**
 * alice sends bob a fresh live message and waits until bob decrypted it. bob handles stanzas in order, so
 * afterwards every earlier copy of an earlier message (offline delivery, archive) has been processed too.
 */
async function barrier(): Promise<void> {
  const body = `barrier ${randomUUID()}`
  await alicePeer.send(server.jid('bob'), body)
  const message = await bobPeer.nextMessage(withBody(body), MESSAGE_TIMEOUT_MS)
  expect(message.source).toBe('live')
}

beforeAll(async () => {
  server = await startProsody({ users: [alice, bob, carol] })
  scratchDir = await mkdtemp(join(tmpdir(), 'omemo-peer-selftest-'))
  bobDataDir = join(scratchDir, 'bob')
  ;[alicePeer, bobPeer] = await Promise.all([
    startOmemoPeer({ server, ...alice, dataDir: join(scratchDir, 'alice') }),
    startBob(),
  ])
})

afterAll(async () => {
  await Promise.all([alicePeer?.stop(), bobPeer?.stop()])
  await server?.dispose()
  if (scratchDir) await rm(scratchDir, { recursive: true, force: true })
})

describe('the OMEMO interop peer, against itself', () => {
  it('alice → bob: bob decrypts the body and names alice and her device', async () => {
    const body = `hello bob ${randomUUID()}`
    const sent = await alicePeer.send(server.jid('bob'), body)
    expect(sent.devices).toEqual([bobPeer.deviceId])
    expect(sent.skipped).toEqual([])
    expect(sent.recipients).toEqual([{ jid: server.jid('bob'), deviceId: bobPeer.deviceId, prekey: true }])

    const message = await bobPeer.nextMessage(withBody(body), MESSAGE_TIMEOUT_MS)
    expect(message).toMatchObject({
      from: server.jid('alice'),
      senderDevice: alicePeer.deviceId,
      keyTransport: false,
      source: 'live',
      messageId: sent.messageId,
      prekey: true,
      keyMaterialLength: 32,
    })
    expect(bobPeer.decryptErrors).toEqual([])
  })

  it('bob → alice: the answer decrypts on the session alice started', async () => {
    const body = `hello alice ${randomUUID()}`
    const sent = await bobPeer.send(server.jid('alice'), body)
    expect(sent.devices).toEqual([alicePeer.deviceId])

    const message = await alicePeer.nextMessage(withBody(body), MESSAGE_TIMEOUT_MS)
    expect(message).toMatchObject({
      from: server.jid('bob'),
      senderDevice: bobPeer.deviceId,
      keyTransport: false,
      source: 'live',
      prekey: false,
    })
    expect(alicePeer.decryptErrors).toEqual([])
  })

  it("alice sees bob's device, with his fingerprint, in his published device list", async () => {
    expect(bobPeer.fingerprint).toMatch(/^[0-9a-f]{64}$/u)
    const devices = await alicePeer.devices(server.jid('bob'))
    expect(devices).toContainEqual(expect.objectContaining({ deviceId: bobPeer.deviceId, fingerprint: bobPeer.fingerprint }))
  })

  it('a key transport element arrives as key_transport with no body', async () => {
    const sent = await bobPeer.keyTransport(server.jid('alice'))
    expect(sent.devices).toEqual([alicePeer.deviceId])

    const message = await alicePeer.nextMessage((candidate) => candidate.messageId === sent.messageId, MESSAGE_TIMEOUT_MS)
    expect(message).toMatchObject({
      from: server.jid('bob'),
      senderDevice: bobPeer.deviceId,
      keyTransport: true,
      body: null,
      keyMaterialLength: 32,
    })
  })

  it('bob offline: after a restart on the same device, offline delivery and fetch_mam decrypt it exactly once', async () => {
    const bobDevice = bobPeer.deviceId
    await bobPeer.stop()
    const body = `while you were away ${randomUUID()}`
    const sent = await alicePeer.send(server.jid('bob'), body)
    expect(sent.devices).toEqual([bobDevice])

    bobPeer = await startBob()
    expect(bobPeer.deviceId).toBe(bobDevice)
    const mam = await bobPeer.fetchMam()
    expect(mam.found).toBeGreaterThan(0)
    const message = await bobPeer.nextMessage(withBody(body), MESSAGE_TIMEOUT_MS)
    expect(message).toMatchObject({ from: server.jid('alice'), senderDevice: alicePeer.deviceId, delayed: true })

    await barrier()
    expect(bobPeer.messages.filter(withBody(body))).toHaveLength(1)
    expect(bobPeer.decryptErrors).toEqual([])
  })

  it('a message only the archive holds (MAM before presence, so no offline delivery) decrypts from MAM once', async () => {
    await bobPeer.stop()
    const body = `only in the archive ${randomUUID()}`
    await alicePeer.send(server.jid('bob'), body)

    bobPeer = await startBob({ mamCatchUp: true })
    const message = await bobPeer.nextMessage(withBody(body), MESSAGE_TIMEOUT_MS)
    expect(message).toMatchObject({ from: server.jid('alice'), senderDevice: alicePeer.deviceId, source: 'mam' })
    expect(bobPeer.mamCatchUpCount).toBe(1)

    await barrier()
    expect(bobPeer.messages.filter(withBody(body))).toHaveLength(1)
    expect(bobPeer.decryptErrors).toEqual([])
  })

  it("a second device of alice: encrypted for by both sides, alice's own message arrives as a carbon", async () => {
    const secondAlice = await startOmemoPeer({ server, ...alice, dataDir: join(scratchDir, 'alice-2') })
    try {
      expect(secondAlice.deviceId).not.toBe(alicePeer.deviceId)
      const toBob = `from alice's first device ${randomUUID()}`
      const sent = await alicePeer.send(server.jid('bob'), toBob)
      expect(sent.devices.toSorted()).toEqual([bobPeer.deviceId, secondAlice.deviceId].toSorted())
      const carbon = await secondAlice.nextMessage(withBody(toBob), MESSAGE_TIMEOUT_MS)
      expect(carbon).toMatchObject({ from: server.jid('alice'), senderDevice: alicePeer.deviceId, source: 'carbon' })

      const toAlice = `to both of alice's devices ${randomUUID()}`
      const answer = await bobPeer.send(server.jid('alice'), toAlice)
      expect(answer.devices.toSorted()).toEqual([alicePeer.deviceId, secondAlice.deviceId].toSorted())
      for (const device of [alicePeer, secondAlice]) {
        const message = await device.nextMessage(withBody(toAlice), MESSAGE_TIMEOUT_MS)
        expect(message).toMatchObject({ from: server.jid('bob'), senderDevice: bobPeer.deviceId })
      }
      expect(secondAlice.decryptErrors).toEqual([])
    } finally {
      await secondAlice.stop()
    }
  })

  it('publishes with access_model open even over a device list node that exists with access_model presence', async () => {
    const raw = await connectRawClient(server, carol.username, carol.password)
    try {
      await raw.send(publishClosedDeviceList('closed-list', 4242))
      const reply = await waitFor(() => raw.received.find((stanza) => stanza.is('iq') && stanza.attrs.id === 'closed-list'), {
        timeoutMs: MESSAGE_TIMEOUT_MS,
        description: 'the reply to publishing a presence-only device list',
      })
      expect(reply.attrs.type).toBe('result')
    } finally {
      await raw.close()
    }
    // Not subscribed to carol's presence: alice can't read that list.
    await expect(alicePeer.devices(server.jid('carol'))).rejects.toThrow(/forbidden/u)

    const carolPeer = await startOmemoPeer({ server, ...carol })
    try {
      // Device 4242 stays in the list but has no bundle, so python-omemo leaves it out.
      const devices = await alicePeer.devices(server.jid('carol'))
      expect(devices.map((device) => device.deviceId)).toEqual([carolPeer.deviceId])
    } finally {
      await carolPeer.stop()
    }
  })

  it('verifies TLS: with a certificate from another CA the peer refuses to start', async () => {
    const foreignDir = join(scratchDir, 'foreign-ca')
    await mkdir(foreignDir)
    const foreign = await createTestCertificates(foreignDir, server.domain)
    const serverWithForeignCa = { host: server.host, port: server.port, caPem: foreign.caPem, jid: (user: string) => server.jid(user) }
    await expect(startOmemoPeer({ server: serverWithForeignCa, ...bob, dataDir: join(scratchDir, 'bob-tls') }))
      .rejects.toThrow(/certificate verif(y|ication) failed/iu)
  })
})

/** XEP-0060 §7.1.5 publish with publish-options access_model=presence, the way a careless client might. */
function publishClosedDeviceList(id: string, deviceId: number): Element {
  return xml('iq', { type: 'set', id },
    xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' },
      xml('publish', { node: `${OMEMO_NS}.devicelist` },
        xml('item', { id: 'current' }, xml('list', { xmlns: OMEMO_NS }, xml('device', { id: String(deviceId) })))),
      xml('publish-options', {},
        xml('x', { xmlns: 'jabber:x:data', type: 'submit' },
          xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, 'http://jabber.org/protocol/pubsub#publish-options')),
          xml('field', { var: 'pubsub#access_model' }, xml('value', {}, 'presence'))))))
}
