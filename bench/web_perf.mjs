// Page weight and time to interactive of the counter screen, measured in Debian's Chromium with
// Playwright against a running `dangol serve` with demo data (see bench/web-perf, which starts
// one). Prints one JSON object. Usage: node bench/web_perf.mjs BASE_URL EMAIL PASSWORD [RUNS]
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import zlib from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "web", "package.json"));
const { chromium } = require("@playwright/test");

const [base, email, password, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 10);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const browser = await chromium.launch({
  executablePath: process.env.DANGOL_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--disable-gpu", "--no-first-run", "--disable-background-networking"],
});
const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: "ko-KR" });
const login = await context.request.post(`${base}/api/v1/auth/login`, { data: { email, password } });
if (!login.ok()) throw new Error(`login: ${login.status()}`);

// Weight: every script and stylesheet the counter screen loads, raw and gzip (level 9).
const page = await context.newPage();
const assets = [];
page.on("response", async (response) => {
  const type = response.request().resourceType();
  if (type !== "script" && type !== "stylesheet") return;
  const body = await response.body();
  assets.push({ url: new URL(response.url()).pathname, type, raw: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length });
});
await page.goto(`${base}/`, { waitUntil: "networkidle" });
await page.getByRole("search").waitFor();

// Time to interactive: from navigation start until the search box is on screen and takes a
// keystroke, with a cold cache each run (a new context) and with the cache warm (a reload).
const measure = async (target) => {
  const start = Date.now();
  await target.goto(`${base}/`);
  const box = target.getByRole("searchbox");
  await box.waitFor();
  await box.fill("4821");
  const wall = Date.now() - start;
  const timing = await target.evaluate(() => {
    const [nav] = performance.getEntriesByType("navigation");
    return { dom_content_loaded: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, now: performance.now() };
  });
  return { wall, ...timing };
};
const cold = [];
const warm = [];
for (let i = 0; i < runs; i++) {
  const fresh = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: "ko-KR",
                                           storageState: await context.storageState() });
  const tab = await fresh.newPage();
  cold.push(await measure(tab));
  warm.push(await measure(tab));
  await fresh.close();
}
await browser.close();

const sum = (key) => assets.reduce((total, asset) => total + asset[key], 0);
console.log(JSON.stringify({
  assets,
  js_css_raw_bytes: sum("raw"),
  js_css_gzip_bytes: sum("gzip"),
  runs,
  cold_median_ms: { interactive: median(cold.map((r) => r.now)), dom_content_loaded: median(cold.map((r) => r.dom_content_loaded)), wall: median(cold.map((r) => r.wall)) },
  warm_median_ms: { interactive: median(warm.map((r) => r.now)), dom_content_loaded: median(warm.map((r) => r.dom_content_loaded)), wall: median(warm.map((r) => r.wall)) },
}, null, 2));
