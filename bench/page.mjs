#!/usr/bin/env node
/**
 * Benchmark: the BACE v3 respondent page (30 items) as a respondent's phone gets it.
 *
 * 1. Bytes: the page from the real server (`node dist/cli/main.js serve`, SQLite) with Accept-Encoding gzip,
 *    br and none — the body and the response headers, HTML + CSS + JS (CSS and JS are inline; the page makes no
 *    other request). Goal ≤ 30 KB compressed.
 * 2. Zero required JavaScript: the page is loaded with JavaScript disabled and the first answer can still be
 *    given (a radio button visible and enabled inside a <form method="post">).
 * 3. Time until the first answer can be given, in Chromium (playwright-core, /usr/bin/chromium) under emulated
 *    slow 3G through the DevTools protocol: 400 kbit/s down and up, 400 ms round trip
 *    (Network.emulateNetworkConditions), 4× CPU slowdown (Emulation.setCPUThrottlingRate), a 360×740 phone
 *    viewport, a fresh browser context (empty cache) per run: from navigation start until the first
 *    `input[type=radio]` is visible and enabled (performance.now() in the page). Median of --runs.
 * Peer, in the same run: SurveyJS (survey-core + survey-js-ui, the library's own minified browser bundles and
 * stylesheet, fetched with `npm pack` into a temporary directory, not installed) — its bytes (gzip, brotli)
 * and the same time-to-first-answer for a 30-question page rendered by it, served compressed from loopback.
 *
 * Usage: npm run build && node bench/page.mjs [--runs 3] [--no-peer]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import {
  arg,
  BACE_ITEMS,
  baceDefinition,
  createLaunchedStudy,
  flag,
  fmt,
  machine,
  ROOT,
  requireBuild,
  startNabz,
  tempDir,
} from './lib/common.mjs';

requireBuild();
const runs = Number(arg('runs', '3'));
const withPeer = !flag('no-peer');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SLOW_3G = {
  offline: false,
  latency: 400,
  downloadThroughput: 400_000 / 8,
  uploadThroughput: 400_000 / 8,
};
const CPU_SLOWDOWN = 4;

const gzip = (b) => gzipSync(b, { level: 9 });
const brotli = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** GET with an Accept-Encoding; the bytes as they come over the wire (body not decoded) and the header size. */
function fetchRaw(url, encoding) {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: encoding ? { 'accept-encoding': encoding } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n${res.rawHeaders.reduce(
          (acc, v, i) => (i % 2 ? `${acc}: ${v}\r\n` : `${acc}${v}`),
          '',
        )}\r\n`;
        resolve({
          status: res.statusCode,
          encoding: res.headers['content-encoding'] ?? 'identity',
          body: Buffer.concat(chunks),
          headerBytes: Buffer.byteLength(head),
          headers: res.headers,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

console.log(`machine: ${machine()}`);
let chromiumVersion = '';
try {
  chromiumVersion = execFileSync(CHROMIUM, ['--version'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
} catch {
  throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).`);
}
console.log(
  `browser: ${chromiumVersion}; slow 3G = 400 kbit/s down/up, 400 ms RTT; CPU ${CPU_SLOWDOWN}× slower; 360×740`,
);

// The BACE page first, so that the link a respondent opens shows the 30 items (the heaviest page).
const definition = {
  ...baceDefinition(),
  languages: ['en', 'ur'],
  collection: {
    pages: [{ items: ['instrument:bace3'] }, { items: ['age', 'gender', 'training', 'specialty'] }],
  },
};
const tmp = tempDir('nabz-page-');
const dataDir = join(tmp.dir, 'data');
const study = await createLaunchedStudy({ kind: 'sqlite', file: join(dataDir, 'nabz.sqlite') }, definition);
const server = await startNabz({ dataDir });
const url = `${server.url}/s/${study.token}?lang=en`;

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});

/** One cold load under slow 3G: ms until the first radio button can be pressed, bytes over the wire, requests. */
async function firstAnswer(target, { javaScript = true } = {}) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    javaScriptEnabled: javaScript,
    userAgent:
      'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36',
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', SLOW_3G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
  let bytes = 0;
  let requests = 0;
  const external = new Set();
  cdp.on('Network.requestWillBeSent', (e) => {
    requests++;
    const u = new URL(e.request.url);
    if (u.hostname !== '127.0.0.1' && u.protocol !== 'data:') external.add(u.hostname);
  });
  cdp.on('Network.loadingFinished', (e) => {
    bytes += e.encodedDataLength;
  });
  await page.goto(target, { waitUntil: 'commit', timeout: 120_000 });
  const ms = await page.waitForFunction(
    () => {
      const r = document.querySelector('input[type=radio]');
      if (!r || r.disabled) return false;
      const box = (r.closest('label') ?? r).getBoundingClientRect();
      const st = getComputedStyle(r);
      return box.width > 0 && box.height > 0 && st.visibility !== 'hidden' && st.display !== 'none'
        ? performance.now()
        : false;
    },
    null,
    { polling: 10, timeout: 120_000 },
  );
  const t = await ms.jsonValue();
  const inForm = await page.evaluate(() =>
    Boolean(document.querySelector('form[method=post] input[type=radio]')),
  );
  await page.waitForLoadState('load', { timeout: 120_000 });
  await context.close();
  return { ms: t, bytes, requests, external: [...external], inForm };
}

// 1. Bytes on the wire.
const enc = {};
for (const e of ['br', 'gzip', '']) enc[e || 'none'] = await fetchRaw(url, e);
const plain = enc.none.body;
const html = plain.toString('utf8');
const cssBytes = Buffer.byteLength(/<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '');
const jsBytes = Buffer.byteLength(/<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '');
const radios = (html.match(/<input type="radio"/g) ?? []).length;
const uniqueItems = new Set(html.match(/name="bace3_\d\d"/g) ?? []).size;
const externalRefs = [...html.matchAll(/(?:src|href)="(https?:)?\/\/([^"/]+)/g)].map((m) => m[2]);

// 2. and 3. In Chromium.
const noJs = [];
const withJs = [];
for (let i = 0; i < runs; i++) {
  noJs.push(await firstAnswer(url, { javaScript: false }));
  withJs.push(await firstAnswer(url, { javaScript: true }));
}
await server.stop();

// The peer.
let peer;
if (withPeer) {
  const dir = join(tmp.dir, 'peer');
  mkdirSync(dir, { recursive: true });
  const uiVersion = execFileSync('npm', ['view', 'survey-js-ui', 'version'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
  execFileSync('npm', ['pack', '--silent', `survey-core@${uiVersion}`, `survey-js-ui@${uiVersion}`], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.tgz'))) {
    const into = join(dir, f.slice(0, -'.tgz'.length));
    mkdirSync(into, { recursive: true });
    execFileSync('tar', ['xzf', join(dir, f), '-C', into]);
  }
  const core = join(dir, `survey-core-${uiVersion}`, 'package');
  const ui = join(dir, `survey-js-ui-${uiVersion}`, 'package');
  const files = {
    'survey.core.min.js': readFileSync(join(core, 'survey.core.min.js')),
    'survey-js-ui.min.js': readFileSync(join(ui, 'survey-js-ui.min.js')),
    // The stylesheet without web fonts (the default one also loads Open Sans from fonts.gstatic.com).
    'survey-core.fontless.min.css': readFileSync(join(core, 'survey-core.fontless.min.css')),
  };
  const defaultCss = readFileSync(join(core, 'survey-core.min.css'));
  const { getInstrument } = await import(join(ROOT, 'dist', 'instruments', 'index.js'));
  const baceItems = getInstrument('bace3').items;
  const questions = Array.from({ length: 30 }, (_, i) => ({
    type: 'radiogroup',
    name: BACE_ITEMS[i],
    title: baceItems[i]?.text?.en ?? `BACE item ${i + 1}`,
    choices: [
      { value: 0, text: 'Not at all' },
      { value: 1, text: 'A little' },
      { value: 2, text: 'Quite a lot' },
      { value: 3, text: 'A lot' },
      { value: 9, text: 'Not applicable' },
    ],
    colCount: 0,
  }));
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>BACE v3</title><link rel="icon" href="data:,"><link rel="stylesheet" href="survey-core.fontless.min.css"><script src="survey.core.min.js"></script><script src="survey-js-ui.min.js"></script></head><body><div id="s"></div><script>SurveyUI.renderSurvey(new Survey.Model(${JSON.stringify({ title: 'Barriers to Access to Care Evaluation (BACE v3)', pages: [{ elements: questions }] })}), document.getElementById('s'));</script></body></html>`;
  files['index.html'] = Buffer.from(page);
  const compressed = Object.fromEntries(
    Object.entries(files).map(([k, v]) => [
      k,
      {
        br: brotli(v),
        gzip: gzip(v),
      },
    ]),
  );
  const types = { html: 'text/html; charset=utf-8', js: 'text/javascript', css: 'text/css' };
  const peerServer = createServer((req, res) => {
    const name = (req.url ?? '/').split('?')[0].slice(1) || 'index.html';
    const f = compressed[name];
    if (!f) return res.writeHead(404).end();
    const ae = String(req.headers['accept-encoding'] ?? '');
    const e = ae.includes('br') ? 'br' : 'gzip';
    res.writeHead(200, {
      'content-type': types[name.split('.').pop()],
      'content-encoding': e,
      'cache-control': 'no-store',
    });
    res.end(f[e]);
  });
  await new Promise((r) => peerServer.listen(0, '127.0.0.1', r));
  const peerUrl = `http://127.0.0.1:${peerServer.address().port}/index.html`;
  const timings = [];
  for (let i = 0; i < Math.max(1, Math.min(runs, 2)); i++) timings.push(await firstAnswer(peerUrl));
  await new Promise((r) => peerServer.close(r));
  peer = {
    version: uiVersion,
    files: Object.fromEntries(
      Object.entries(files).map(([k, v]) => [
        k,
        { raw: v.length, gzip: compressed[k].gzip.length, br: compressed[k].br.length },
      ]),
    ),
    defaultCss: { raw: defaultCss.length, gzip: gzip(defaultCss).length, br: brotli(defaultCss).length },
    timings,
  };
}
await browser.close();
tmp.remove();

const nabzBr = enc.br.body.length;
const nabzGz = enc.gzip.body.length;
console.log('');
console.log(`nabz BACE page: ${uniqueItems} BACE items (${radios} radio buttons), status ${enc.br.status}`);
console.log(
  `  bytes over the wire (body): brotli ${fmt.int(nabzBr)} B (${enc.br.encoding}), gzip ${fmt.int(nabzGz)} B (${enc.gzip.encoding}), uncompressed ${fmt.int(plain.length)} B; ` +
    `response headers ${fmt.int(enc.br.headerBytes)} B`,
);
console.log(
  `  of which inline CSS ${fmt.int(cssBytes)} B and inline JS ${fmt.int(jsBytes)} B (uncompressed); other requests: ${externalRefs.length ? externalRefs.join(', ') : 'none'}`,
);
console.log(
  `  goal ≤ 30 KB compressed: ${Math.max(nabzBr, nabzGz) <= 30_000 ? 'met' : 'NOT met'} (${fmt.kb(nabzGz)} gzip incl. ${fmt.kb(enc.gzip.headerBytes)} headers → ${fmt.kb(nabzGz + enc.gzip.headerBytes)})`,
);
console.log(
  `  without JavaScript: first answer possible in all ${noJs.length} runs: ${noJs.every((r) => r.inForm) ? 'yes' : 'NO'} (radio inside <form method="post">)`,
);
const row = (name, rs) =>
  `| ${name} | ${fmt.int(median(rs.map((r) => r.ms)))} ms | ${rs.map((r) => fmt.int(r.ms)).join(', ')} | ${fmt.int(median(rs.map((r) => r.bytes)))} B | ${rs[0].requests} | ${rs[0].external.length ? rs[0].external.join(' ') : 'none'} |`;
console.log('');
console.log(
  '| page (slow 3G, 4× CPU) | first answer possible (median) | runs | bytes received (CDP) | requests | third-party hosts |',
);
console.log('|---|---:|---|---:|---:|---|');
console.log(row('nabz, JavaScript off', noJs));
console.log(row('nabz, JavaScript on', withJs));
if (peer) console.log(row(`SurveyJS ${peer.version} (survey-core + survey-js-ui)`, peer.timings));
if (peer) {
  const total = (k) => Object.values(peer.files).reduce((a, f) => a + f[k], 0);
  console.log('');
  console.log(`peer bundle (SurveyJS ${peer.version}, npm pack): `);
  for (const [name, f] of Object.entries(peer.files))
    console.log(`  ${name}: ${fmt.int(f.raw)} B raw, ${fmt.int(f.gzip)} B gzip, ${fmt.int(f.br)} B brotli`);
  console.log(
    `  (default stylesheet survey-core.min.css: ${fmt.int(peer.defaultCss.gzip)} B gzip, plus Open Sans from fonts.gstatic.com)`,
  );
  console.log(
    `  total: ${fmt.int(total('gzip'))} B gzip, ${fmt.int(total('br'))} B brotli — ${fmt.x(total('gzip') / nabzGz)} the nabz page (gzip), ${fmt.x(total('br') / nabzBr)} (brotli); ` +
      `first answer ${fmt.x(median(peer.timings.map((r) => r.ms)) / median(withJs.map((r) => r.ms)))} later than nabz with JavaScript`,
  );
}
