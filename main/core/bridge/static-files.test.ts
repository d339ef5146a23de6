import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { contentTypeFor, resolveStaticFile } from './static-files.ts'
import { makeSandbox } from './test-support.ts'

const sandbox = makeSandbox()
afterAll(() => sandbox.cleanup())

describe('resolveStaticFile', () => {
  it('maps / to index.html and finds assets', () => {
    expect(resolveStaticFile(sandbox.staticDir, '/')).toMatch(/www\/index\.html$/u)
    expect(resolveStaticFile(sandbox.staticDir, '/assets/app.js')).toMatch(/www\/assets\/app\.js$/u)
    expect(resolveStaticFile(sandbox.staticDir, '/assets/%61pp.js')).toMatch(/app\.js$/u)
  })

  it.each(['/../package.json', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/a/../../secret.txt', '/escape/secret.txt', '/..\\secret.txt', '/%5c..%5csecret.txt', '/\0', '/%00', '/%zz', 'relative.txt', '/assets', '/missing'])(
    'refuses %s',
    (path) => {
      expect(resolveStaticFile(sandbox.staticDir, path)).toBeNull()
    },
  )

  it('returns null for a root that does not exist', () => {
    expect(resolveStaticFile(join(sandbox.root, 'nope'), '/index.html')).toBeNull()
  })
})

describe('contentTypeFor', () => {
  it.each([
    ['a.html', 'text/html; charset=utf-8'],
    ['a.JS', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.woff2', 'font/woff2'],
    ['a.bin', 'application/octet-stream'],
    ['noext', 'application/octet-stream'],
  ])('%s → %s', (file, type) => {
    expect(contentTypeFor(file)).toBe(type)
  })
})
