/**
 * Renders resources/icon.svg to resources/icon.png (1024×1024, transparent corners) with Debian's
 * Chromium. Run after editing the SVG: `node build/render-icon.ts`. electron-builder derives the
 * platform icons (icns, ico, Linux sizes) from the PNG.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const svgPath = fileURLToPath(new URL('../resources/icon.svg', import.meta.url))
const pngPath = fileURLToPath(new URL('../resources/icon.png', import.meta.url))
const size = 1024

const svg = readFileSync(svgPath, 'utf8').replace('width="512" height="512"', `width="${size}" height="${size}"`)
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] })
try {
  const page = await browser.newPage({ viewport: { width: size, height: size }, deviceScaleFactor: 1 })
  await page.setContent(`<!doctype html><body style="margin:0;background:transparent">${svg}</body>`)
  await page.locator('svg').screenshot({ path: pngPath, omitBackground: true })
  console.log(`wrote ${pngPath}`)
} finally {
  await browser.close()
}
