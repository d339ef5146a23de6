import { readFileSync } from 'node:fs'
import { availableParallelism, cpus, totalmem } from 'node:os'

/** One line describing where the numbers were taken. */
export function describeMachine(): string {
  let model = cpus()[0]?.model ?? 'unknown CPU'
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((entry) => entry.startsWith('model name'))
    if (line) model = line.slice(line.indexOf(':') + 1).trim()
  } catch {
    // not Linux: os.cpus() already gave the model
  }
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`
  return `${model} | ${availableParallelism()} cores | ${memory} | node ${process.version} (OpenSSL ${process.versions.openssl})`
}

export function packageVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }
  return manifest.version
}
