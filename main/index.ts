/**
 * The Electron main process: single instance, the hardened window, and the core behind IPC, plus the
 * desktop integration (notifications, badge, tray, menu, window position).
 * All behaviour is in main/core; this file only wires it to Electron (the pieces are in main/shell).
 */
import { fileURLToPath } from 'node:url'
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  safeStorage,
  screen,
  session,
  Tray,
  type NativeImage,
  type WebContents,
} from 'electron'
import { EVENT_CHANNEL, type UriActionDto } from '../preload/api.ts'
import type { Core } from './core/core-types.ts'
import { createCore } from './core/index.ts'
import { trackAppSettings, type AppSettingsView } from './shell/app-settings.ts'
import { applyBadge, dotBitmap, trackUnread } from './shell/badge.ts'
import { watchCorePhase } from './shell/core-phase.ts'
import { installCspHeader } from './shell/csp.ts'
import { forwardCoreEvents, isTrustedFrame, registerIpcHandlers } from './shell/ipc.ts'
import { createKeychainKeyProvider } from './shell/key-storage.ts'
import { applicationMenuTemplate } from './shell/menu.ts'
import { migrateLegacyNotificationSettings } from './shell/legacy-notification-settings.ts'
import { conversationOpenedEnvelope, installNotifications, type WindowState } from './shell/notifications.ts'
import { installPermissionHandlers } from './shell/permissions.ts'
import { shouldQuitWhenAllWindowsClosed } from './shell/quit-policy.ts'
import { isAppPageUrl, rendererTarget } from './shell/renderer-target.ts'
import { APP_NAME, createTray, type AppTray } from './shell/tray.ts'
import { PendingUris, protocolClientArgs, URI_SCHEME, uriFromArgv } from './shell/uri-handler.ts'
import { installRequestFilter } from './shell/web-requests.ts'
import { createMainWindow, hardenWebContents } from './shell/window.ts'
import { readWindowState, restoredWindowState, startMinimizedFromArgv, trackWindowState, writeWindowState } from './shell/window-state.ts'

const APP_ID = 'org.ciphermoon.desktop'

// out/main/index.js → out/preload/index.cjs and out/renderer/index.html (also inside app.asar).
const preloadPath = fileURLToPath(new URL('../preload/index.cjs', import.meta.url))
const indexHtmlPath = fileURLToPath(new URL('../renderer/index.html', import.meta.url))
const iconPath = fileURLToPath(new URL('../../resources/icon.png', import.meta.url))

app.enableSandbox()

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  run()
}

/** An `xmpp:` link from the OS, or the shell's own "open this conversation" (a notification click). */
type PendingLink = string | Extract<UriActionDto, { kind: 'chat' }>

function run(): void {
  const target = rendererTarget({ indexHtmlPath, devServerUrl: process.env.ELECTRON_RENDERER_URL, isPackaged: app.isPackaged })
  const platform = process.platform
  const dataDir = app.getPath('userData')
  // `--start-minimized` (e.g. an autostart entry): the first window stays hidden, the tray shows the app.
  let startHidden = startMinimizedFromArgv(process.argv)
  let mainWindow: BrowserWindow | null = null
  let core: Core | null = null
  let tray: AppTray | null = null
  /** Notifications and tray settings from the core (null while the database is locked). */
  let appSettings: AppSettingsView | null = null
  let unreadTotal = 0
  let overlayDot: NativeImage | null = null
  const cleanups: Array<() => void> = []

  const liveWindow = (): BrowserWindow | null => (mainWindow && !mainWindow.isDestroyed() ? mainWindow : null)
  // Links (XEP-0147) and notification clicks reach the renderer once the window can show what they ask for.
  const pendingUris = new PendingUris<PendingLink>((link) => {
    if (typeof link === 'string') core?.openUri(link)
    else liveWindow()?.webContents.send(EVENT_CHANNEL, conversationOpenedEnvelope(link))
  })

  const isMainWindowContents = (contents: WebContents | null | undefined): boolean =>
    contents !== null && contents !== undefined && liveWindow() !== null && contents === mainWindow!.webContents

  const showBadge = (): void => {
    if (platform === 'win32') overlayDot ??= nativeImage.createFromBitmap(dotBitmap(16), { width: 16, height: 16 })
    applyBadge(unreadTotal, platform, { app, window: liveWindow(), dot: overlayDot })
    tray?.setUnread(unreadTotal)
  }

  const showMainWindow = (): void => {
    if (!core) return
    const existing = liveWindow()
    if (existing) {
      if (existing.isMinimized()) existing.restore()
      existing.show()
      existing.focus()
      return
    }
    const displays = screen.getAllDisplays().map((display) => display.workArea)
    const restored = restoredWindowState(readWindowState(dataDir), displays)
    const window = createMainWindow({
      preloadPath,
      target,
      ...(platform === 'linux' ? { iconPath } : {}),
      ...(restored ? { bounds: restored.bounds, maximized: restored.maximized } : {}),
      showWhenReady: !startHidden,
    })
    startHidden = false
    mainWindow = window
    const stopTracking = trackWindowState(window, (state) => writeWindowState(dataDir, state))
    pendingUris.setReady(false)
    window.webContents.on('did-finish-load', () => pendingUris.setReady(core !== null))
    window.on('closed', () => {
      stopTracking()
      if (mainWindow === window) mainWindow = null
      pendingUris.setReady(false)
    })
    showBadge()
  }

  const windowState = (): WindowState => {
    const window = liveWindow()
    if (!window) return { exists: false, visible: false, minimized: false, focused: false }
    return { exists: true, visible: window.isVisible(), minimized: window.isMinimized(), focused: window.isFocused() }
  }

  /** Menu, tray, badge and notifications: everything the OS shows of the app besides its window. */
  const installDesktopIntegration = (running: Core): void => {
    const settings = trackAppSettings(running)
    appSettings = settings
    cleanups.push(
      () => settings.stop(),
      // Settings from the old hand-edited notifications.json move into the database once it is open.
      watchCorePhase(running, {
        ready: () => {
          migrateLegacyNotificationSettings(dataDir, running).then(
            (outcome) => {
              if (outcome !== 'no-file') console.log(`[shell] notifications.json: ${outcome}`)
            },
            (error: unknown) => console.warn('[shell] could not migrate notifications.json:', error),
          )
        },
      }),
    )
    Menu.setApplicationMenu(Menu.buildFromTemplate(applicationMenuTemplate({ platform, isDev: !app.isPackaged, appName: APP_NAME })))
    try {
      tray = createTray({ Tray, Menu, nativeImage }, { iconPath, platform, show: showMainWindow, quit: () => app.quit() })
      cleanups.push(() => tray?.destroy())
    } catch (error) {
      // No tray: a window hidden at start could not be found again, so it is shown after all.
      console.warn('[shell] no tray icon:', error)
      startHidden = false
    }
    cleanups.push(
      trackUnread(running, (total) => {
        unreadTotal = total
        showBadge()
      }),
      installNotifications(running, {
        isSupported: () => Notification.isSupported(),
        create: (content) => new Notification(content),
        windowState,
        settings: () => settings.current(),
        platform,
        onOpen: (action) => {
          showMainWindow()
          pendingUris.push(action)
        },
      }),
    )
  }

  app.setAppUserModelId(APP_ID)
  const { execPath, args } = protocolClientArgs({ defaultApp: process.defaultApp === true, execPath: process.execPath, argv: process.argv })
  if (!app.setAsDefaultProtocolClient(URI_SCHEME, execPath, args)) console.warn('[shell] could not register as the xmpp: link handler')
  // Windows/Linux: a link opened while the app runs starts a second instance with it on the command line.
  app.on('second-instance', (_event, argv) => {
    showMainWindow()
    const uri = uriFromArgv(argv)
    if (uri) pendingUris.push(uri)
  })
  // macOS: links arrive as open-url, also before the app is ready (when a link launched it).
  app.on('open-url', (event, url) => {
    event.preventDefault()
    pendingUris.push(url)
    showMainWindow()
  })
  const launchUri = uriFromArgv(process.argv)
  if (launchUri) {
    pendingUris.push(launchUri)
    startHidden = false // the user clicked a link: show what it opens
  }
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, target))

  app
    .whenReady()
    .then(async () => {
      const defaultSession = session.defaultSession
      installRequestFilter(defaultSession, target)
      installCspHeader(defaultSession, target)
      installPermissionHandlers(defaultSession, (contents) => isMainWindowContents(contents) && isAppPageUrl(target, contents!.getURL()))

      const { provider, decision } = await createKeychainKeyProvider(safeStorage, dataDir)
      console.log(`[shell] database key: ${decision.use}${'reason' in decision ? ` (${decision.reason})` : ''}`)
      // With a keychain key the core opens the database right away; with a passphrase it starts locked
      // and the renderer asks for the passphrase (app:unlock).
      core = await createCore({ dataDir, keyProvider: provider })

      cleanups.push(
        registerIpcHandlers(
          ipcMain,
          core,
          (event) => isMainWindowContents(event.sender) && isTrustedFrame(event.senderFrame, (url) => isAppPageUrl(target, url)),
        ),
        forwardCoreEvents(core, () => liveWindow()?.webContents ?? null),
      )
      installDesktopIntegration(core)
      showMainWindow()
      app.on('activate', () => showMainWindow())
    })
    .catch((error: unknown) => {
      console.error('[shell] startup failed:', error)
      dialog.showErrorBox('Ciphermoon cannot start', error instanceof Error ? error.message : String(error))
      app.exit(1)
    })

  // Windows/Linux: quit, or keep running in the tray if the user chose so (macOS: stay in the dock).
  app.on('window-all-closed', () => {
    if (shouldQuitWhenAllWindowsClosed({ platform, hasTray: tray !== null, settings: appSettings?.current() ?? null })) app.quit()
  })

  // Close the core (accounts offline, database closed) before the process ends.
  let coreClosed = false
  app.on('will-quit', (event) => {
    if (coreClosed || !core) return
    event.preventDefault()
    const closing = core
    core = null
    for (const cleanup of cleanups.splice(0)) cleanup()
    closing
      .close()
      .catch((error: unknown) => console.error('[shell] closing the core failed:', error))
      .finally(() => {
        coreClosed = true
        app.quit()
      })
  })
}
