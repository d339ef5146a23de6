import { execFile } from 'node:child_process'

export interface CommandOutput {
  stdout: string
  stderr: string
}

/** Runs a program (no shell) and rejects with its output when it exits non-zero. */
export function runCommand(program: string, args: readonly string[], timeoutMs = 30_000): Promise<CommandOutput> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error) {
        const output = [stdout, stderr].filter((text) => text.trim() !== '').join('\n')
        reject(new Error(`${program} ${args.join(' ')} failed: ${error.message}\n${output}`, { cause: error }))
        return
      }
      resolve({ stdout, stderr })
    })
  })
}
