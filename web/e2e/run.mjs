// Browser test of the dashboard and GraphiQL against a running server, with Debian's
// Chromium driven by playwright-core (no browser download).
//
//   node run.mjs [BASE_URL]        (or BASE_URL=... node run.mjs; default http://127.0.0.1:8080)
//
// Against a server that runs only its trusted documents for anonymous clients
// (TRUSTED_DOCUMENTS_MODE=only), GraphiQL needs an API key: give one in E2E_API_KEY
// (`server keys create --org e2e --territory COUNTRY:FR --role READER`), which the test
// adds to GraphiQL's requests as a developer would in its headers pane.
//
// The server must hold the hierarchy, the SGPE file, and for the roadmap some adopted
// commitments (e.g. `server seed demo`). Each check prints "ok" or "not ok"; the last line
// is "N passed, M failed", and the exit code is 1 when a check failed. Screenshots go to
// screenshots/ (not committed); with E2E_SCREENSHOTS=DIR, the pictures of the docs (France,
// a region, an EPCI and a commune at 1,400 and 640 pixels) are written to DIR too.
//
// The charts are checked against the API: the test sends the dashboard's own operations
// (web/static/js/queries.js, by their hash, as the page does) with the page's arguments.
import { chromium } from 'playwright-core';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import * as Q from '../static/js/queries.js';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const base = new URL(process.argv[2] || process.env.BASE_URL || 'http://127.0.0.1:8080');
const shots = join(dirname(fileURLToPath(import.meta.url)), 'screenshots');
mkdirSync(shots, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'cop-e2e-'));

const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  locale: 'fr-FR',
});
context.setDefaultTimeout(20_000);
const page = context.pages()[0] || await context.newPage();

// Everything the pages load must come from the server itself, and nothing may break the
// Content-Security-Policy or throw.
const foreign = [];
const problems = [];
page.on('request', (r) => {
  const u = new URL(r.url());
  if ((u.protocol === 'http:' || u.protocol === 'https:') && u.origin !== base.origin) foreign.push(r.url());
});
page.on('console', (m) => {
  if (m.type() === 'error' && !/Failed to load resource.*(429|net::ERR_FAILED)/.test(m.text())) problems.push(m.text());
});
page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
// Every API call uses persisted queries: record which sent only the hash and were
// answered with data, and which sent the text (never needed: the server lists the
// dashboard's documents, web/trusted-documents.json).
const apq = { calls: 0, withoutHash: 0, withText: 0, hashOnlyAnswered: [] };
page.on('response', (res) => {
  const req = res.request();
  if (req.method() !== 'POST' || new URL(req.url()).pathname !== '/graphql' || !req.postData()?.startsWith('{')) return;
  const body = req.postDataJSON();
  if (body.operationName === 'IntrospectionQuery' || new URL(page.url()).pathname === '/graphiql') return;
  apq.calls++;
  if (!body.extensions?.persistedQuery?.sha256Hash) apq.withoutHash++;
  if (body.query) apq.withText++;
  if (!body.query) apq.hashOnlyAnswered.push(res.json().then((j) => Boolean(j.data)).catch(() => false));
});

let passed = 0, failed = 0;
async function check(name, fn) {
  const before = problems.length;
  try {
    await fn();
    if (problems.length > before) throw new Error(problems.slice(before).join(' | '));
    passed++;
    console.log(`ok - ${name}`);
  } catch (err) {
    failed++;
    console.log(`not ok - ${name}: ${err.message.split('\n')[0]}`);
    await page.screenshot({ path: join(shots, `failed-${name.replace(/\W+/g, '-')}.png`), fullPage: true }).catch(() => {});
  }
}
const url = (p) => new URL(p, base).href;
const assert = (cond, msg) => { if (!cond) throw new Error(msg); };
const shot = (name) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

await check('the France map draws and colours the departments', async () => {
  await page.goto(url('/'));
  await page.locator('svg.map .departments path').first().waitFor();
  const fills = await page.locator('svg.map .departments path').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')));
  assert(fills.length === 96, `${fills.length} metropolitan departments drawn, want 96`);
  const coloured = fills.filter((f) => f && f !== '#d4d4d4');
  assert(coloured.length >= 90, `only ${coloured.length} departments coloured`);
  assert(new Set(coloured).size >= 4, `only ${new Set(coloured).size} colours`);
  assert(await page.locator('svg.map .regions path').count() === 13, 'want 13 region outlines');
  assert(await page.locator('svg.map .overseas rect').count() === 5, 'want 5 overseas tiles');
  assert(await page.locator('.legend li').count() >= 3, 'legend missing');
  await shot('france');
});

await check('the map recolours by coverage', async () => {
  const before = await page.locator('svg.map .departments path').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')).join());
  await page.getByLabel('Couverture de l’objectif par les engagements adoptés').check();
  await page.waitForFunction((b) => [...document.querySelectorAll('svg.map .departments path')].map((p) => p.getAttribute('fill')).join() !== b, before);
  assert(new URL(page.url()).search === '?indicateur=couverture', `url ${page.url()}`);
});

await check('the keyboard reaches the skip link, then opens a department from the map', async () => {
  await page.goto(url('/'));
  await page.locator('svg.map a').first().waitFor();
  await page.keyboard.press('Tab');
  assert(await page.evaluate(() => document.activeElement.textContent) === 'Aller au contenu', 'first Tab is not the skip link');
  await page.locator('svg.map a[data-code="35"]').focus();
  assert((await page.locator('.map-info').textContent()).includes('Ille-et-Vilaine'), 'focused department not described');
  await page.evaluate(() => { window.sameDocument = true; });
  await page.keyboard.press('Enter');
  await page.waitForURL(url('/t/DEPARTMENT/35'));
  await page.locator('h1', { hasText: 'Ille-et-Vilaine' }).waitFor();
  assert(await page.evaluate(() => window.sameDocument === true), 'the link reloaded the whole document');
});

await check('searching "rennes" opens Rennes Métropole', async () => {
  await page.goto(url('/'));
  await page.getByLabel('Rechercher un territoire').fill('rennes');
  const hit = page.locator('#search-results a', { hasText: /^Rennes Métropole$/ });
  await hit.click();
  await page.waitForURL(url('/t/EPCI/243500139'));
  await page.locator('h1', { hasText: 'Rennes Métropole' }).waitFor();
  assert(await page.locator('.breadcrumb a', { hasText: 'Bretagne' }).count() === 1, 'Bretagne missing from the breadcrumb');
  assert(await page.evaluate(() => document.activeElement.tagName) === 'H1', 'focus not moved to the title');
  await page.locator('#diagnostic .levers table').first().waitFor();
  await page.locator('#territoires li a').first().waitFor();
  await shot('rennes-metropole');
});

let csvHref = '';
await check('Grand Est shows the electric-vehicle target of the SGPE', async () => {
  await page.goto(url('/t/REGION/44'));
  const row = page.locator('#diagnostic tr[data-lever]', { hasText: 'Véhicules électriques' });
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  const target = cells[1]; // "459,7 milliers de véhicules électriques dans le parc régional"
  const n = Number(target.replace(/\s/g, '').replace(/[^\d,.-].*$/, '').replace(',', '.'));
  assert(Math.abs(n - 459.685) < 0.5, `physical target "${target}"`);
  assert(/milliers de véhicules/.test(target), `unit in "${target}"`);
  await page.locator('#declinaison tbody tr').first().waitFor();
  assert(await page.locator('#declinaison tbody tr').count() === 10, 'breakdown over the 10 departments of Grand Est');
  await page.locator('#feuille-de-route a.download[data-format=csv]').waitFor();
  csvHref = await page.locator('#feuille-de-route a.download[data-format=csv]').getAttribute('href');
  await shot('grand-est');
});

await check('the roadmap download is a valid CSV', async () => {
  assert(/^\/export\/roadmap\/44\/\d{4}\.csv$/.test(csvHref), `link ${csvHref}`);
  const res = await page.request.get(url(csvHref));
  assert(res.ok(), `HTTP ${res.status()}`);
  assert(res.headers()['content-type'].startsWith('text/csv'), res.headers()['content-type']);
  const rows = parseCSV(await res.text());
  const header = rows[0];
  // Columns are named by their GraphQL path in the roadmap.
  for (const col of ['region.code', 'edition', 'sectors.sector.code', 'sectors.objectiveKtco2e', 'sectors.commitments.territory.code', 'sectors.commitments.ktco2e']) {
    assert(header.includes(col), `column ${col} missing from ${header}`);
  }
  const body = rows.slice(1);
  assert(body.length > 0, 'no row');
  assert(body.every((r) => r.length === header.length), 'ragged rows');
  assert(body.every((r) => r[header.indexOf('region.code')] === '44'), 'rows of another region');
  console.log(`  ${body.length} rows, ${header.length} columns`);
});

await check('a page at 200 % zoom reflows without horizontal scrolling', async () => {
  await page.setViewportSize({ width: 640, height: 900 }); // 1280 px at 200 %
  await page.goto(url('/t/REGION/44'));
  await page.locator('#diagnostic .levers table').first().waitFor();
  const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert(sw <= cw + 1, `page ${sw}px wide in a ${cw}px window`);
  await shot('grand-est-200');
  await page.setViewportSize({ width: 1280, height: 900 });
});

// api sends one of the dashboard's operations by its hash alone, as the page does (the
// server lists them, also when it runs only its trusted documents), and returns its data.
async function api(text, variables) {
  const sha256Hash = createHash('sha256').update(text).digest('hex');
  const res = await page.request.post(url('/graphql'), { data: { variables, extensions: { persistedQuery: { version: 1, sha256Hash } } } });
  const body = await res.json();
  assert(res.ok() && body.data && !body.errors, `API: HTTP ${res.status()} ${JSON.stringify(body.errors || body).slice(0, 200)}`);
  return body.data;
}
const territoryVars = (level, code) => {
  const childLevel = { COUNTRY: 'REGION', REGION: 'DEPARTMENT' }[level] || null;
  return { level, code, childLevel, byChild: childLevel != null };
};
const near = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a), Math.abs(b));

// settled waits until no section is loading and every chart has drawn.
const settled = () => page.waitForFunction(() => !document.querySelector('[aria-busy], .loading')
  && document.querySelector('main h1') && [...document.querySelectorAll('figure.chart .chart-area')].every((a) => a.querySelector('svg')));

await check('the treemap has one cell per lever with an objective, sized in the order of their ktCO2e', async () => {
  await page.goto(url('/t/REGION/44'));
  await page.locator('figure[data-chart=treemap] a.cell').first().waitFor();
  const data = await api(Q.TERRITORY, territoryVars('REGION', '44'));
  const want = new Map(data.territory.dashboard.flatMap((s) => s.levers).filter((l) => l.ghgAvoided > 0).map((l) => [l.lever.code, l.ghgAvoided]));
  const cells = await page.locator('figure[data-chart=treemap] a.cell').evaluateAll((as) => as.map((a) => {
    const r = a.querySelector('rect');
    return { code: a.dataset.lever, area: r.width.baseVal.value * r.height.baseVal.value, label: a.getAttribute('aria-label') };
  }));
  assert(cells.length === want.size, `${cells.length} cells for ${want.size} levers with an objective`);
  assert(cells.every((c) => want.has(c.code) && c.label), 'a cell of no lever, or without a label');
  const byValue = [...cells].sort((a, b) => want.get(b.code) - want.get(a.code));
  for (let i = 1; i < byValue.length; i++) {
    const [p, c] = [byValue[i - 1], byValue[i]];
    assert(c.area <= p.area * (1 + 1e-9) || near(want.get(c.code), want.get(p.code)),
      `${c.code} (${want.get(c.code)} kt) drawn larger than ${p.code} (${want.get(p.code)} kt)`);
  }
  const ratio = cells.map((c) => c.area / want.get(c.code));
  assert(Math.max(...ratio) / Math.min(...ratio) < 1.001, 'areas not proportional to ktCO2e');
  console.log(`  ${cells.length} levers`);
});

await check('a lever opened shows its trajectory, one point per year', async () => {
  const lever = 'augm_voitelec';
  await page.locator(`#levier-${lever} button.open-trajectory`).click();
  const figure = page.locator(`#trajectoire-${lever} figure[data-chart=trajectory]`);
  const points = figure.locator('g.point');
  let adopted = 0;
  // The row opens on the emissions avoided (Grand Est has no observation of the lever),
  // then the reader switches to its physical quantity.
  for (const metric of ['GHG_AVOIDED', 'PHYSICAL']) {
    if (metric !== 'GHG_AVOIDED') await page.locator(`#trajectoire-${lever} select`).selectOption(metric);
    await page.locator(`#trajectoire-${lever} figure[data-metric=${metric}] g.point`).first().waitFor();
    const tr = (await api(Q.TRAJECTORY, { level: 'REGION', code: '44', lever, metric })).territory.trajectory;
    const want = tr.points.map((p) => p.year);
    const got = await points.evaluateAll((gs) => gs.map((g) => Number(g.dataset.year)));
    assert(JSON.stringify(got) === JSON.stringify(want), `${metric}: years ${got} for ${want}`);
    const observed = tr.points.filter((p) => p.observed != null).length;
    assert(await figure.locator('circle.observed').count() === observed, `${metric}: observed points`);
    // Adopted commitments cumulated: a bar from the first year with some.
    const first = tr.points.findIndex((p) => p.adopted > 0);
    const bars = await figure.locator('.adopted rect').count();
    assert(bars === (first < 0 ? 0 : tr.points.length - first), `${metric}: ${bars} bars of adopted commitments`);
    if (metric === 'GHG_AVOIDED') adopted = tr.points.reduce((a, p) => a + (p.adopted || 0), 0);
    console.log(`  ${metric}: ${got.length} years, ${observed} observed, ${bars} with adopted commitments`);
  }
  assert(adopted > 0, 'no adopted commitment in the trajectory: seed demo data');
  // A click on the treemap's cell opens the same row.
  await page.locator(`#levier-${lever} button.open-trajectory`).click();
  assert(await page.locator(`#trajectoire-${lever}`).isHidden(), 'the row does not close');
  await page.locator(`figure[data-chart=treemap] a.cell[data-lever=${lever}]`).click();
  await page.locator(`#trajectoire-${lever}`).waitFor();
  // Rennes Métropole has observations of the lever: its row opens on them.
  await page.goto(url('/t/EPCI/243500139'));
  await page.locator(`#levier-${lever} button.open-trajectory`).click();
  await page.locator(`#trajectoire-${lever} figure[data-metric=PHYSICAL] g.point`).first().waitFor();
  const tr = (await api(Q.TRAJECTORY, { level: 'EPCI', code: '243500139', lever, metric: 'PHYSICAL' })).territory.trajectory;
  const observed = tr.points.filter((p) => p.observed != null);
  assert(observed.length > 0, 'Rennes Métropole: no observation (import data/fixtures/observations-illustrative.csv)');
  const drawn = await figure.locator('circle.observed').count();
  assert(drawn === observed.length, `Rennes Métropole: ${drawn} observed points drawn, API ${observed.length}`);
  assert(await figure.locator('g.point').count() === tr.points.length, 'Rennes Métropole: one point per year');
});

await check('the sector bars match rollupBy(groupBy: SECTOR)', async () => {
  await page.goto(url('/t/REGION/44'));
  await page.locator('figure[data-chart=sectors] g.sector-row').first().waitFor();
  const data = await api(Q.TERRITORY, territoryVars('REGION', '44'));
  const rows = data.territory.bySector.filter((r) => r.sector);
  const drawn = await page.locator('figure[data-chart=sectors] g.sector-row').evaluateAll((gs) => gs.map((g) => ({
    sector: g.dataset.sector,
    objective: g.dataset.objective === '' ? null : Number(g.dataset.objective),
    parts: Object.fromEntries([...g.querySelectorAll('rect.segment')].map((r) => [r.dataset.status, Number(r.dataset.ktco2e)])),
  })));
  assert(drawn.length === rows.length, `${drawn.length} bars for ${rows.length} sectors`);
  let adopted = 0;
  for (const r of rows) {
    const d = drawn.find((x) => x.sector === r.sector.code);
    assert(d, `no bar for ${r.sector.code}`);
    assert(d.objective === r.rollup.objectiveKtco2e || near(d.objective, r.rollup.objectiveKtco2e), `${r.sector.code}: objective ${d.objective}`);
    for (const status of ['DRAFT', 'SUBMITTED', 'ADOPTED']) {
      const want = r.rollup.committed.find((c) => c.status === status)?.ktco2e || 0;
      assert(near(d.parts[status], want), `${r.sector.code} ${status}: ${d.parts[status]}, API ${want}`);
    }
    adopted += r.rollup.committed.find((c) => c.status === 'ADOPTED')?.ktco2e || 0;
  }
  assert(adopted > 0, 'no adopted commitment drawn: seed demo data');
});

await check('a region and a department map their region\'s departments, each a link', async () => {
  const data = await api(Q.TERRITORY, territoryVars('REGION', '44'));
  const want = data.territory.byChild.filter((r) => r.territory).map((r) => r.territory.code).sort();
  const links = async () => (await page.locator('#carte svg.map .departments a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))).sort();
  await page.locator('#carte svg.map .departments a').first().waitFor();
  assert(want.length === 10, `the API gives ${want.length} departments in Grand Est`);
  assert(JSON.stringify(await links()) === JSON.stringify(want.map((c) => `/t/DEPARTMENT/${c}`)), `map links ${await links()}`);
  const fills = await page.locator('#carte svg.map .departments path').evaluateAll((ps) => new Set(ps.map((p) => p.getAttribute('fill'))).size);
  assert(fills >= 3, `only ${fills} colours`);
  const before = await page.locator('#carte svg.map .departments path').evaluateAll((ps) => ps.map((p) => p.getAttribute('fill')).join());
  await page.getByLabel('Écart restant à couvrir par habitant (tCO₂e par habitant)').check();
  assert(new URL(page.url()).searchParams.get('indicateur') === 'ecart', `url ${page.url()}`);
  await page.waitForFunction((b) => [...document.querySelectorAll('#carte svg.map .departments path')].map((p) => p.getAttribute('fill')).join() !== b, before);
  await page.locator('#carte svg.map a[data-code="57"]').click();
  await page.waitForURL(url('/t/DEPARTMENT/57'));
  await page.locator('#carte svg.map .current').waitFor();
  assert((await links()).length === 10, 'a department\'s page maps the 10 departments of its region');
});

await check('France\'s page draws the national inventory against the 2030 targets', async () => {
  await page.goto(url('/'));
  await page.locator('figure[data-chart=national] g.sector-row').first().waitFor();
  const fr = (await api(Q.FRANCE, {})).territory;
  const obs = fr.emissions.edges.map((e) => e.node).filter((o) => o.sector);
  const drawn = await page.locator('figure[data-chart=national] g.sector-row').evaluateAll((gs) => gs.map((g) => ({
    sector: g.dataset.sector,
    years: [...g.querySelectorAll('circle.year')].map((c) => [Number(c.dataset.year), Number(c.dataset.value)]),
    target: Number(g.querySelector('.target').dataset.value),
  })));
  assert(drawn.length >= 6, `${drawn.length} sectors`);
  for (const d of drawn) {
    const goal = fr.dashboard.find((s) => s.sector.code === d.sector).objectives.find((o) => o.metric === 'GHG_EMISSIONS');
    assert(near(d.target, goal.targetValue), `${d.sector}: target ${d.target}, API ${goal.targetValue}`);
    const want = obs.filter((o) => o.sector.code === d.sector && o.unit === goal.unit).map((o) => [o.year, o.value]).sort((a, b) => a[0] - b[0]);
    assert(JSON.stringify(d.years) === JSON.stringify(want), `${d.sector}: ${JSON.stringify(d.years)}, API ${JSON.stringify(want)}`);
  }
  assert(drawn[0].years[0][0] === 2019 && drawn[0].years.at(-1)[0] === 2024, `years ${drawn[0].years.map((y) => y[0])}`);
});

// reachable tabs through the page until every chart has had the focus inside its drawing,
// then checks each chart's name, the label of what was focused, and its table.
async function reachable(kinds) {
  await page.locator('main h1').focus();
  const reached = new Map();
  for (let i = 0; i < 400 && reached.size < kinds.length; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(() => {
      const el = document.activeElement;
      const fig = el?.closest('.chart-area') && el.closest('figure.chart');
      return fig ? { kind: fig.dataset.chart, label: el.getAttribute('aria-label') || '' } : null;
    });
    if (hit && !reached.has(hit.kind)) reached.set(hit.kind, hit.label);
  }
  for (const kind of kinds) {
    assert(reached.get(kind), `Tab does not reach the ${kind} chart, or its mark has no label`);
    const fig = page.locator(`figure[data-chart=${kind}]`).first();
    const name = await fig.evaluate((f) => document.getElementById(f.getAttribute('aria-labelledby'))?.textContent.trim());
    assert(name, `the ${kind} chart has no name`);
    const toggle = fig.locator('.chart-toggle');
    assert(await toggle.getAttribute('aria-expanded') === 'false', `${kind}: table shown at first`);
    await toggle.focus();
    await page.keyboard.press('Enter');
    assert(await fig.locator('.chart-table tbody tr').first().isVisible(), `${kind}: the table does not open`);
    await page.keyboard.press('Enter');
    assert(await fig.locator('.chart-table').isHidden(), `${kind}: the table does not close`);
  }
}

await check('the keyboard and text alternatives reach every chart', async () => {
  await page.goto(url('/'));
  await settled();
  await reachable(['national']);
  await page.goto(url('/t/REGION/44'));
  await settled();
  await page.locator('#levier-augm_voitelec button.open-trajectory').click();
  await settled();
  await reachable(['treemap', 'trajectory', 'sectors']);
  const map = await page.locator('#carte svg.map').getAttribute('aria-label');
  assert(/Carte des départements/.test(map), 'the region\'s map has no name');
});

// Every header and cell shows its whole text: none is narrower than its content, nor is
// its text wider than the cell (a cut "Objectif 2030 (ktC").
const cutCells = () => page.evaluate(() => {
  const out = [];
  for (const el of document.querySelectorAll('main th, main td')) {
    if (!el.offsetParent || el.closest('[hidden]')) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const text = range.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    if (el.scrollWidth > el.clientWidth + 1 || text.left < box.left - 1 || text.right > box.right + 1) {
      out.push(`${el.textContent.trim().slice(0, 40)} (${Math.round(text.width)} in ${el.clientWidth}px)`);
    }
  }
  return out;
});

const PICTURES = [
  ['france', '/'],
  ['region-grand-est', '/t/REGION/44'],
  ['epci-rennes-metropole', '/t/EPCI/243500139'],
  ['commune-rennes', '/t/COMMUNE/35238'],
];
const docShots = process.env.E2E_SCREENSHOTS;
if (docShots) mkdirSync(docShots, { recursive: true });

for (const width of [1400, 640]) {
  await check(`no table header or cell is cut at ${width} pixels${docShots ? ', pictures taken' : ''}`, async () => {
    await page.setViewportSize({ width, height: 900 });
    try {
      for (const [name, path] of PICTURES) {
        await page.goto(url(path));
        await settled();
        if (path.startsWith('/t/')) {
          assert(await page.locator('figure[data-chart=treemap]').count() === 1, `${path}: no treemap`);
          assert(await page.locator('figure[data-chart=sectors]').count() === 1, `${path}: no sector bars`);
        }
        const cut = await cutCells();
        assert(cut.length === 0, `${path}: ${cut.length} cut, e.g. ${cut.slice(0, 3).join('; ')}`);
        const [sw, cw] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        assert(sw <= cw + 1, `${path}: page ${sw}px wide in a ${cw}px window`);
        if (docShots) {
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          await page.screenshot({ path: join(docShots, `${name}-${width}.png`), fullPage: true,
            clip: { x: 0, y: 0, width, height: Math.min(height, 3000) } });
        }
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
}

await check('an API failure shows an error and a retry', async () => {
  await page.route(/\/graphql$/, (r) => r.abort());
  await page.goto(url('/t/DEPARTMENT/35'));
  await page.locator('[role=alert]', { hasText: 'ne répond pas' }).waitFor();
  await page.unroute(/\/graphql$/);
  await page.getByRole('button', { name: 'Réessayer' }).click();
  await page.locator('h1', { hasText: 'Ille-et-Vilaine' }).waitFor();
  problems.length = 0; // the aborted requests were logged on purpose
});

await check('the bundled SHA-256 matches for persisted queries', async () => {
  const src = await page.locator('script[type=module]').getAttribute('src');
  const text = 'query { territory(level: EPCI, code: "243500139") { name } } # é€';
  const got = await page.evaluate(async ([m, t]) => (await import(m)).sha256(t), [src.replace(/main\.js$/, 'sha256.js'), text]);
  assert(got === createHash('sha256').update(text).digest('hex'), `hash ${got}`);
});

// Whether the server runs only its trusted documents for anonymous clients: an operation
// of no manifest is then refused, 403 TRUSTED_DOCUMENT_REQUIRED.
let onlyTrusted = false;
await check('an operation of no manifest is served, or refused with its code in the only mode', async () => {
  const res = await page.request.post(url('/graphql'), { data: { query: '{ territory(level: REGION, code: "53") { name } }' } });
  const body = await res.json();
  onlyTrusted = body.errors?.[0]?.extensions?.code === 'TRUSTED_DOCUMENT_REQUIRED';
  if (onlyTrusted) {
    assert(res.status() === 403 && !body.data, `HTTP ${res.status()}, data ${JSON.stringify(body.data)}`);
  } else {
    assert(res.ok() && body.data?.territory?.name === 'Bretagne', `HTTP ${res.status()}: ${JSON.stringify(body).slice(0, 200)}`);
  }
  console.log(`  ${onlyTrusted ? 'only' : 'allow'} mode`);
});

await check('GraphiQL runs a query', async () => {
  const key = process.env.E2E_API_KEY;
  if (onlyTrusted) {
    assert(key, 'the server runs trusted documents only: set E2E_API_KEY for GraphiQL');
    // A developer's key, as typed in GraphiQL's headers pane, on every request of the page.
    await page.route(/\/graphql$/, (r) => r.continue({ headers: { ...r.request().headers(), authorization: `Bearer ${key}` } }));
  }
  try {
    await page.goto(url('/graphiql'));
    await page.locator('.graphiql-container').waitFor();
    await page.locator('.graphiql-execute-button').click();
    await page.locator('.result-window', { hasText: 'Rennes Métropole' }).waitFor();
    await shot('graphiql');
  } finally {
    if (onlyTrusted) await page.unroute(/\/graphql$/);
  }
});

await check('the dashboard sends persisted queries', async () => {
  const answered = (await Promise.all(apq.hashOnlyAnswered)).filter(Boolean).length;
  console.log(`  ${apq.calls} API calls, ${answered} answered from the hash alone`);
  assert(apq.calls > 10 && apq.withoutHash === 0, `${apq.withoutHash} of ${apq.calls} calls without a hash`);
  assert(answered > 5, 'repeated queries were not answered from their hash');
  assert(apq.withText === 0, `${apq.withText} calls sent the text of an operation: is web/trusted-documents.json current?`);
});

await check('nothing was loaded from another host', async () => {
  assert(foreign.length === 0, foreign.slice(0, 5).join(', '));
});

await context.close();
rmSync(profile, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

// parseCSV reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF).
function parseCSV(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  if (quoted) throw new Error('unterminated quoted field');
  return rows;
}
