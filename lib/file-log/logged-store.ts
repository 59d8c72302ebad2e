// What the file-backed stores (revocations, tokens) share around their log: one instance per
// real path per process, every caller's event sink, and the rule that a file failure is
// ERR_STORE_UNAVAILABLE with a `store.unavailable` event, never a silent pass.
import { StartGuardError, isStartGuardError } from '../errors';
import { emit, type EventSink } from '../events';
import { prepareFile } from './fs';

export abstract class LoggedStore {
  private readonly listeners = new Set<EventSink>();
  protected closed = false;

  constructor(
    protected readonly file: string,
    /** Names the store in messages: "revocation", "token". */
    private readonly what: string,
    protected readonly now: () => number,
    onEvent: EventSink | undefined,
  ) {
    this.listen(onEvent);
  }

  listen(onEvent: EventSink | undefined): void {
    if (onEvent !== undefined) this.listeners.add(onEvent);
  }

  /** Runs file work; a failure is ERR_STORE_UNAVAILABLE (and an event), never a silent pass. */
  protected io<T>(work: () => T): T {
    if (this.closed) throw this.closedError();
    try {
      return work();
    } catch (cause) {
      if (isStartGuardError(cause)) throw cause;
      throw this.unavailable('io', `cannot use the ${this.what} file ${this.file}`, cause);
    }
  }

  protected closedError(): StartGuardError {
    return new StartGuardError('ERR_STORE_UNAVAILABLE', `the ${this.what} store is closed`);
  }

  protected unavailable(reason: 'locked' | 'io', message: string, cause?: unknown): StartGuardError {
    const at = this.now();
    for (const sink of this.listeners) emit(sink, { type: 'store.unavailable', at, reason });
    return new StartGuardError('ERR_STORE_UNAVAILABLE', message, { cause });
  }
}

/**
 * The store of `path` in `registry` (keyed by real path, so symlinks and relative paths meet),
 * made on first use; a later caller's `onEvent` is added to it.
 */
export function openOnce<S extends LoggedStore>(
  registry: Map<string, S>,
  path: string,
  what: string,
  onEvent: EventSink | undefined,
  make: (file: string) => S,
): S {
  const file = prepareFile(path, what);
  let store = registry.get(file);
  if (store === undefined) {
    store = make(file);
    registry.set(file, store);
  } else {
    store.listen(onEvent);
  }
  return store;
}
