import { X509Certificate } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BrowserModeSession, E2E_OUTPUT } from '../helpers/browser-mode.ts'
import { startProsody, type ProsodyServer } from '../helpers/prosody.ts'

const UI_TIMEOUT = 20_000

let server: ProsodyServer
let session: BrowserModeSession
let page: Page
let serverFingerprint: string

beforeAll(async () => {
  server = await startProsody({ users: [{ username: 'alice', password: 'alice-pw' }, { username: 'bob', password: 'bob-pw' }] })
  serverFingerprint = new X509Certificate(await readFile(join(server.dataDir, '..', 'server.pem'))).fingerprint256
  // No extra CA: the UI must show the server's certificate and let the user pin it.
  session = await BrowserModeSession.open('e2e-web-')
  page = session.page
})

afterAll(async () => {
  await session?.close()
  await server?.dispose()
})

/** Waits (event-driven, by Playwright) until the element is shown. */
const shown = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT })
/** Re-checks the element's text until it matches (bounded). */
const textOf = (locator: Locator) => expect.poll(() => locator.textContent(), { timeout: UI_TIMEOUT })

async function addAccountInUi(username: string, password: string): Promise<void> {
  const addButton = page.getByRole('button', { name: /^(Add account|Set up an account)$/u }).first()
  await addButton.click()
  const dialog = page.getByRole('dialog', { name: 'Add account' })
  await dialog.getByLabel('Address').fill(server.jid(username))
  await dialog.getByLabel('Password').fill(password)
  await dialog.getByText('Advanced').click()
  await dialog.getByLabel('Server host').fill(server.host)
  await dialog.getByLabel('Port').fill(String(server.port))
  await dialog.getByRole('button', { name: 'Add', exact: true }).click()

  const certificate = page.getByRole('alertdialog', { name: "This server's certificate is not trusted" })
  await shown(certificate)
  await textOf(certificate.locator('code')).toBe(serverFingerprint)
  await certificate.getByRole('button', { name: 'Trust this certificate' }).click()
  await shown(page.getByRole('button', { name: new RegExp(`^${server.jid(username)}, Online`, 'u') }))
}

describe('browser mode in Chromium: two accounts talk through the UI', () => {
  it('creates the encrypted database with a passphrase', async () => {
    await session.createDatabase('e2e passphrase 123')
  })

  it('adds two accounts, each after pinning the self-hosted certificate shown with its fingerprint', async () => {
    await addAccountInUi('alice', 'alice-pw')
    await addAccountInUi('bob', 'bob-pw')
    const accounts = await session.web.core.request('accounts:list', {})
    expect(accounts.map((a) => [a.jid, a.state, a.pinnedFingerprint])).toEqual([
      ['alice@localhost', 'online', serverFingerprint],
      ['bob@localhost', 'online', serverFingerprint],
    ])
  })

  it('sends a message from alice and shows it in bob’s conversation', async () => {
    await page.getByRole('button', { name: /^alice@localhost, Online/u }).click()
    await page.getByRole('button', { name: 'New chat' }).click()
    const newChat = page.getByRole('dialog', { name: 'New chat' })
    await newChat.getByLabel('Address').fill('bob@localhost')
    await newChat.getByRole('button', { name: 'Start chat' }).click()
    const composer = page.getByRole('textbox', { name: 'Message' })
    await composer.fill('Hello Bob, from the browser')
    await composer.press('Enter')
    const sent = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'Hello Bob, from the browser' })
    await textOf(sent).toContain('Sent to server')
    expect(await composer.inputValue()).toBe('')

    await page.getByRole('button', { name: /^bob@localhost, Online, 1 unread/u }).click()
    await page.getByRole('list', { name: 'Conversations' }).getByText('alice@localhost').first().click()
    const received = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'Hello Bob, from the browser' })
    await shown(received)

    const reply = page.getByRole('textbox', { name: 'Message' })
    await reply.fill('Hi Alice! Got it.')
    await reply.press('Enter')
    await shown(page.getByRole('list', { name: 'Messages' }).getByText('Hi Alice! Got it.'))
    await page.screenshot({ path: join(E2E_OUTPUT, 'conversation.png') })

    await page.getByRole('button', { name: /^alice@localhost, Online/u }).click()
    await shown(page.getByRole('list', { name: 'Messages' }).getByText('Hi Alice! Got it.'))
    expect(existsSync(join(E2E_OUTPUT, 'conversation.png'))).toBe(true)
  })

  it('encrypts with OMEMO by default, shows the report, and lets the user verify the contact device', async () => {
    const messages = page.getByRole('list', { name: 'Messages' })
    const encryptedSwitch = page.getByRole('switch', { name: 'End-to-end encryption' })
    await shown(encryptedSwitch)
    expect(await encryptedSwitch.getAttribute('aria-checked')).toBe('true')

    const composer = page.getByRole('textbox', { name: 'Message' })
    await composer.fill('This one is end-to-end encrypted')
    await composer.press('Enter')
    const sent = messages.getByRole('listitem').filter({ hasText: 'This one is end-to-end encrypted' })
    await shown(sent)
    await sent.getByRole('button', { name: 'Encryption details' }).click()
    await textOf(sent).toMatch(/Encrypted for 1 device/u)

    const bobDevice = await session.web.core.request('omemo:ownDevice', { accountId: (await session.web.core.request('accounts:list', {}))[1]!.id })
    await page.getByRole('button', { name: 'Contact devices' }).click()
    const panel = page.getByRole('dialog', { name: 'Devices of bob@localhost' })
    await shown(panel)
    const item = panel.getByRole('listitem', { name: `Device ${bobDevice.deviceId}` })
    await textOf(item).toContain(bobDevice.fingerprint)
    await item.getByRole('button', { name: `Verify device ${bobDevice.deviceId}` }).click()
    await panel.getByRole('button', { name: `Yes, verify device ${bobDevice.deviceId}` }).click()
    await textOf(item).toContain('Verified')
    await page.screenshot({ path: join(E2E_OUTPUT, 'devices.png') })
    const stored = await session.web.core.request('omemo:devices', { accountId: (await session.web.core.request('accounts:list', {}))[0]!.id, jid: 'bob@localhost' })
    expect(stored.find((device) => device.deviceId === bobDevice.deviceId)?.trust).toBe('verified')
  })
  it('acts on xmpp: links handed over by the operating system (XEP-0147)', async () => {
    // The shell calls core.openUri for links from open-url / the command line; browser mode has no OS.
    const [alice] = await session.web.core.request('accounts:list', {})
    session.web.core.openUri('xmpp:room@conference.localhost?join')
    const notSupported = page.getByRole('dialog', { name: 'Group chats are not supported yet' })
    await shown(notSupported)
    await textOf(notSupported).toContain('room@conference.localhost')
    await notSupported.getByRole('button', { name: 'OK' }).click()

    session.web.core.openUri('javascript:alert(1)')
    const refused = page.getByRole('dialog', { name: 'This link cannot be opened' })
    await shown(refused)
    await textOf(refused).toContain('Only xmpp: links can be opened')
    await refused.getByRole('button', { name: 'OK' }).click()

    session.web.core.openUri('xmpp:carol@localhost?roster;name=Carol%20C.')
    const addContact = page.getByRole('dialog', { name: 'Add contact' })
    await shown(addContact)
    expect(await addContact.getByLabel('Address').inputValue()).toBe('carol@localhost')
    expect(await addContact.getByLabel('Name (optional)').inputValue()).toBe('Carol C.')
    await addContact.getByRole('button', { name: 'Cancel' }).click()
    expect(await session.web.core.request('roster:list', { accountId: alice!.id })).not.toContainEqual(expect.objectContaining({ jid: 'carol@localhost' }))

    session.web.core.openUri('xmpp:dave@localhost?message;body=never%20sent')
    await shown(page.getByRole('heading', { name: 'dave@localhost' }))
    expect(await page.getByRole('textbox', { name: 'Message' }).inputValue()).toBe('')

    const own = await session.web.core.request('omemo:ownDevice', { accountId: alice!.id })
    session.web.core.openUri(`xmpp:alice@localhost?omemo-sid-${own.deviceId}=${'0'.repeat(64)}`)
    const verify = page.getByRole('alertdialog', { name: 'Verify devices from a link?' })
    await shown(verify)
    await textOf(verify).toContain(`Device ${own.deviceId}`)
    await verify.getByRole('button', { name: 'Verify' }).click()
    await textOf(verify.getByRole('alert')).toContain('does not match the link')
    await verify.getByRole('button', { name: 'Cancel' }).click()
  })
})
