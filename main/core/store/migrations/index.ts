import type { Db } from '../db.ts'
import { initial } from './0001-initial.ts'
import { omemo } from './0002-omemo.ts'
import { delivery } from './0003-delivery.ts'

export interface Migration {
  version: number
  name: string
  up(db: Db): void
}

/** Every migration, in order; version N is at index N-1. */
export const migrations: readonly Migration[] = [initial, omemo, delivery]
