import type { BrowserWindowConstructorOptions } from 'electron'

/**
 * The main window's options. The security switches are spelled out even where they are Electron's
 * defaults, so a reviewer (and the test) sees them in one place.
 */
export function mainWindowOptions(options: {
  preloadPath: string
  iconPath?: string
  /** Restored from the last run (window-state.ts, already checked against the displays); else centred 1100×720. */
  bounds?: { x: number; y: number; width: number; height: number }
}): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 720,
    ...(options.bounds ?? {}),
    minWidth: 640,
    minHeight: 420,
    show: false, // shown on ready-to-show, so there is no white flash
    title: 'Ciphermoon',
    backgroundColor: '#16161d',
    autoHideMenuBar: true,
    ...(options.iconPath ? { icon: options.iconPath } : {}),
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: true,
    },
  }
}
