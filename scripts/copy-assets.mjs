// Copies the front-end files Sidebar serves from node_modules into static/vendor (run by `npm run build`),
// or into the directory given as the first argument (`node scripts/copy-assets.mjs /tmp/vendor`).
//
// A file that names a source map (`sourceMappingURL=…`) gets its map copied next to it: collectstatic with
// DEBUG off (whitenoise's manifest storage) refuses a file that refers to one that is not there.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const output = process.argv[2] ?? join("static", "vendor");
const files = {
  "node_modules/@picocss/pico/css/pico.min.css": "pico/pico.min.css",
  "node_modules/chart.js/dist/chart.umd.min.js": "chartjs/chart.umd.min.js",
  "node_modules/axe-core/axe.min.js": "axe-core/axe.min.js",
};

function sourceMap(path) {
  const found = [...readFileSync(path, "utf8").matchAll(/[#@] sourceMappingURL=(\S+?)(?:\s*\*\/)?\s*$/gm)];
  const name = found.at(-1)?.[1];
  return name && !name.startsWith("data:") ? name : null;
}

function copy(source, destination) {
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(source, destination);
  console.log(destination);
}

for (const [source, target] of Object.entries(files)) {
  const destination = join(output, target);
  copy(source, destination);
  const map = sourceMap(source);
  if (map) {
    const mapSource = join(dirname(source), map);
    if (!existsSync(mapSource)) {
      throw new Error(`${source} names the source map ${map}, which its package does not ship`);
    }
    copy(mapSource, join(dirname(destination), map));
  }
}
