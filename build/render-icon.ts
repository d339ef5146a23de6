/**
 * Renders every icon from the one source, resources/icon.svg, with Debian's Chromium (playwright-core):
 * - resources/icon.png: 1024×1024, the window icon the app loads at runtime;
 * - build/icons/NxN.png: the Linux set (16…512 px), referenced by build/electron-builder.yml `linux.icon`;
 * - build/icon.ico: Windows (16…256 px PNG entries);
 * - build/icon.icns: macOS (icp4…ic14 PNG entries).
 * Each size is rasterised from the vector, not downscaled. Run after editing the SVG and commit the
 * outputs: `npm run icons` (`node build/render-icon.ts`). Chromium is launched as in the browser tests.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { launchChromium } from '../tests/helpers/browser.ts'
import { ALL_ICON_SIZES, ICNS_TYPES, ICO_SIZES, LINUX_ICON_SIZES, encodeIcns, encodeIco, pngSize } from './icon-formats.ts'

const fromHere = (path: string): string => fileURLToPath(new URL(path, import.meta.url))
const svgPath = fromHere('../resources/icon.svg')
const runtimePngPath = fromHere('../resources/icon.png')
const linuxIconDirectory = fromHere('./icons/')
const icoPath = fromHere('./icon.ico')
const icnsPath = fromHere('./icon.icns')

const svg = readFileSync(svgPath, 'utf8')
if (!svg.includes('width="512" height="512"')) throw new Error(`${svgPath}: expected width="512" height="512" on the root element`)

const pngs = new Map<number, Buffer>()
const browser = await launchChromium()
try {
  const page = await browser.newPage({ deviceScaleFactor: 1 })
  for (const size of ALL_ICON_SIZES) {
    await page.setViewportSize({ width: size, height: size })
    const sized = svg.replace('width="512" height="512"', `width="${size}" height="${size}"`)
    await page.setContent(`<!doctype html><body style="margin:0;background:transparent">${sized}</body>`)
    const png = await page.locator('svg').screenshot({ omitBackground: true })
    const actual = pngSize(png)
    if (actual.width !== size || actual.height !== size) throw new Error(`rendered ${actual.width}×${actual.height}, wanted ${size}`)
    pngs.set(size, png)
  }
} finally {
  await browser.close()
}

const pngOf = (size: number): Buffer => {
  const png = pngs.get(size)
  if (png === undefined) throw new Error(`no ${size} px rendering`)
  return png
}

function write(path: string, data: Buffer): void {
  writeFileSync(path, data)
  console.log(`wrote ${path} (${data.length} bytes)`)
}

write(runtimePngPath, pngOf(1024))
mkdirSync(linuxIconDirectory, { recursive: true })
for (const size of LINUX_ICON_SIZES) write(`${linuxIconDirectory}${size}x${size}.png`, pngOf(size))
write(icoPath, encodeIco(ICO_SIZES.map(pngOf)))
write(icnsPath, encodeIcns(ICNS_TYPES.map(({ type, size }) => ({ type, png: pngOf(size) }))))
