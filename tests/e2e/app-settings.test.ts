/**
 * Notifications and tray settings in the UI (browser mode in Debian's Chromium): the defaults are
 * shown, changing them in the settings dialog saves them in the encrypted database, and they are
 * still there after a page reload and after the core restarts and the database is unlocked again.
 */
import { join } from 'node:path'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BrowserModeSession, E2E_OUTPUT } from '../helpers/browser-mode.ts'

const UI_TIMEOUT = 20_000
const PASSPHRASE = 'settings e2e passphrase'

let session: BrowserModeSession
let page: Page

beforeAll(async () => {
  session = await BrowserModeSession.open('e2e-settings-')
  page = session.page
})

afterAll(async () => {
  await session?.close()
})

/** Waits (event-driven, by Playwright) until the element is shown. */
const shown = (locator: Locator) => locator.waitFor({ state: 'visible', timeout: UI_TIMEOUT })

function settingsDialog(): Locator {
  return page.getByRole('dialog', { name: 'Settings' })
}

async function openSettings(): Promise<Locator> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click()
  const dialog = settingsDialog()
  await shown(dialog.getByRole('checkbox', { name: 'Show notifications', exact: true }))
  return dialog
}

/** The three checkboxes as the user sees them: [checked, enabled]. */
async function shownSettings(dialog: Locator): Promise<Record<string, [boolean, boolean]>> {
  const read = async (name: string): Promise<[boolean, boolean]> => {
    const box = dialog.getByRole('checkbox', { name, exact: true })
    return [await box.isChecked(), await box.isEnabled()]
  }
  return {
    notifications: await read('Show notifications'),
    text: await read('Show message text in notifications'),
    tray: await read('Keep running in the tray when the window is closed'),
  }
}

async function unlockInUi(heading: string, button: string, confirm: boolean): Promise<void> {
  await shown(page.getByRole('heading', { name: heading }))
  await page.getByLabel('Passphrase', { exact: true }).fill(PASSPHRASE)
  if (confirm) await page.getByLabel('Confirm passphrase').fill(PASSPHRASE)
  await page.getByRole('button', { name: button }).click()
  await shown(page.getByText('No accounts yet'))
}

describe('browser mode in Chromium: notification and tray settings', () => {
  it('shows the defaults: notifications on, no message text, keep running in the tray', async () => {
    await page.goto(session.web.url)
    await unlockInUi('Choose a passphrase', 'Create database', true)
    const dialog = await openSettings()
    expect(await shownSettings(dialog)).toEqual({ notifications: [true, true], text: [false, true], tray: [true, true] })
  })

  it('saves each change in the core as it is made', async () => {
    const dialog = settingsDialog()
    await dialog.getByRole('checkbox', { name: 'Show message text in notifications', exact: true }).check()
    await shown(dialog.getByRole('status').filter({ hasText: 'Saved.' }))
    await dialog.getByRole('checkbox', { name: 'Keep running in the tray when the window is closed', exact: true }).uncheck()
    await expect.poll(() => session.web.core.request('app:getSettings', {}), { timeout: UI_TIMEOUT }).toEqual({
      showNotifications: true,
      showMessageText: true,
      keepRunningInTray: false,
    })
    await page.screenshot({ path: join(E2E_OUTPUT, 'settings.png') })
  })

  it('turning notifications off also disables the message text choice', async () => {
    const dialog = settingsDialog()
    await dialog.getByRole('checkbox', { name: 'Show notifications', exact: true }).uncheck()
    await expect.poll(() => shownSettings(dialog), { timeout: UI_TIMEOUT }).toEqual({ notifications: [false, true], text: [true, false], tray: [false, true] })
    await dialog.getByRole('checkbox', { name: 'Show notifications', exact: true }).check()
    await expect.poll(() => session.web.core.request('app:getSettings', {}), { timeout: UI_TIMEOUT }).toMatchObject({ showNotifications: true })
  })

  it('keeps them after a reload', async () => {
    await page.reload()
    await shown(page.getByText('No accounts yet'))
    const dialog = await openSettings()
    expect(await shownSettings(dialog)).toEqual({ notifications: [true, true], text: [true, true], tray: [false, true] })
  })

  it('keeps them in the encrypted database across a restart of the core', async () => {
    await session.restartCore()
    await page.goto(session.web.url)
    await unlockInUi('Enter your passphrase', 'Unlock', false)
    const dialog = await openSettings()
    expect(await shownSettings(dialog)).toEqual({ notifications: [true, true], text: [true, true], tray: [false, true] })
  })
})
