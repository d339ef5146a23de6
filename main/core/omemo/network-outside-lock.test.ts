import xml, { type Element } from '@xmpp/xml'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { XmppLink } from '../accounts/xmpp-link.ts'
import { IqError, IqTimeoutError } from '../xmpp/iq-requester.ts'
import { PEP_FETCH_TIMEOUT_MS } from './pep.ts'
import { ALICE, twoAccounts, type TwoAccounts } from './two-accounts.fixture.ts'
import { DEVICE_LIST_NODE, bundleNode, deviceListElement } from './protocol/legacy.ts'

/**
 * Issue 9: device lists and bundles come from other servers. Fetching them runs outside the account's
 * OMEMO session lock and in parallel, each with a bounded timeout and its own failure reason, so one slow
 * server never stalls the decryption of anybody else's messages. Alice's link here answers only when the
 * test says so: nothing is timed, every step is awaited.
 */

const CAROL = 'carol@example.org'

interface PendingRequest {
  to: string | undefined
  node: string | undefined
  timeoutMs: number | undefined
  answer(payload: Element | null): void
  fail(error: Error): void
}

const requests: PendingRequest[] = []
/** Called (and removed) at each new request; a waiter not yet satisfied registers again. */
const waiters: Array<() => void> = []

/** Resolves once requests matching `match` are all in flight (none of them answered yet). */
function inFlight(match: (request: PendingRequest) => boolean, count: number): Promise<PendingRequest[]> {
  return new Promise((resolve) => {
    const check = () => {
      const found = requests.filter(match)
      if (found.length >= count) resolve(found)
      else waiters.push(check)
    }
    check()
  })
}

function onlineLink(accountId: number): XmppLink {
  return {
    accountId,
    ownBareJid: ALICE,
    isOnline: () => true,
    send: async () => undefined,
    request: (iq, timeoutMs) =>
      new Promise<Element>((resolve, reject) => {
        requests.push({
          to: iq.attrs.to,
          node: iq.getChild('pubsub')?.getChild('items')?.attrs.node,
          timeoutMs,
          answer: (payload) =>
            resolve(xml('iq', { type: 'result' }, xml('pubsub', { xmlns: 'http://jabber.org/protocol/pubsub' }, xml('items', {}, payload ? xml('item', { id: 'current' }, payload) : undefined)))),
          fail: reject,
        })
        console.log("REQ", iq.attrs.to, iq.getChild("pubsub")?.getChild("items")?.attrs.node, iq.toString().slice(0,200))
        for (const waiter of waiters.splice(0)) waiter()
      }),
    acknowledgeStanzas: () => undefined,
  }
}

let fixture: TwoAccounts

beforeAll(async () => {
  fixture = await twoAccounts({ aliceLink: onlineLink })
})

afterAll(() => fixture?.close())

describe('network requests of a send never hold the OMEMO session lock', () => {
  it('decrypts bob while carol’s server is slow, fetches in parallel, and tells timeout from no bundle from refused', async () => {
    const sending = fixture.omemo.encryptAndStore(CAROL, 'hello carol', (result) => result)

    // Carol's device list and our own are asked for at the same time; neither is answered yet.
    const [carolList] = await inFlight((r) => r.to === CAROL && r.node === DEVICE_LIST_NODE, 1)
    const [ownList] = await inFlight((r) => r.to === ALICE && r.node === DEVICE_LIST_NODE, 1)

    // Meanwhile bob's messages decrypt and are stored: the send holds no lock while it waits.
    const first = await fixture.ingest.ingest((await fixture.fromBob('while carol is slow')).message, { kind: 'live' })
    expect(first.kind === 'stored' && first.row.body).toBe('while carol is slow')

    ownList!.answer(deviceListElement([fixture.aliceDeviceId]))
    carolList!.answer(deviceListElement([701, 702, 703]))
    // All three bundles are asked for before any is answered.
    const bundles = await inFlight((r) => r.to === CAROL && r.node !== DEVICE_LIST_NODE, 3)
    expect(bundles.map((r) => r.node).sort()).toEqual([bundleNode(701), bundleNode(702), bundleNode(703)])

    const second = await fixture.ingest.ingest((await fixture.fromBob('while the bundles are slow')).message, { kind: 'live' })
    expect(second.kind === 'stored' && second.row.body).toBe('while the bundles are slow')

    const byNode = (deviceId: number) => bundles.find((r) => r.node === bundleNode(deviceId))!
    byNode(701).fail(new IqTimeoutError('bundle', PEP_FETCH_TIMEOUT_MS))
    byNode(702).fail(new IqError('item-not-found', undefined))
    byNode(703).fail(new IqError('remote-server-timeout', undefined))
    const result = await sending

    expect(result.report.encryptedFor).toEqual([])
    expect(Object.fromEntries(result.report.skipped.map((s) => [s.deviceId, s.reason]))).toEqual({
      701: 'bundle-timeout',
      702: 'no-bundle',
      703: 'bundle-unavailable',
    })
    // Every fetch from another server had a bounded time limit (publishing to our own keeps the link's default).
    for (const request of requests.filter((r) => r.node !== undefined)) {
      expect(request.timeoutMs).toBeGreaterThan(0)
      expect(request.timeoutMs).toBeLessThanOrEqual(PEP_FETCH_TIMEOUT_MS)
    }
  })
})
