import { describe, expect, it } from 'vitest'
import { mainWindowOptions } from './window-options.ts'

describe('mainWindowOptions', () => {
  it('turns every renderer security switch on (or off)', () => {
    const { webPreferences } = mainWindowOptions({ preloadPath: '/app/out/preload/index.cjs' })
    expect(webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
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
    })
  })

  it('uses the CommonJS preload and shows the window only when ready', () => {
    const options = mainWindowOptions({ preloadPath: '/p/index.cjs', iconPath: '/r/icon.png' })
    expect(options.webPreferences?.preload).toMatch(/\.cjs$/u)
    expect(options.show).toBe(false)
    expect(options.icon).toBe('/r/icon.png')
    expect('icon' in mainWindowOptions({ preloadPath: '/p/index.cjs' })).toBe(false)
  })

  it('takes restored bounds, else the default size', () => {
    expect(mainWindowOptions({ preloadPath: '/p/index.cjs' })).toMatchObject({ width: 1100, height: 720 })
    expect('x' in mainWindowOptions({ preloadPath: '/p/index.cjs' })).toBe(false)
    const bounds = { x: 10, y: 20, width: 900, height: 600 }
    expect(mainWindowOptions({ preloadPath: '/p/index.cjs', bounds })).toMatchObject(bounds)
  })
})
