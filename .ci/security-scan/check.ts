import type ts from 'typescript'
import type { Finding } from './findings.ts'
import { positionOf, type CodeProgram } from './program.ts'

export interface HtmlFile {
  path: string
  text: string
}

/** A function whose result may be handed to shell.openExternal: it returns a checked URL (or null). */
export interface UrlValidator {
  file: string
  name: string
}

export interface ScanContext {
  code: CodeProgram
  html: readonly HtmlFile[]
  urlValidators: readonly UrlValidator[]
}

/** One group of related checks. */
export interface Check {
  /** What it looks for, for the report header. */
  title: string
  run(context: ScanContext): Finding[]
}

/** A finding at a node of the scanned code. */
export function findingAt(context: ScanContext, check: string, node: ts.Node, message: string): Finding {
  return { check, file: context.code.pathOf(node.getSourceFile()), ...positionOf(node), message }
}

/** A finding at an offset of an HTML file. */
export function findingInHtml(file: HtmlFile, check: string, offset: number, message: string): Finding {
  const before = file.text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  return { check, file: file.path, line, column, message }
}
