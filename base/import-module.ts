/**
 * `import()` of a module named by URL or package name, for code that may run
 * inside one of mpy's bundles (`bundle.ts`): a bundle is a classic script,
 * where `import()` does not work, so the bundle build puts its loader's
 * `import()` in this module's place.
 *
 * @module
 */

/** Imports the module at an absolute URL, or a package by name (resolved from the package root's node_modules). */
export const importModule = (specifier: string): Promise<unknown> => import(specifier);
