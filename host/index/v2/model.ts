/**
 * What index v2 is built from, whatever the source (a manifest tree or a
 * directory of distribution packages): packages, their releases, and the
 * files each release installs.
 *
 * @module
 */

/** One file a release installs. */
export interface V2SourceFile {
  /** Path below the install target, `/`-separated (`pkg/mod.py`, `pkg/data.json`). */
  readonly target: string;
  /** The file as shipped in `package/py/` (source, or data). */
  readonly bytes: Buffer;
  /** mpy-cross optimisation level for `.py` files. */
  readonly opt: number | undefined;
  /** Where the file came from, for error messages. */
  readonly origin: string;
}

/** One release of a package. */
export interface V2Release {
  /** Version text, `''` when the source gave none. */
  readonly version: string;
  readonly files: readonly V2SourceFile[];
  /** Packages to install with it, from the same index. */
  readonly deps: readonly string[];
}

/** A package with all its releases. */
export interface V2Package {
  /** The name mip asks for. */
  readonly name: string;
  /** Other names it is served under too (for example a normalised spelling). */
  readonly aliases: readonly string[];
  readonly description: string;
  readonly license: string;
  readonly author: string;
  /** Its directory in the source tree, when it has one. */
  readonly path: string | undefined;
  /** Releases, oldest first; the last is `latest`. */
  readonly releases: readonly V2Release[];
}
