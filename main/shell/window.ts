import { BrowserWindow, dialog, shell, type WebContents } from 'electron'
import { externalLinkPrompt, externalLinkTarget } from './navigation.ts'
import { isAppPageUrl, type RendererTarget } from './renderer-target.ts'
import { mainWindowOptions } from './window-options.ts'

/** Asks the user, then opens an http(s) link in the system browser. Anything else is dropped. */
async function offerExternalLink(owner: BrowserWindow | null, url: string): Promise<void> {
  const target = externalLinkTarget(url)
  if (target === null) {
    console.warn(`[shell] refused to open ${url.slice(0, 200)}`)
    return
  }
  const prompt = externalLinkPrompt(target)
  const options = { type: 'question' as const, buttons: ['Open in browser', 'Cancel'], defaultId: 1, cancelId: 1, noLink: true, ...prompt }
  const { response } = owner ? await dialog.showMessageBox(owner, options) : await dialog.showMessageBox(options)
  if (response === 0) await shell.openExternal(target)
}

/**
 * Locks down any web contents the app creates: no navigation, no new windows, no webviews, no
 * downloads-by-navigation. Installed for every WebContents through app 'web-contents-created'.
 */
export function hardenWebContents(contents: WebContents, target: RendererTarget): void {
  contents.setWindowOpenHandler(({ url }) => {
    void offerExternalLink(BrowserWindow.fromWebContents(contents), url).catch((error: unknown) => console.error(error))
    return { action: 'deny' }
  })
  contents.on('will-navigate', (event, url) => {
    event.preventDefault()
    // A plain link click (no target=_blank) ends up here; our own page never navigates.
    if (!isAppPageUrl(target, url)) {
      void offerExternalLink(BrowserWindow.fromWebContents(contents), url).catch((error: unknown) => console.error(error))
    }
  })
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault()
  })
  contents.on('will-redirect', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

export function createMainWindow(options: {
  preloadPath: string
  iconPath?: string
  target: RendererTarget
  bounds?: { x: number; y: number; width: number; height: number }
  /** Maximise when first shown. */
  maximized?: boolean
  /** false: stay hidden once loaded (start minimised to the tray); shown later by the app. */
  showWhenReady?: boolean
}): BrowserWindow {
  const window = new BrowserWindow(mainWindowOptions(options))
  // maximize() would show a hidden window, so it waits for the first show.
  if (options.maximized) window.once('show', () => window.maximize())
  if (options.showWhenReady !== false) window.once('ready-to-show', () => window.show())
  window.webContents.session.on('will-download', (event) => event.preventDefault())
  void window.loadURL(options.target.url).catch((error: unknown) => console.error('[shell] could not load the renderer:', error))
  return window
}
