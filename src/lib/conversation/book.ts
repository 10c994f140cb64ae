/** Per-turn bookkeeping of running requests: nothing here is shown, so none of it is reactive state. */
import type { TurnStream } from './events';

export class TurnBook {
  /** The reducer's state of each turn with a request in flight (or interrupted, for a resume). */
  readonly streams = new Map<string, TurnStream>();
  readonly controllers = new Map<string, AbortController>();
  /** The pending IndexedDB write of each turn (writes of one turn are chained). */
  readonly saving = new Map<string, Promise<void>>();
  /** Turns already resumed once by themselves after a dropped connection. */
  readonly autoResumed = new Set<string>();
}
