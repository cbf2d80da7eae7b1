import { MicroPython } from './dist/index.js';
const mp = await MicroPython.create({});
for (let i = 0; i < 2000; i++) await mp.eval('1+1');
const n = 10000; const t = performance.now();
for (let i = 0; i < n; i++) await mp.eval('1+1');
console.log('eval µs', ((performance.now() - t) * 1000 / n).toFixed(1));
await mp.dispose();
