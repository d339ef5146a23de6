import type { MenuItemConstructorOptions, NativeImage } from 'electron'
import { describe, expect, it } from 'vitest'
import { createTray, trayIconSize, trayMenuTemplate, trayTooltip, type TrayElectron } from './tray.ts'

describe('trayTooltip', () => {
  it('names the app and the unread total', () => {
    expect(trayTooltip(0)).toBe('Ciphermoon')
    expect(trayTooltip(1)).toBe('Ciphermoon — 1 unread')
    expect(trayTooltip(12)).toBe('Ciphermoon — 12 unread')
  })
})

describe('trayMenuTemplate', () => {
  it('offers Show and Quit', () => {
    const calls: string[] = []
    const template = trayMenuTemplate({ show: () => calls.push('show'), quit: () => calls.push('quit') })
    expect(template.map((item) => item.label ?? item.type)).toEqual(['Show Ciphermoon', 'separator', 'Quit'])
    const click = (item: MenuItemConstructorOptions) => (item.click as () => void)()
    click(template[0]!)
    click(template[2]!)
    expect(calls).toEqual(['show', 'quit'])
  })
})

describe('createTray', () => {
  it('sizes the icon, sets tooltip and menu, and shows the window on click', () => {
    const log: unknown[][] = []
    const listeners = new Map<string, () => void>()
    const image = { resize: (size: unknown) => (log.push(['resize', size]), image) } as unknown as NativeImage
    class FakeTray {
      readonly image: NativeImage
      constructor(image: NativeImage) {
        this.image = image
      }
      setToolTip(text: string) {
        log.push(['tooltip', text])
      }
      setContextMenu(menu: unknown) {
        log.push(['menu', (menu as MenuItemConstructorOptions[]).length])
      }
      on(event: string, listener: () => void) {
        listeners.set(event, listener)
        return this
      }
      destroy() {
        log.push(['destroy'])
      }
    }
    const electron = {
      Tray: FakeTray,
      Menu: { buildFromTemplate: (template: MenuItemConstructorOptions[]) => template },
      nativeImage: { createFromPath: (path: string) => (log.push(['load', path]), image) },
    } as unknown as TrayElectron
    let shown = 0
    const tray = createTray(electron, { iconPath: '/r/icon.png', platform: 'linux', show: () => shown++, quit: () => undefined })
    listeners.get('click')!()
    tray.setUnread(3)
    tray.destroy()
    expect(shown).toBe(1)
    expect(log).toEqual([
      ['load', '/r/icon.png'],
      ['resize', { width: 22, height: 22, quality: 'best' }],
      ['tooltip', 'Ciphermoon'],
      ['menu', 3],
      ['tooltip', 'Ciphermoon — 3 unread'],
      ['destroy'],
    ])
    expect(trayIconSize('darwin')).toBe(16)
    expect(trayIconSize('win32')).toBe(16)
  })
})
