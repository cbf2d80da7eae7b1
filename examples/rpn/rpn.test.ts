// The rpn library's MicroPython tests, run by vitest through mpy/vitest:
// each test method of tests/test_*.py is reported as its own vitest test.
import { fileURLToPath } from 'node:url';
import { describePython } from 'mpy/vitest';

describePython('tests/test_*.py', {
  root: fileURLToPath(new URL('.', import.meta.url)),
  mounts: { '/lib': './lib' },
});
