/**
 * E2E setup shared by the UI tests: the built renderer served by a headless core in browser mode (its own
 * encrypted database in a fresh temp dir) and one page of Debian's Chromium.
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { startWebMode, type WebMode } from '../../main/core/bridge/web-mode.ts'
import { launchChromium } from './browser.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const RENDERER = join(ROOT, 'out/renderer')
/** Screenshots of the e2e tests. */
export const E2E_OUTPUT = join(ROOT, 'test-output/e2e')

export class BrowserModeSession {
  /** The core and its bridge; replaced by restartCore(). */
  web: WebMode
  readonly page: Page
  readonly dataDir: string
  readonly #browser: Browser

  readonly #caFiles: string[]

  private constructor(web: WebMode, browser: Browser, page: Page, dataDir: string, caFiles: string[]) {
    this.#caFiles = caFiles
    this.web = web
    this.#browser = browser
    this.page = page
    this.dataDir = dataDir
  }

  /** `caPem`: a test server's CA the core trusts (without it, the UI must pin the server's certificate). */
  static async open(dataDirPrefix: string, options: { caPem?: string } = {}): Promise<BrowserModeSession> {
    if (!existsSync(join(RENDERER, 'index.html'))) throw new Error('No built renderer in out/renderer: run `npm run build` first')
    const dataDir = await mkdtemp(join(tmpdir(), dataDirPrefix))
    const caFiles: string[] = []
    if (options.caPem) {
      caFiles.push(join(dataDir, 'test-ca.pem'))
      await writeFile(caFiles[0]!, options.caPem)
    }
    const web = await startWebMode({ dataDir, staticDir: RENDERER, caFiles })
    const browser = await launchChromium()
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
    await mkdir(E2E_OUTPUT, { recursive: true })
    return new BrowserModeSession(web, browser, page, dataDir, caFiles)
  }

  /** Closes the core and starts a new one on the same data (the page must load its URL again). */
  async restartCore(): Promise<void> {
    await this.web.close()
    this.web = await startWebMode({ dataDir: this.dataDir, staticDir: RENDERER, caFiles: this.#caFiles })
  }

  /** First start as a new user: open the app, choose a passphrase, and wait for the empty main view. */
  async createDatabase(passphrase: string, timeoutMs = 20_000): Promise<void> {
    const { page } = this
    await page.goto(this.web.url)
    await page.getByRole('heading', { name: 'Choose a passphrase' }).waitFor({ state: 'visible', timeout: timeoutMs })
    await page.getByLabel('Passphrase', { exact: true }).fill(passphrase)
    await page.getByLabel('Confirm passphrase').fill(passphrase)
    await page.getByRole('button', { name: 'Create database' }).click()
    await page.getByText('No accounts yet').waitFor({ state: 'visible', timeout: timeoutMs })
  }

  async close(): Promise<void> {
    await this.#browser.close()
    await this.web.close()
    await rm(this.dataDir, { recursive: true, force: true })
  }
}
