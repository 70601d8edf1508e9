const V = 151936; const a = new Float32Array(V).map((_, i) => Math.sin(i) * 4);
for (let rep = 0; rep < 6; rep++) { const t0 = performance.now(); for (let r = 0; r < 10; r++) { const w = new Float64Array(V); let s = 0; for (let i = 0; i < V; i++) { const e = (a[i]! - 4) * 1; if (e > -40) s += (w[i] = Math.exp(e)); } } console.log('alloc each', ((performance.now() - t0) / 10).toFixed(2)); }
const w = new Float64Array(V);
for (let rep = 0; rep < 3; rep++) { const t0 = performance.now(); for (let r = 0; r < 10; r++) { let s = 0; for (let i = 0; i < V; i++) { const e = (a[i]! - 4) * 1; if (e > -40) s += (w[i] = Math.exp(e)); } } console.log('reuse', ((performance.now() - t0) / 10).toFixed(2)); }
