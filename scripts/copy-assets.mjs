// Copies the front-end files Sidebar serves from node_modules into static/vendor (run by `npm run build`).
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

const files = {
  "node_modules/@picocss/pico/css/pico.min.css": "pico/pico.min.css",
  "node_modules/chart.js/dist/chart.umd.min.js": "chartjs/chart.umd.min.js",
  "node_modules/axe-core/axe.min.js": "axe-core/axe.min.js",
};
for (const [source, target] of Object.entries(files)) {
  const destination = join("static", "vendor", target);
  mkdirSync(dirname(destination), { recursive: true });
  copyFileSync(source, destination);
  console.log(`static/vendor/${target}`);
}
