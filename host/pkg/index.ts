/** Writing distribution packages and resources: the library API behind `mpy sdist` and `mpy bin2res`. */
export { buildSdist, type SdistOptions, type SdistResult } from './sdist.js';
export { bin2res, type Bin2ResOptions } from './bin2res.js';
export { renderResourceModule, type Resource } from './resource-module.js';
export { writeTar, type TarInput, type TarWriterOptions } from './tar-writer.js';
export { gzipSmallWindow, type GzipOptions } from './gzip-writer.js';
export { PackagingError, type PackagingErrorCode } from './errors.js';
