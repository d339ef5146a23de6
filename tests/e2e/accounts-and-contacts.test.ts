import { X509Certificate } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import xml from '@xmpp/xml'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountDto } from '../../preload/api.ts'
import { BrowserModeSession, E2E_OUTPUT } from '../helpers/browser-mode.ts'
import { addOnlineAccount, startCore, type TestCore } from '../helpers/core-harness.ts'
import { findFreePort } from '../helpers/free-port.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'
import { connectRawClient, type RawClient } from '../helpers/raw-client.ts'

/**
 * Issue 9, "Accounts and UI basics", as a user sees it in Chromium against browser mode: adding an account checks
 * the login first (wrong password, unreachable server, untrusted certificate explained; Cancel cancels; nothing
 * saved on failure); a wrong new password in the settings is refused and the working one stays; the banner of a
 * failing account offers Retry now and Edit; contacts keep their names and can be renamed; the page itself never
 * scrolls; distrust and removal ask first and the focus never lands on a destructive button by itself.
 *
 * alice is added through the UI via a relay the test controls (held: a slow server; refused: the server is gone);
 * bob has a core of his own (an OMEMO device to decide on); carol is a raw client (a long history).
 */

const UI_TIMEOUT = 20_000
const CONTACTS = 60
const CHATS = 40
const HISTORY = 80

/**
 * A TCP relay to Prosody: `hold` keeps new connections waiting (a slow server, so "Connecting…" stays up; for
 * less than the 2 s xmpp.js waits for the stream header), `pass` relays them (and the held ones), `refuse` drops
 * every connection (the server went away).
 */
class Relay {
  #mode: 'hold' | 'pass' | 'refuse' = 'pass'
  /** Held connections and what they sent meanwhile (read, so that a close by the app is noticed). */
  readonly #held = new Map<Socket, Buffer[]>()
  readonly #open = new Set<Socket>()
  readonly #server: Server
  readonly #target: number

  private constructor(server: Server, target: number) {
    this.#server = server
    this.#target = target
  }

  static async start(target: number): Promise<Relay> {
    const server = createServer()
    const relay = new Relay(server, target)
    server.on('connection', (socket) => relay.#accept(socket))
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
    return relay
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port
  }

  /** Connections waiting while held (one closed by the app is gone). */
  get waiting(): number {
    return this.#held.size
  }

  /** Connections accepted so far. */
  accepted = 0

  hold(): void {
    this.#mode = 'hold'
  }

  pass(): void {
    this.#mode = 'pass'
    for (const [socket, sent] of this.#held) this.#pipe(socket, sent)
    this.#held.clear()
  }

  refuse(): void {
    this.#mode = 'refuse'
    for (const socket of [...this.#held.keys(), ...this.#open]) socket.destroy()
    this.#held.clear()
  }

  close(): Promise<void> {
    this.refuse()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }

  #accept(socket: Socket): void {
    this.accepted += 1
    socket.on('error', () => undefined)
    if (this.#mode === 'refuse') {
      socket.destroy()
    } else if (this.#mode === 'hold') {
      const sent: Buffer[] = []
      this.#held.set(socket, sent)
      socket.on('data', (chunk: Buffer) => sent.push(chunk))
      socket.once('close', () => this.#held.delete(socket))
    } else {
      this.#pipe(socket, [])
    }
  }

  #pipe(socket: Socket, sent: Buffer[]): void {
    socket.removeAllListeners('data')
    const upstream = connect({ host: '127.0.0.1', port: this.#target })
    upstream.on('error', () => undefined)
    for (const chunk of sent) upstream.write(chunk)
    for (const [from, to] of [
      [socket, upstream],
      [upstream, socket],
    ] as const) {
      this.#open.add(from)
      from.once('close', () => {
        this.#open.delete(from)
        to.destroy()
      })
      from.pipe(to)
    }
  }
}

let server: ProsodyServer
let relay: Relay
let closedPort: number
let session: BrowserModeSession
let page: Page
let serverFingerprint: string
let bob: TestCore
let bobAccount: AccountDto
let bobDevice: number
let carol: RawClient

const shown = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT })
const gone = (locator: Locator) => locator.waitFor({ state: 'detached', timeout: UI_TIMEOUT })
/** The text as the user reads it (rendered, whitespace collapsed). */
const said = async (locator: Locator) => (await locator.innerText()).replace(/\s+/gu, ' ').trim()
const textOf = (locator: Locator) => expect.poll(() => said(locator), { timeout: UI_TIMEOUT })
const core = () => session.web.core
const accountsRail = () => page.getByRole('navigation', { name: 'Accounts' })
const aliceId = async () => (await core().request('accounts:list', {}))[0]!.id
/** The focused element as a user (or a screen reader) knows it: its accessible label, else its text. */
const focused = () =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null
    if (!element || element === document.body) return '(nothing)'
    return (element.getAttribute('aria-label') ?? element.innerText ?? '').trim()
  })
const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement)

/**
 * What the user sees of the page as a whole: the document does not scroll, and no box other than the lists
 * meant to scroll (messages, side panel, account rail) is scrolled, so the UI never slides out of the window.
 */
function pageStaysPut(): Promise<{ document: [number, number, number, number]; scrolled: string[] }> {
  return page.evaluate(() => {
    const root = document.scrollingElement!
    const allowed = (element: Element) => {
      const overflowY = getComputedStyle(element).overflowY
      return overflowY === 'auto' || overflowY === 'scroll'
    }
    const scrolled = [...document.querySelectorAll('body *')]
      .filter((element) => (element.scrollTop !== 0 || element.scrollLeft !== 0) && !allowed(element))
      .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join('.')}`)
    return { document: [root.scrollTop, root.scrollLeft, root.scrollHeight - root.clientHeight, root.scrollWidth - root.clientWidth], scrolled }
  })
}
async function expectPageStill(): Promise<void> {
  expect(await pageStaysPut()).toEqual({ document: [0, 0, 0, 0], scrolled: [] })
  // And the top of the app is where it belongs.
  const heading = await page.getByRole('heading', { name: 'alice@localhost', level: 1 }).boundingBox()
  expect(heading?.y).toBeGreaterThanOrEqual(0)
  expect(heading!.y).toBeLessThan(40)
}

/** Records, from now on, every phase the settings dialog shows (to prove "Saved." never comes before the login). */
async function recordSettingsPhases(): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = []
    ;(window as unknown as { settingsPhases: string[] }).settingsPhases = seen
    const record = () => {
      const text = document.querySelector('dialog[open]')?.textContent ?? ''
      const phase = text.includes('Saved.') ? 'saved' : text.includes('to check the new settings') ? 'checking' : text.includes('Not saved') ? 'refused' : null
      if (phase && seen.at(-1) !== phase) seen.push(phase)
    }
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true })
    record()
  })
}
const settingsPhases = () => page.evaluate(() => (window as unknown as { settingsPhases: string[] }).settingsPhases)

beforeAll(async () => {
  server = await startProsody({
    users: [
      { username: 'alice', password: 'alice-pw' },
      { username: 'bob', password: 'bob-pw' },
      { username: 'carol', password: 'carol-pw' },
    ],
  })
  serverFingerprint = new X509Certificate(await readFile(join(server.dataDir, '..', 'server.pem'))).fingerprint256
  ;[relay, closedPort, bob, carol] = await Promise.all([Relay.start(server.port), findFreePort(), startCore(server), connectRawClient(server, 'carol', 'carol-pw')])
  bobAccount = await addOnlineAccount(bob, server, 'bob', 'bob-pw')
  bobDevice = (await bob.core.request('omemo:ownDevice', { accountId: bobAccount.id })).deviceId
  // No extra CA: the server's certificate is untrusted until the user compares and trusts it.
  session = await BrowserModeSession.open('e2e-accounts-')
  page = session.page
})

afterAll(async () => {
  await carol?.close()
  await session?.close()
  await bob?.close()
  await relay?.close()
  await server?.dispose()
})

describe('accounts and contacts as a user sees them (browser mode in Chromium)', () => {
  it('adding an account checks the login first: each failure is explained with what to do, Cancel cancels, nothing is saved', async () => {
    await session.createDatabase('e2e passphrase 789')
    await core().request('settings:setOmemo', { trustModel: 'manual' }) // bob's device waits for alice's decision
    const nothingSaved = async () => {
      expect(await accountsRail().getByRole('listitem').count()).toBe(0)
      expect(await core().request('accounts:list', {})).toEqual([])
    }

    // An unreachable server (a closed port).
    await page.getByRole('button', { name: 'Set up an account' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add account' })
    await dialog.getByLabel('Address').fill('alice@localhost')
    await dialog.getByLabel('Password').fill('not-alices-password')
    await dialog.getByText('Advanced').click()
    await dialog.getByLabel('Server host').fill('127.0.0.1')
    await dialog.getByLabel('Port').fill(String(closedPort))
    await dialog.getByRole('button', { name: 'Add', exact: true }).click()
    const problem = dialog.getByRole('alert')
    await textOf(problem).toContain(`Cannot reach 127.0.0.1:${closedPort}`)
    expect(await said(problem)).toContain('Check your internet connection, and the host and port under Advanced')
    await shown(problem.getByRole('button', { name: 'Retry now' }))
    expect(await said(dialog)).toContain('Nothing was added.')
    await page.screenshot({ path: join(E2E_OUTPUT, 'add-account-unreachable.png') })
    await nothingSaved()

    // Edit goes to the server fields; a slow server: the progress stays up, and still nothing is saved.
    await problem.getByRole('button', { name: 'Edit' }).click()
    expect(await isFocused(dialog.getByLabel('Server host'))).toBe(true)
    relay.hold()
    await dialog.getByLabel('Port').fill(String(relay.port))
    await dialog.getByRole('button', { name: 'Add', exact: true }).click()
    await textOf(dialog.getByRole('status')).toContain(`Connecting to 127.0.0.1:${relay.port} as alice@localhost…`)
    expect(await said(dialog)).toContain('The account is added once the server accepts the login.')
    await expect.poll(() => relay.waiting, { timeout: UI_TIMEOUT }).toBe(1)
    await nothingSaved()

    // The server answers with a certificate nobody vouches for: shown to compare, Cancel has the focus.
    relay.pass()
    const certificate = page.getByRole('alertdialog', { name: "This server's certificate is not trusted" })
    await shown(certificate)
    await textOf(certificate.locator('code')).toBe(serverFingerprint)
    expect(await focused()).toBe('Cancel')
    await certificate.getByRole('button', { name: 'Cancel' }).click()
    await textOf(problem).toContain("The server's certificate is not trusted")
    expect(await said(problem)).toContain('compare its fingerprint')
    await nothingSaved()

    // Trusted after comparing; the login is then refused: the wrong password, in words, Edit selects it.
    await problem.getByRole('button', { name: 'Review certificate' }).click()
    await certificate.getByRole('button', { name: 'Trust this certificate' }).click()
    await textOf(problem).toContain('Wrong address or password')
    expect(await said(problem)).toContain(`The server 127.0.0.1:${relay.port} did not accept the password for alice@localhost`)
    await page.screenshot({ path: join(E2E_OUTPUT, 'add-account-wrong-password.png') })
    await nothingSaved()
    await problem.getByRole('button', { name: 'Edit' }).click()
    expect(await isFocused(dialog.getByLabel('Password'))).toBe(true)

    // The right password, but the user cancels while it connects: that check is stopped, not finished later.
    await dialog.getByLabel('Password').fill('alice-pw')
    relay.hold()
    const accepted = relay.accepted
    await dialog.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => relay.accepted, { timeout: UI_TIMEOUT }).toBe(accepted + 1)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await gone(dialog)
    await nothingSaved()

    // Added again at once (a check still running would refuse it, and finish the cancelled one): online, and
    // only now in the rail.
    await page.getByRole('button', { name: 'Set up an account' }).click()
    await dialog.getByLabel('Address').fill('alice@localhost')
    await dialog.getByLabel('Password').fill('alice-pw')
    await dialog.getByText('Advanced').click()
    await dialog.getByLabel('Server host').fill('127.0.0.1')
    await dialog.getByLabel('Port').fill(String(relay.port))
    await dialog.getByRole('button', { name: 'Add', exact: true }).click()
    await expect.poll(() => relay.accepted, { timeout: UI_TIMEOUT }).toBe(accepted + 2)
    relay.pass()
    await certificate.getByRole('button', { name: 'Trust this certificate' }).click()
    await shown(accountsRail().getByRole('button', { name: /^alice@localhost, Online/u }))
    const accounts = await core().request('accounts:list', {})
    expect(accounts.map((a) => [a.jid, a.host, a.port, a.state, a.pinnedFingerprint])).toEqual([['alice@localhost', '127.0.0.1', relay.port, 'online', serverFingerprint]])
  })

  it('a wrong new password in the settings is refused, never "Saved.", and the working password stays', async () => {
    await page.getByRole('button', { name: 'Account settings' }).click()
    const settings = page.getByRole('dialog', { name: 'Account settings' })
    await shown(settings)
    await recordSettingsPhases()
    await settings.getByLabel('New password').fill('not-alices-password')
    relay.hold()
    await settings.getByRole('button', { name: 'Save changes' }).click()
    await textOf(settings.getByRole('status').filter({ hasText: 'Connecting' })).toContain(`Connecting to 127.0.0.1:${relay.port} to check the new settings…`)
    await shown(settings.getByRole('button', { name: 'Checking…' }))
    relay.pass()
    const problem = settings.getByRole('alert')
    await textOf(problem).toContain('Wrong address or password')
    expect(await said(problem)).toContain('did not accept this password for alice@localhost')
    expect(await said(settings)).toContain('Not saved: the account keeps its previous settings.')
    expect(await settingsPhases()).toEqual(['checking', 'refused'])
    await page.screenshot({ path: join(E2E_OUTPUT, 'settings-wrong-password.png') })
    expect((await core().request('accounts:list', {}))[0]!.state).toBe('online')

    // The stored password still works: disabled and enabled again, the account logs in with it.
    await settings.getByRole('button', { name: 'Disable account' }).click()
    await shown(accountsRail().getByRole('button', { name: /^alice@localhost, Disabled/u }))
    await settings.getByRole('button', { name: 'Enable account' }).click()
    await shown(accountsRail().getByRole('button', { name: /^alice@localhost, Online/u }))
    expect(await settingsPhases()).toEqual(['checking', 'refused'])
    await settings.getByRole('button', { name: 'Close' }).click()
  })

  it('the banner of a running account that fails says why and offers Retry now and Edit', async () => {
    const banner = page.locator('.banner')
    relay.refuse()
    await textOf(banner).toContain(`Cannot reach 127.0.0.1:${relay.port}`)
    expect(await said(banner)).toContain('Offline — trying again shortly')
    expect(await said(banner)).toContain('The app keeps trying by itself')
    await shown(banner.getByRole('button', { name: 'Edit' }))
    await page.screenshot({ path: join(E2E_OUTPUT, 'banner-unreachable.png') })

    // Meanwhile the password was changed elsewhere: Retry now tries at once and says so.
    await server.register('alice', 'alice-new-pw')
    relay.pass()
    await banner.getByRole('button', { name: 'Retry now' }).click()
    await textOf(banner).toContain('Wrong address or password')
    expect(await said(banner)).toContain('no longer accepts the saved password for alice@localhost')
    await shown(banner.getByRole('button', { name: 'Retry now' }))

    // Edit opens the settings at the password; the new one is saved once the server accepted it.
    await banner.getByRole('button', { name: 'Edit' }).click()
    const settings = page.getByRole('dialog', { name: 'Account settings' })
    await shown(settings)
    expect(await isFocused(settings.getByLabel('New password'))).toBe(true)
    await recordSettingsPhases()
    await settings.getByLabel('New password').fill('alice-new-pw')
    await settings.getByRole('button', { name: 'Save changes' }).click()
    await textOf(settings.getByRole('status').filter({ hasText: 'Saved.' })).toContain('Saved. The server accepted the login.')
    expect(await settingsPhases()).toEqual(['checking', 'saved'])
    await shown(accountsRail().getByRole('button', { name: /^alice@localhost, Online/u }))
    await gone(banner)
    await settings.getByRole('button', { name: 'Close' }).click()
  })

  it('re-adding a contact keeps its name; Rename changes it in the list and the header; an empty name shows the address', async () => {
    const contactList = page.getByRole('list', { name: 'Contacts' })
    const header = page.locator('header.header')
    const stored = async () => (await core().request('roster:list', { accountId: await aliceId() })).find((c) => c.jid === 'bob@localhost')?.name
    const addContact = async (name: string) => {
      await page.getByRole('button', { name: 'Add contact' }).click()
      const dialog = page.getByRole('dialog', { name: 'Add contact' })
      await dialog.getByLabel('Address').fill('bob@localhost')
      if (name) await dialog.getByLabel('Name (optional)').fill(name)
      await dialog.getByRole('button', { name: 'Add', exact: true }).click()
      await gone(dialog)
    }
    await page.getByRole('tab', { name: 'Contacts' }).click()
    await addContact('Bob Builder')
    await shown(contactList.getByText('Bob Builder'))
    await addContact('')
    expect(await stored()).toBe('Bob Builder')
    await shown(contactList.getByText('Bob Builder'))

    await contactList.getByRole('button', { name: 'Rename bob@localhost' }).click()
    const rename = page.getByRole('dialog', { name: 'Rename contact' })
    expect(await rename.getByLabel('Name').inputValue()).toBe('Bob Builder')
    await rename.getByLabel('Name').fill('Bobby')
    await rename.getByRole('button', { name: 'Save name' }).click()
    await gone(rename)
    await shown(contactList.getByText('Bobby', { exact: true }))
    expect(await stored()).toBe('Bobby')
    await contactList.getByText('Bobby', { exact: true }).click()
    await textOf(header.getByRole('heading', { level: 2 })).toBe('Bobby')
    expect(await said(header)).toContain('bob@localhost')

    await contactList.getByRole('button', { name: 'Rename bob@localhost' }).click()
    await rename.getByLabel('Name').fill('')
    await rename.getByRole('button', { name: 'Save name' }).click()
    await gone(rename)
    await textOf(header.getByRole('heading', { level: 2 })).toBe('bob@localhost')
    await shown(contactList.getByRole('button', { name: /^bob@localhost/u }))
    expect(await contactList.getByText('Bobby').count()).toBe(0)
    expect(await stored()).toBeNull()

    // Remove asks first, with Cancel focused; after Cancel the focus is back on the contact, not on Remove.
    await contactList.getByRole('button', { name: 'Remove bob@localhost' }).click()
    const confirm = page.getByRole('alertdialog', { name: 'Remove contact?' })
    await shown(confirm)
    expect(await focused()).toBe('Cancel')
    await confirm.getByRole('button', { name: 'Cancel' }).click()
    await gone(confirm)
    expect(await focused()).not.toMatch(/Remove/u)
    expect(await focused()).toContain('bob@localhost')
    expect(await stored()).toBeNull() // still a contact, without a name
    expect((await core().request('roster:list', { accountId: await aliceId() })).map((c) => c.jid)).toContain('bob@localhost')
  })

  it('distrusting a device asks first, Cancel changes nothing, and the focus never lands on Distrust', async () => {
    const trustOf = async () => (await core().request('omemo:devices', { accountId: await aliceId(), jid: 'bob@localhost' })).find((d) => d.deviceId === bobDevice)?.trust
    await page.getByRole('button', { name: 'Contact devices' }).click()
    const panel = page.getByRole('dialog', { name: 'Devices of bob@localhost' })
    const item = panel.getByRole('listitem', { name: `Device ${bobDevice}` })
    await shown(item.getByRole('button', { name: `Trust device ${bobDevice}`, exact: true }))
    expect(await trustOf()).toBe('undecided')

    await item.getByRole('button', { name: `Trust device ${bobDevice}`, exact: true }).click()
    await expect.poll(trustOf, { timeout: UI_TIMEOUT }).toBe('blind')
    await gone(item.getByRole('button', { name: `Trust device ${bobDevice}`, exact: true }))
    expect(await focused()).toBe(`Verify device ${bobDevice}`)

    await item.getByRole('button', { name: `Distrust device ${bobDevice}` }).click()
    const question = item.getByRole('group')
    await textOf(question).toContain(`Distrust device ${bobDevice}? Your messages will no longer be encrypted for it`)
    expect(await focused()).toBe('Cancel')
    await page.screenshot({ path: join(E2E_OUTPUT, 'distrust-asks.png') })
    await question.getByRole('button', { name: 'Cancel' }).click()
    await gone(question)
    expect(await trustOf()).toBe('blind')
    expect(await focused()).toBe(`Verify device ${bobDevice}`)

    await item.getByRole('button', { name: `Distrust device ${bobDevice}` }).click()
    await item.getByRole('button', { name: `Yes, distrust device ${bobDevice}` }).click()
    await expect.poll(trustOf, { timeout: UI_TIMEOUT }).toBe('distrusted')
    await shown(item.getByRole('button', { name: `Trust device ${bobDevice}`, exact: true }))
    expect(await focused()).not.toMatch(/Distrust/u)

    await panel.getByRole('button', { name: 'Close' }).click()
    await gone(panel)
    expect(await focused()).toBe('Contact devices')
  })

  it('with long contact, chat and message lists, focus, Tab and scrollIntoView never scroll the page itself', async () => {
    const accountId = await aliceId()
    const friends = Array.from({ length: CONTACTS }, (_, index) => `friend${String(index).padStart(2, '0')}@localhost`)
    await Promise.all(friends.map((jid, index) => core().request('roster:add', { accountId, jid, name: `Friend ${index}` })))
    await Promise.all(
      friends.slice(0, CHATS).map(async (jid, index) => {
        await core().request('omemo:setConversationEncryption', { accountId, peer: jid, enabled: false })
        await core().request('messages:send', { accountId, to: jid, body: `hello friend ${index}` })
      }),
    )
    // A long history with carol, each of alice's messages with its state for screen readers (hidden text).
    await core().request('omemo:setConversationEncryption', { accountId, peer: 'carol@localhost', enabled: false })
    for (let index = 1; index <= HISTORY; index++) {
      if (index % 2) await carol.send(xml('message', { to: 'alice@localhost', type: 'chat', id: `history-${index}` }, xml('body', {}, `carol's line ${index}`)))
      else await core().request('messages:send', { accountId, to: 'carol@localhost', body: `alice's line ${index}` })
    }

    // The contact list: Tab through every contact and its buttons, then jump to the last one.
    const contactList = page.getByRole('list', { name: 'Contacts' })
    await shown(contactList.getByText(`Friend ${CONTACTS - 1}`, { exact: true }))
    await contactList.getByRole('button').first().focus()
    for (let step = 0; step < (CONTACTS + 2) * 3; step++) await page.keyboard.press('Tab')
    await expectPageStill()
    await contactList.getByRole('button').last().evaluate((element) => element.scrollIntoView())
    await contactList.getByRole('button').last().focus()
    await expectPageStill()

    // The chat list.
    await page.getByRole('tab', { name: 'Chats' }).click()
    const chats = page.getByRole('list', { name: 'Conversations' })
    await shown(chats.getByText('carol@localhost', { exact: true }))
    expect(await chats.getByRole('listitem').count()).toBeGreaterThanOrEqual(CHATS + 2)
    await chats.getByRole('button').first().focus()
    for (let step = 0; step < CHATS + 2; step++) await page.keyboard.press('Tab')
    await expectPageStill()
    await chats.getByRole('button').last().evaluate((element) => element.scrollIntoView({ block: 'end' }))
    await expectPageStill()

    // The message history: the first message into view, the region with the keyboard, and back to the bottom.
    await chats.getByText('carol@localhost', { exact: true }).click()
    const messages = page.getByRole('list', { name: 'Messages' })
    await shown(messages.getByText("carol's line 79"))
    await shown(messages.getByText("alice's line 80"))
    await messages.getByRole('listitem').first().evaluate((element) => element.scrollIntoView())
    await expectPageStill()
    await page.getByRole('region', { name: 'Message history' }).focus()
    await page.keyboard.press('End')
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    await expectPageStill()
    await page.getByRole('textbox', { name: 'Message' }).press('PageUp')
    await expectPageStill()
    await page.screenshot({ path: join(E2E_OUTPUT, 'long-lists.png') })
  })

  it('removing an account says plainly what is deleted on this computer, asks with Keep focused, and then it is gone', async () => {
    const accountId = await aliceId()
    await page.getByRole('button', { name: 'Account settings' }).click()
    const settings = page.getByRole('dialog', { name: 'Account settings' })
    await settings.getByRole('button', { name: 'Remove account…' }).click()
    const section = settings.getByRole('region', { name: 'Remove account' })
    await textOf(section).toContain(
      'This deletes, on this computer, its message history, its encryption keys and your trust decisions about devices. This cannot be undone.',
    )
    expect(await said(section)).toContain('The account on the server is not deleted.')
    expect(await focused()).toBe('Keep account')
    await page.screenshot({ path: join(E2E_OUTPUT, 'remove-account-asks.png') })
    await section.getByRole('button', { name: 'Keep account' }).click()
    await shown(section.getByRole('button', { name: 'Remove account…' }))
    expect(await focused()).toBe('Remove account') // the section's heading, not the "Remove account…" button
    expect(await core().request('accounts:list', {})).toHaveLength(1)

    await section.getByRole('button', { name: 'Remove account…' }).click()
    await section.getByRole('button', { name: 'Yes, remove and delete local data' }).click()
    await gone(settings)
    await shown(page.getByText('No accounts yet'))
    expect(await accountsRail().getByRole('listitem').count()).toBe(0)
    expect(await core().request('accounts:list', {})).toEqual([])
    await expect(core().request('messages:list', { accountId, peer: 'carol@localhost' })).rejects.toMatchObject({ code: 'not-found' })
  })
})
