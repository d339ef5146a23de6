import { open, readFile, stat } from 'node:fs/promises'

/** Size of a file in bytes, 0 if it does not exist yet. */
export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

/** Text appended to `path` after byte `offset` ('' if the file does not exist). */
export async function readFrom(path: string, offset: number): Promise<string> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch {
    return ''
  }
  try {
    const { size } = await handle.stat()
    if (size <= offset) return ''
    const buffer = Buffer.alloc(size - offset)
    await handle.read(buffer, 0, buffer.length, offset)
    return buffer.toString('utf8')
  } finally {
    await handle.close()
  }
}

/** The last `lineCount` lines of a text file, or a note that it is missing. */
export async function tailOf(path: string, lineCount: number): Promise<string> {
  try {
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n')
    return lines.slice(-lineCount).join('\n')
  } catch {
    return `(no file ${path})`
  }
}
