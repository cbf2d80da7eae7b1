/**
 * Index v2 for a running server: the manifest trees' packages (read once at
 * start) and the package directory's catalog, rendered again when the
 * catalog changes (see live-catalog.ts for when that is noticed).
 *
 * @module
 */
import type { Catalog } from '../catalog.js';
import { buildV2, type V2Build } from './build.js';
import type { V2Package } from './model.js';

/** The current index v2 of a server. */
export class LiveV2 {
  readonly #trees: readonly V2Package[];
  readonly #warn: (line: string) => void;
  readonly #warned = new Set<string>();
  #catalog: Catalog | undefined | null = null;
  #build: Promise<V2Build> | undefined;
  // Only files added or changed since the last rendering are compiled again.
  readonly #compiled = new Map<string, Buffer>();

  /**
   * @param trees the packages of the manifest trees
   * @param warn receives each new problem line once
   */
  constructor(trees: readonly V2Package[], warn: (line: string) => void) {
    this.#trees = trees;
    this.#warn = warn;
  }

  /** The index for `catalog` (the same object as last time reuses the last rendering). */
  files(catalog: Catalog | undefined): Promise<V2Build> {
    if (this.#build && catalog === this.#catalog) return this.#build;
    this.#catalog = catalog;
    this.#build = buildV2(this.#trees, catalog, [], false, this.#compiled).then((b) => {
      for (const p of b.problems) {
        if (this.#warned.has(p)) continue;
        this.#warned.add(p);
        this.#warn(p);
      }
      return b;
    });
    // A failed rendering is retried on the next request.
    this.#build.catch(() => (this.#build = undefined));
    return this.#build;
  }
}
