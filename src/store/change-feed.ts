import type { CatalogChange } from '../domain/catalog.js'

/** Hears a change: the products it touched; after a new epoch, or a gap in what was heard, every product. */
export type ChangeListener = (change: CatalogChange) => void

/**
 * Where the changes to the stock are heard, whichever process made them. A feed that loses touch with the
 * stock and regains it reports the newest state then, which may repeat a version already reported or skip
 * the ones in between: listeners keep the newest and ignore the rest.
 */
export interface ChangeFeed {
  /** Hears every change from now on; returns a function that stops the listening. */
  listen(listener: ChangeListener): () => void
  /** Resolves when changes reach this process; throws `StoreUnavailableError` when they may not. */
  check(): Promise<void>
}

/** A feed its store's repository tells of each change this process makes, as soon as it is made. */
export interface TellingFeed extends ChangeFeed {
  tell(change: CatalogChange): void
}

/** The feed of a store only this process uses: its repository tells it of each change it makes. */
export class LocalFeed implements TellingFeed {
  readonly #listeners = new Set<ChangeListener>()

  listen(listener: ChangeListener): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async check(): Promise<void> {}

  tell(change: CatalogChange): void {
    for (const listener of this.#listeners) listener(change)
  }

  close(): void {
    this.#listeners.clear()
  }
}
