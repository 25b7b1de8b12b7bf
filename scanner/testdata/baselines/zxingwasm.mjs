// Decodes the PGM frames named on stdin with zxing-cpp 2.x (the zxing-wasm build) and
// prints one JSON line per frame: the texts found and the milliseconds the decode took.
// Usage: node zxingwasm.mjs NODE_MODULES_DIR < list
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
const reader = await import(pathToFileURL(join(modules, "zxing-wasm/dist/es/reader/index.js")).href);
const wasm = readFileSync(join(modules, "zxing-wasm/dist/reader/zxing_reader.wasm"));
await reader.prepareZXingModule({ overrides: { wasmBinary: wasm }, fireImmediately: true });

function readPGM(path) {
  const buf = readFileSync(path);
  const head = buf.subarray(0, 64).toString("latin1").split(/\s+/);
  const [w, h] = [Number(head[1]), Number(head[2])];
  const pix = buf.subarray(buf.length - w * h);
  const rgba = new Uint8ClampedArray(w * h * 4);
  for (let i = 0; i < w * h; i++) {
    rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = pix[i];
    rgba[4 * i + 3] = 255;
  }
  return { data: rgba, width: w, height: h, colorSpace: "srgb" };
}

for await (const line of createInterface({ input: process.stdin })) {
  const img = readPGM(line.trim());
  const start = performance.now();
  const found = await reader.readBarcodes(img, { formats: ["QRCode"], tryHarder: true, maxNumberOfSymbols: 4 });
  const ms = performance.now() - start;
  console.log(JSON.stringify({ texts: found.filter((r) => r.isValid).map((r) => r.text), ms }));
}
