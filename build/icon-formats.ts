/**
 * Icon containers written by hand from PNG payloads (no image library): Windows .ico and macOS .icns.
 * Used by build/render-icon.ts; pure functions, so build/electron-builder-config.test.ts can test them.
 *
 * ICO: ICONDIR (6 bytes) + one ICONDIRENTRY (16 bytes) per image + the PNG files, little-endian.
 *   PNG-compressed entries are valid since Windows Vista; width/height 0 means 256.
 * ICNS: 'icns' + total length, then per image an OSType + entry length (8 + data) + the PNG, big-endian.
 */

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** Sizes of the square PNGs rendered from resources/icon.svg. */
export const LINUX_ICON_SIZES = [16, 24, 32, 48, 64, 128, 256, 512] as const
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const

/** ICNS entry types that hold PNG data, with the pixel size each one must have. */
export const ICNS_TYPES = [
  { type: 'icp4', size: 16 },
  { type: 'icp5', size: 32 },
  { type: 'icp6', size: 64 },
  { type: 'ic07', size: 128 },
  { type: 'ic08', size: 256 },
  { type: 'ic09', size: 512 },
  { type: 'ic10', size: 1024 }, // 512@2x
  { type: 'ic11', size: 32 }, // 16@2x
  { type: 'ic12', size: 64 }, // 32@2x
  { type: 'ic13', size: 256 }, // 128@2x
  { type: 'ic14', size: 512 }, // 256@2x
] as const

/** Every size that has to be rendered for the sets above. */
export const ALL_ICON_SIZES: readonly number[] = [
  ...new Set<number>([...LINUX_ICON_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map((entry) => entry.size)]),
].sort((a, b) => a - b)

/** Width and height from a PNG's IHDR chunk; throws if the buffer is not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const buffer = Buffer.from(png.buffer, png.byteOffset, png.byteLength)
  if (buffer.length < 24 || !buffer.subarray(0, 8).equals(PNG_SIGNATURE) || buffer.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG file')
  }
  return { width: buffer.readUInt32BE(16), height: buffer.readUInt32BE(20) }
}

/** A .ico file holding the given square PNGs (each at most 256 px). */
export function encodeIco(pngs: readonly Uint8Array[]): Buffer {
  const header = Buffer.alloc(6 + 16 * pngs.length)
  header.writeUInt16LE(0, 0) // reserved
  header.writeUInt16LE(1, 2) // type 1 = icon
  header.writeUInt16LE(pngs.length, 4)
  let offset = header.length
  pngs.forEach((png, index) => {
    const { width, height } = pngSize(png)
    if (width > 256 || height > 256) throw new Error(`ICO images are at most 256 px, got ${width}×${height}`)
    const entry = 6 + 16 * index
    header.writeUInt8(width === 256 ? 0 : width, entry)
    header.writeUInt8(height === 256 ? 0 : height, entry + 1)
    header.writeUInt8(0, entry + 2) // no palette
    header.writeUInt8(0, entry + 3) // reserved
    header.writeUInt16LE(1, entry + 4) // colour planes
    header.writeUInt16LE(32, entry + 6) // bits per pixel
    header.writeUInt32LE(png.byteLength, entry + 8)
    header.writeUInt32LE(offset, entry + 12)
    offset += png.byteLength
  })
  return Buffer.concat([header, ...pngs])
}

export interface IcoEntry {
  width: number
  height: number
  bitsPerPixel: number
  data: Buffer
}

/** Reads a .ico file's directory; throws on a malformed header or an entry outside the file. */
export function parseIco(ico: Buffer): IcoEntry[] {
  if (ico.length < 6 || ico.readUInt16LE(0) !== 0 || ico.readUInt16LE(2) !== 1) throw new Error('not an ICO file')
  const count = ico.readUInt16LE(4)
  if (ico.length < 6 + 16 * count) throw new Error('ICO directory truncated')
  return Array.from({ length: count }, (_, index) => {
    const entry = 6 + 16 * index
    const size = ico.readUInt32LE(entry + 8)
    const offset = ico.readUInt32LE(entry + 12)
    if (offset + size > ico.length) throw new Error(`ICO entry ${index} lies outside the file`)
    return {
      width: ico.readUInt8(entry) || 256,
      height: ico.readUInt8(entry + 1) || 256,
      bitsPerPixel: ico.readUInt16LE(entry + 6),
      data: ico.subarray(offset, offset + size),
    }
  })
}

/** A .icns file with one PNG entry per type. */
export function encodeIcns(entries: readonly { type: string; png: Uint8Array }[]): Buffer {
  const chunks = entries.map(({ type, png }) => {
    if (!/^[\x20-\x7e]{4}$/u.test(type)) throw new Error(`bad ICNS type ${JSON.stringify(type)}`)
    const chunkHeader = Buffer.alloc(8)
    chunkHeader.write(type, 0, 'latin1')
    chunkHeader.writeUInt32BE(8 + png.byteLength, 4)
    return Buffer.concat([chunkHeader, png])
  })
  const header = Buffer.alloc(8)
  header.write('icns', 0, 'latin1')
  header.writeUInt32BE(8 + chunks.reduce((total, chunk) => total + chunk.length, 0), 4)
  return Buffer.concat([header, ...chunks])
}

/** Reads a .icns file's entries; throws on a bad magic, length or entry. */
export function parseIcns(icns: Buffer): { type: string; data: Buffer }[] {
  if (icns.length < 8 || icns.toString('latin1', 0, 4) !== 'icns') throw new Error('not an ICNS file')
  if (icns.readUInt32BE(4) !== icns.length) throw new Error('ICNS length does not match the file size')
  const entries: { type: string; data: Buffer }[] = []
  for (let offset = 8; offset < icns.length; ) {
    if (offset + 8 > icns.length) throw new Error('ICNS entry header truncated')
    const length = icns.readUInt32BE(offset + 4)
    if (length < 8 || offset + length > icns.length) throw new Error(`bad ICNS entry length at ${offset}`)
    entries.push({ type: icns.toString('latin1', offset, offset + 4), data: icns.subarray(offset + 8, offset + length) })
    offset += length
  }
  return entries
}
