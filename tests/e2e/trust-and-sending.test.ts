import { join } from 'node:path'
import xml from '@xmpp/xml'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { BrowserModeSession, E2E_OUTPUT } from '../helpers/browser-mode.ts'
import { addOnlineAccount, startCore, type TestCore } from '../helpers/core-harness.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { connectRawClient, type RawClient } from '../helpers/raw-client.ts'
import { waitFor } from '../helpers/wait.ts'

/**
 * Issue 9 as a user sees it, in Chromium against browser mode: alice in the UI; bob with two OMEMO devices (cores of
 * their own); carol without any OMEMO client (a raw client). Untrusted devices' messages never look trusted; the
 * header and composer say what the next message will be; plaintext and turning encryption off are asked for; 300
 * messages typed fast all arrive once, in order; drafts stay per chat; invitations and bounces show as such.
 */

const UI_TIMEOUT = 20_000
const FAST_MESSAGES = 300

let server: ProsodyServer
let session: BrowserModeSession
let page: Page
let bobDesk: TestCore
let bobPhone: TestCore
let bobDeskAccount: AccountDto
let bobPhoneAccount: AccountDto
let bobDeskDevice: number
let bobPhoneDevice: number
let carol: RawClient
let aliceId: number

const shown = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT })
const textOf = (locator: Locator) => expect.poll(() => locator.textContent(), { timeout: UI_TIMEOUT })
const messageList = () => page.getByRole('list', { name: 'Messages' })
const messageItem = (text: string) => messageList().getByRole('listitem').filter({ hasText: text })
const composer = () => page.getByRole('textbox', { name: 'Message' })
const core = () => session.web.core

async function openChat(jid: string): Promise<void> {
  const existing = page.getByRole('list', { name: 'Conversations' }).getByText(jid, { exact: true })
  if (await existing.count()) {
    await existing.first().click()
  } else {
    await page.getByRole('button', { name: 'New chat' }).click()
    const dialog = page.getByRole('dialog', { name: 'New chat' })
    await dialog.getByLabel('Address').fill(jid)
    await dialog.getByRole('button', { name: 'Start chat' }).click()
  }
  await shown(page.getByRole('heading', { name: jid }))
}

async function bobSends(from: TestCore, account: AccountDto, body: string): Promise<void> {
  await from.core.request('messages:send', { accountId: account.id, to: 'alice@localhost', body })
}

beforeAll(async () => {
  server = await startProsody({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
      { username: 'carol', password: 'carol-pw' },
    ],
  })
  session = await BrowserModeSession.open('e2e-trust-', { caPem: server.caPem })
  page = session.page
  ;[bobDesk, bobPhone] = await Promise.all([startCore(server), startCore(server)])
  bobDeskAccount = await addOnlineAccount(bobDesk, server, 'bob', 'bob-pw')
  bobPhoneAccount = await addOnlineAccount(bobPhone, server, 'bob', 'bob-pw')
  bobDeskDevice = (await bobDesk.core.request('omemo:ownDevice', { accountId: bobDeskAccount.id })).deviceId
  bobPhoneDevice = (await bobPhone.core.request('omemo:ownDevice', { accountId: bobPhoneAccount.id })).deviceId
  carol = await connectRawClient(server, 'carol', 'carol-pw')
})

afterAll(async () => {
  await carol?.close()
  await session?.close()
  await Promise.all([bobDesk?.close(), bobPhone?.close()])
  await server?.dispose()
})

describe('trust and sending as a user sees them (browser mode in Chromium)', () => {
  it('sets up: passphrase, alice online, manual trust (every new device waits for a decision)', async () => {
    await session.createDatabase('e2e passphrase 456')
    await core().request('settings:setOmemo', { trustModel: 'manual' })
    const added = await core().request('accounts:add', { jid: 'alice@localhost', password: 'alice-pw', host: server.host, port: server.port })
    aliceId = added.id
    await waitFor(async () => (await core().request('accounts:list', {})).find((a) => a.id === aliceId && a.state === 'online' && a.lastSyncedAt !== null), {
      timeoutMs: UI_TIMEOUT,
      description: 'alice online and synced',
    })
    await shown(page.getByRole('button', { name: /^alice@localhost, Online/u }))
  })

  it('a message from an undecided device and one from a distrusted device are marked untrusted, never trusted', async () => {
    await bobSends(bobDesk, bobDeskAccount, 'from an undecided device')
    await shown(page.getByRole('list', { name: 'Conversations' }).getByText('bob@localhost'))
    await openChat('bob@localhost')
    await shown(messageItem('from an undecided device'))
    await textOf(messageItem('from an undecided device')).toContain('Untrusted device')

    await core().request('trust:setDevice', { accountId: aliceId, jid: 'bob@localhost', deviceId: bobPhoneDevice, trust: 'distrusted' })
    await bobSends(bobPhone, bobPhoneAccount, 'from a distrusted device')
    await shown(messageItem('from a distrusted device'))
    await textOf(messageItem('from a distrusted device')).toContain('Untrusted device')

    await core().request('trust:setDevice', { accountId: aliceId, jid: 'bob@localhost', deviceId: bobDeskDevice, trust: 'verified' })
    await bobSends(bobDesk, bobDeskAccount, 'from a verified device')
    await shown(messageItem('from a verified device'))
    expect(await messageItem('from a verified device').textContent()).not.toContain('Untrusted device')
    // Trust is the trust at receipt: the earlier message of that device keeps its mark.
    expect(await messageItem('from an undecided device').textContent()).toContain('Untrusted device')

    const stored = await core().request('messages:list', { accountId: aliceId, peer: 'bob@localhost' })
    expect(stored.map((m) => [m.body, m.sender])).toEqual([
      ['from an undecided device', { deviceId: bobDeskDevice, trust: 'undecided' }],
      ['from a distrusted device', { deviceId: bobPhoneDevice, trust: 'distrusted' }],
      ['from a verified device', { deviceId: bobDeskDevice, trust: 'verified' }],
    ])
    await page.screenshot({ path: join(E2E_OUTPUT, 'untrusted-devices.png') })
  })

  it('the header says that a device will be skipped, and turning encryption off asks first', async () => {
    const toggle = page.getByRole('switch', { name: 'End-to-end encryption' })
    await textOf(toggle).toContain('Encrypted, 1 skipped')
    await textOf(page.getByRole('banner').or(page.locator('header')).first()).toContain('1 device will not get it: 1 is distrusted')
    await toggle.click()
    const ask = page.getByRole('alertdialog', { name: 'Turn encryption off for bob@localhost?' })
    await shown(ask)
    await ask.getByRole('button', { name: 'Cancel' }).click()
    expect(await toggle.getAttribute('aria-checked')).toBe('true')
  })

  it(`${FAST_MESSAGES} messages typed fast all arrive, in order, exactly once`, async () => {
    const bodies = Array.from({ length: FAST_MESSAGES }, (_, index) => `fast ${String(index + 1).padStart(3, '0')}`)
    const box = composer()
    await box.click()
    for (const body of bodies) {
      await box.pressSequentially(body)
      await box.press('Enter')
    }
    expect(await box.inputValue()).toBe('')
    const atBob = await waitFor(
      async () => {
        const received = (await bobDesk.core.request('messages:list', { accountId: bobDeskAccount.id, peer: 'alice@localhost', limit: 500 })).filter((m) =>
          m.body.startsWith('fast '),
        )
        return received.length >= FAST_MESSAGES ? received : null
      },
      { timeoutMs: 90_000, intervalMs: 200, description: `bob's desk receiving ${FAST_MESSAGES} messages` },
    )
    expect(atBob.map((m) => m.body)).toEqual(bodies)
    expect(atBob.every((m) => m.encryption === 'omemo' && m.undecryptable === null)).toBe(true)
    const inUi = await messageList().locator('li').filter({ hasText: /^fast \d{3}/u }).allTextContents()
    expect(inUi.map((text) => /fast \d{3}/u.exec(text)![0])).toEqual(bodies)
  })

  it('keeps the bottom in view when the window shrinks, and PageUp scrolls the history', async () => {
    await page.setViewportSize({ width: 800, height: 600 })
    const history = page.getByRole('region', { name: 'Message history' })
    const distanceToBottom = () => history.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight)
    await expect.poll(distanceToBottom, { timeout: UI_TIMEOUT }).toBeLessThan(5)
    const pageHeight = await history.evaluate((element) => element.clientHeight)
    await page.screenshot({ path: join(E2E_OUTPUT, 'small-window.png') })
    expect(pageHeight).toBeGreaterThan(200)
    await composer().press('PageUp')
    await expect.poll(distanceToBottom, { timeout: UI_TIMEOUT }).toBeGreaterThan(pageHeight / 2)
    await composer().press('PageDown')
    await composer().press('PageDown')
    await expect.poll(distanceToBottom, { timeout: UI_TIMEOUT }).toBeLessThan(5)
    await page.setViewportSize({ width: 1280, height: 800 })
  })

  it('nobody can be encrypted for: the header says so, Enter explains instead of sending, the text stays', async () => {
    await core().request('trust:setDevice', { accountId: aliceId, jid: 'bob@localhost', deviceId: bobDeskDevice, trust: 'distrusted' })
    const toggle = page.getByRole('switch', { name: 'End-to-end encryption' })
    await textOf(toggle).toContain('Cannot encrypt')
    await composer().fill('stuck for now')
    await composer().press('Enter')
    const blocked = page.getByRole('alertdialog', { name: 'Cannot encrypt for bob@localhost' })
    await shown(blocked)
    await textOf(blocked).toContain('2 are distrusted')
    await blocked.getByRole('button', { name: 'Cancel' }).click()
    expect(await composer().inputValue()).toBe('stuck for now')
    await page.screenshot({ path: join(E2E_OUTPUT, 'cannot-encrypt.png') })
  })

  it('a contact without OMEMO: the composer says it, Enter asks, the answer sends unencrypted, both sides look unencrypted', async () => {
    await openChat('carol@localhost')
    expect(await composer().inputValue()).toBe('')
    await textOf(page.locator('form.composer')).toContain('carol@localhost has no OMEMO devices')
    await composer().fill('hello carol, in plain text')
    await composer().press('Enter')
    const ask = page.getByRole('alertdialog', { name: 'Send unencrypted?' })
    await shown(ask)
    await ask.getByRole('button', { name: 'Send unencrypted' }).click()
    await shown(messageItem('hello carol, in plain text'))
    await textOf(messageItem('hello carol, in plain text')).toContain('Not encrypted')
    await waitFor(() => carol.received.some((s) => s.getChildText('body') === 'hello carol, in plain text'), { timeoutMs: UI_TIMEOUT, description: 'carol getting it' })

    await carol.send(xml('message', { to: 'alice@localhost', type: 'chat', id: 'carol-1' }, xml('body', {}, 'plain hello back')))
    await shown(messageItem('plain hello back'))
    await textOf(messageItem('plain hello back')).toContain('Not encrypted')
  })

  it('drafts stay with their chat, across switching and a reload', async () => {
    await openChat('bob@localhost')
    expect(await composer().inputValue()).toBe('stuck for now')
    await composer().fill('draft for bob')
    await openChat('carol@localhost')
    expect(await composer().inputValue()).toBe('')
    await openChat('bob@localhost')
    expect(await composer().inputValue()).toBe('draft for bob')
    await expect.poll(async () => (await core().request('conversations:get', { accountId: aliceId, peer: 'bob@localhost' })).draft, { timeout: UI_TIMEOUT }).toBe('draft for bob')
    await page.reload()
    await openChat('bob@localhost')
    await expect.poll(() => composer().inputValue(), { timeout: UI_TIMEOUT }).toBe('draft for bob')
  })

  it('an invitation to a group chat is a notice in the inviter’s chat, not a chat with the room', async () => {
    await carol.send(
      xml('message', { to: 'alice@localhost', id: 'invite-1' }, xml('x', { xmlns: 'jabber:x:conference', jid: 'plans@conference.localhost', reason: 'Our plans' })),
    )
    await openChat('carol@localhost')
    const notice = messageItem('invited you to the group chat')
    await shown(notice)
    await textOf(notice).toContain('plans@conference.localhost')
    await textOf(notice).toContain('Our plans')
    expect(await page.getByRole('list', { name: 'Conversations' }).getByText('plans@conference.localhost').count()).toBe(0)
  })

  it('a message to an address that does not exist shows why it was not sent, with Try again', async () => {
    await openChat('nobody@localhost')
    await composer().fill('anyone there?')
    await composer().press('Enter')
    await page.getByRole('alertdialog', { name: 'Send unencrypted?' }).getByRole('button', { name: 'Send unencrypted' }).click()
    const item = messageItem('anyone there?')
    await textOf(item).toContain('Not sent: the address does not exist or does not accept messages')
    await shown(item.getByRole('button', { name: 'Send this message again' }))
    expect(await item.textContent()).not.toMatch(/Not sent: Not sent/u)
    await page.screenshot({ path: join(E2E_OUTPUT, 'bounced.png') })
  })
})
