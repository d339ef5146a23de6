import { describe, expect, it } from 'vitest'
import { isAllowedRequestUrl, isAppPageUrl, rendererTarget } from './renderer-target.ts'

const file = rendererTarget({ indexHtmlPath: '/opt/Ciphermoon/resources/app.asar/out/renderer/index.html', isPackaged: true })
const dev = rendererTarget({ indexHtmlPath: '/x/index.html', devServerUrl: 'http://localhost:5173/', isPackaged: false })

describe('rendererTarget', () => {
  it('uses the file in production and ignores ELECTRON_RENDERER_URL when packaged', () => {
    expect(file).toEqual({
      kind: 'file',
      url: 'file:///opt/Ciphermoon/resources/app.asar/out/renderer/index.html',
      rendererDir: '/opt/Ciphermoon/resources/app.asar/out/renderer',
    })
    expect(rendererTarget({ indexHtmlPath: '/a/index.html', devServerUrl: 'http://localhost:5173', isPackaged: true }).kind).toBe('file')
  })

  it('uses a loopback dev server in development only', () => {
    expect(dev).toEqual({ kind: 'dev', url: 'http://localhost:5173/', origin: 'http://localhost:5173' })
    expect(() => rendererTarget({ indexHtmlPath: '/a', devServerUrl: 'https://evil.example/', isPackaged: false })).toThrow(/loopback/u)
    expect(() => rendererTarget({ indexHtmlPath: '/a', devServerUrl: 'http://192.168.1.2:5173/', isPackaged: false })).toThrow(/loopback/u)
  })
})

describe('isAppPageUrl', () => {
  it('accepts our index.html (with a hash or query) only', () => {
    expect(isAppPageUrl(file, file.url)).toBe(true)
    expect(isAppPageUrl(file, `${file.url}#/chat`)).toBe(true)
    expect(isAppPageUrl(file, `${file.url}?x=1`)).toBe(true)
    expect(isAppPageUrl(file, 'file:///opt/Ciphermoon/resources/app.asar/out/renderer/other.html')).toBe(false)
    expect(isAppPageUrl(file, 'file:///tmp/index.html')).toBe(false)
    expect(isAppPageUrl(file, 'file:///opt/Ciphermoon/resources/app.asar/out/renderer/x/../index.html')).toBe(true)
    expect(isAppPageUrl(file, 'https://example.org/')).toBe(false)
    expect(isAppPageUrl(file, 'about:blank')).toBe(false)
    expect(isAppPageUrl(file, '')).toBe(false)
  })

  it('accepts the dev server origin in development', () => {
    expect(isAppPageUrl(dev, 'http://localhost:5173/')).toBe(true)
    expect(isAppPageUrl(dev, 'http://localhost:5174/')).toBe(false)
    expect(isAppPageUrl(dev, 'http://127.0.0.1:5173/')).toBe(false)
  })
})

describe('isAllowedRequestUrl', () => {
  it.each([
    [file.url, true],
    ['file:///opt/Ciphermoon/resources/app.asar/out/renderer/assets/index-abc.js', true],
    ['data:image/png;base64,AAAA', true],
    ['devtools://devtools/bundled/inspector.html', true],
    ['file:///opt/Ciphermoon/resources/app.asar/out/main/index.js', false],
    ['file:///opt/Ciphermoon/resources/app.asar/out/renderer/../main/index.js', false],
    ['file:///opt/Ciphermoon/resources/app.asar/out/renderer/%2e%2e/main/index.js', false],
    ['file:///opt/Ciphermoon/resources/app.asar/out/renderer/..%2fmain/index.js', false],
    ['file:///opt/Ciphermoon/resources/app.asar/out/renderer-evil/x.js', false],
    ['file://remote-host/opt/Ciphermoon/resources/app.asar/out/renderer/x.js', false],
    ['file:///etc/passwd', false],
    ['https://example.org/tracker.png', false],
    ['http://127.0.0.1:5280/', false],
    ['ws://127.0.0.1:1234/', false],
    ['blob:file:///abc', false],
    ['nonsense', false],
  ])('file target: %s → %s', (url, allowed) => {
    expect(isAllowedRequestUrl(file, url)).toBe(allowed)
  })

  it.each([
    ['http://localhost:5173/src/main.ts', true],
    ['ws://localhost:5173/', true],
    ['http://localhost:5174/', false],
    ['ws://localhost:9999/', false],
    ['https://example.org/', false],
    ['file:///etc/passwd', false],
  ])('dev target: %s → %s', (url, allowed) => {
    expect(isAllowedRequestUrl(dev, url)).toBe(allowed)
  })
})
