import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { BrowserModeSession, E2E_OUTPUT } from '../helpers/browser-mode.ts'
import { addOnlineAccount, sharePresence, startCore, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * Issue 9 as a user sees it: alice already uses another client (a core of its own) and adds her account to
 * this app. The archive holds bob's messages from before this device existed, encrypted for her other device
 * only: one quiet notice for all of them, no warning cards, nothing unread. Bob's next message reads normally.
 */

const UI_TIMEOUT = 20_000
const EARLIER = ['earlier one', 'earlier two', 'earlier three']

let server: ProsodyServer
let session: BrowserModeSession
let page: Page
let alicePhone: TestCore
let bob: TestCore
let alicePhoneAccount: AccountDto
let bobAccount: AccountDto

const shown = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT })
const messageItems = () => page.getByRole('list', { name: 'Messages' }).getByRole('listitem')

beforeAll(async () => {
  server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }, { username: 'bob', password: 'bob-pw' }] })
  session = await BrowserModeSession.open('e2e-new-device-', { caPem: server.caPem })
  page = session.page
  ;[alicePhone, bob] = await Promise.all([startCore(server), startCore(server)])
  ;[alicePhoneAccount, bobAccount] = await Promise.all([addOnlineAccount(alicePhone, server, 'alice', 'alice-pw'), addOnlineAccount(bob, server, 'bob', 'bob-pw')])
  // Contacts who share presence: alice's new device is pushed to bob (XEP-0163 +notify).
  await sharePresence(bob, bobAccount, alicePhone, alicePhoneAccount)
  for (const body of EARLIER) {
    const arrived = alicePhone.next('messages:received', (m) => m.body === body)
    await bob.core.request('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body })
    await arrived
  }
})

afterAll(async () => {
  await session?.close()
  await Promise.all([alicePhone?.close(), bob?.close()])
  await server?.dispose()
})

describe('a new device of ours and the history from before it (browser mode in Chromium)', () => {
  it('shows one collapsed notice, not a warning per message, and nothing unread', async () => {
    await session.createDatabase('e2e passphrase 789')
    const added = await session.web.core.request('accounts:add', { jid: 'alice@localhost', password: 'alice-pw', host: server.host, port: server.port })
    await waitFor(async () => (await session.web.core.request('accounts:list', {})).find((a) => a.id === added.id && a.state === 'online' && a.lastSyncedAt !== null), {
      timeoutMs: UI_TIMEOUT,
      description: 'alice online and synced in the app',
    })

    const chat = page.getByRole('list', { name: 'Conversations' }).getByRole('listitem').filter({ hasText: 'bob@localhost' })
    await shown(chat)
    await expect.poll(() => chat.textContent(), { timeout: UI_TIMEOUT }).toContain('Earlier messages (from before this device)')
    expect(await chat.getByText(/unread/u).count()).toBe(0)
    await chat.click()
    await shown(messageItems().filter({ hasText: '3 earlier messages were sent before this device existed.' }))
    await expect.poll(() => messageItems().count(), { timeout: UI_TIMEOUT }).toBe(1)
    expect(await page.getByText(/could not|cannot be read|not encrypted for this device/iu).count()).toBe(0)
    await page.screenshot({ path: join(E2E_OUTPUT, 'new-device-history.png') })
  })

  it("reads bob's next message, which was encrypted for this device too", async () => {
    const own = await session.web.core.request('accounts:list', {})
    const { deviceId } = await session.web.core.request('omemo:ownDevice', { accountId: own[0]!.id })
    await waitFor(async () => (await bob.core.request('omemo:devices', { accountId: bobAccount.id, jid: 'alice@localhost' })).some((d) => d.deviceId === deviceId), {
      timeoutMs: UI_TIMEOUT,
      description: "bob seeing alice's new device",
    })
    await bob.core.request('messages:send', { accountId: bobAccount.id, to: 'alice@localhost', body: 'hello, new device' })
    const fresh = messageItems().filter({ hasText: 'hello, new device' })
    await shown(fresh)
    expect(await fresh.textContent()).not.toContain('Untrusted')
    await expect.poll(() => messageItems().count(), { timeout: UI_TIMEOUT }).toBe(2)
  })
})
