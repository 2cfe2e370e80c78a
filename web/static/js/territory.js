// A territory's page (/t/{LEVEL}/{code}), in the order of the COP's four steps:
// the diagnostic (objectives, latest observation, progress), the actions and commitments
// against the objective, the indicative breakdown (regions and departments), and for a
// region the 2030 roadmap with its downloads.

import { query } from './api.js';
import { TERRITORY, CHILDREN, BREAKDOWN, COPS, ROADMAP, ROADMAP_EDITIONS, TRAJECTORY, REGION_DEPARTMENTS } from './queries.js';
import {
  h, fmt, bar, table, section, loadInto, failure, loading, territoryLink, territoryPath,
  LEVELS, STATUS, COMMITMENT_STATUS,
} from './dom.js';
import { objectivesTreemap, leverTrajectory, sectorBars } from './charts.js';
import { franceMap, INDICATORS, indicatorChooser, regionFor } from './map.js';
import { departments } from '../map/departements.js';

// What lies directly under each level, in the order shown.
const CHILD_LEVELS = {
  COUNTRY: ['REGION'],
  REGION: ['DEPARTMENT'],
  DEPARTMENT: ['EPCI', 'CRTE', 'COMMUNE'],
  CRTE: ['EPCI', 'COMMUNE'],
  EPCI: ['COMMUNE'],
  COMMUNE: [],
};
// The level of the roll-up by child, and the levels a breakdown can go to. The API only
// rolls up by children that split the territory exactly, so a department has no roll-up
// by EPCI (89 EPCI straddle two departments) and only the country and regions get one.
const ROLLUP_CHILD = { COUNTRY: 'REGION', REGION: 'DEPARTMENT' };
const BREAKDOWN_TO = { REGION: ['DEPARTMENT', 'CRTE', 'EPCI'], DEPARTMENT: ['EPCI', 'CRTE'] };

export function territoryPage(ctx, level, code) {
  const { main, signal } = ctx;
  document.title = `${LEVELS[level].label} ${code} — COP territoriales`;
  const childLevel = ROLLUP_CHILD[level] || null;
  const load = () => query(TERRITORY, { level, code, childLevel, byChild: childLevel != null }, { signal });

  const run = async () => {
    main.replaceChildren(h('h1', { tabindex: '-1' }, `${LEVELS[level].label} ${code}`), loading('du territoire'));
    main.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await load();
    } catch (err) {
      if (err.name === 'AbortError') return;
      main.replaceChildren(h('h1', { tabindex: '-1' }, `${LEVELS[level].label} ${code}`), failure(err, run));
      return;
    } finally {
      main.removeAttribute('aria-busy');
    }
    const t = data.territory;
    if (!t) {
      document.title = 'Territoire introuvable — COP territoriales';
      main.replaceChildren(h('h1', { tabindex: '-1' }, 'Territoire introuvable'),
        h('p', {}, `Aucun territoire de niveau ${LEVELS[level].label} n’a le code « ${code} ». `, h('a', { href: '/' }, 'Retour à la carte'), '.'));
      return;
    }
    document.title = `${t.name} — COP territoriales`;
    const focused = document.activeElement === main.querySelector('h1');
    main.replaceChildren(...page(ctx, t));
    if (focused) main.querySelector('h1').focus();
  };
  run();
}

function page(ctx, t) {
  const region = mapRegion(t);
  const sections = [
    region ? ['carte', `Les départements de la région ${region.name}`, () => departmentsMap(ctx, t, region)] : null,
    ['diagnostic', '1. Diagnostic : objectifs et trajectoire', () => diagnostic(ctx, t)],
    ['actions', '2. Actions et engagements', () => rollup(t)],
    BREAKDOWN_TO[t.level] ? ['declinaison', '3. Déclinaison indicative des objectifs', () => breakdown(ctx, t)] : null,
    t.level === 'REGION' ? ['feuille-de-route', '4. Feuille de route 2030', () => roadmap(ctx, t)] : null,
    CHILD_LEVELS[t.level].length ? ['territoires', 'Territoires rattachés', () => children(ctx, t)] : null,
  ].filter(Boolean);
  return [
    breadcrumb(t),
    h('h1', { tabindex: '-1' }, t.name),
    h('p', { className: 'lead' },
      `${LEVELS[t.level].label}${t.nature ? ` (${t.nature})` : ''} · code ${t.code} · ${fmt.int(t.population)} habitants`),
    h('nav', { className: 'toc', 'aria-label': 'Sommaire de la page' },
      h('ul', {}, sections.map(([id, title]) => h('li', {}, h('a', { href: `#${id}` }, title))))),
    ...sections.map(([id, title, body]) => section(id, title, body())),
  ].filter(Boolean);
}

function breadcrumb(t) {
  if (t.level === 'COUNTRY') return null;
  const items = [...t.ancestors];
  if (!items.length || items[0].level !== 'COUNTRY') items.unshift({ level: 'COUNTRY', code: 'FR', name: 'France' });
  return h('nav', { className: 'breadcrumb', 'aria-label': 'Fil d’Ariane' },
    h('ol', {},
      items.map((a) => h('li', {}, a.level === 'COUNTRY' ? h('a', { href: '/' }, a.name) : territoryLink(a),
        h('span', { className: 'meta' }, ` (${LEVELS[a.level].label})`))),
      h('li', {}, h('span', { 'aria-current': 'page' }, t.name))));
}

// ---- 1. diagnostic ----------------------------------------------------------------------

function diagnostic(ctx, t) {
  if (!t.dashboard.length) {
    return h('p', {}, 'Aucun objectif n’est enregistré pour ce territoire ni pour sa région.');
  }
  const derived = t.dashboard.some((s) => s.derived);
  const coverage = new Map(t.byLever.filter((r) => r.lever).map((r) => [r.lever.code, r.rollup.coverage]));
  const openLever = (code) => {
    const row = document.getElementById(`levier-${code}`);
    if (!row) return;
    const button = row.querySelector('button.open-trajectory');
    if (button.getAttribute('aria-expanded') !== 'true') button.click();
    row.scrollIntoView({ block: 'start' });
    button.focus({ preventScroll: true });
  };
  return h('div', {},
    derived ? h('p', { className: 'note' }, 'Objectifs déclinés de ceux de la région au prorata de la population (déclinaison indicative).') : null,
    objectivesTreemap(t.dashboard, coverage, openLever),
    t.dashboard.map((s) => h('div', { className: 'sector', dataset: { sector: s.sector.code } },
      h('h3', {}, s.sector.parent ? `${s.sector.parent.name} — ${s.sector.name}` : s.sector.name,
        s.levers.length ? h('span', { className: 'meta' }, ` · ${fmt.kt(s.ghgAvoided)} évitées en 2030`) : null),
      // A national sector's own objectives (low-carbon strategy) are in emissions, not levers.
      s.objectives.map((o) => h('p', {}, `${METRIC[o.metric] || o.metric} : ${fmt.num(o.baselineValue)} ${o.unit} en ${o.baselineYear}, `,
        h('strong', {}, `${fmt.num(o.targetValue)} ${o.unit} en ${o.targetYear}`))),
      s.levers.length === 0 ? null : leverTable(ctx, t, s.levers))));
}

// leverTable lists a sector's levers; each row opens, under it, the lever's trajectory.
function leverTable({ signal }, t, levers) {
  const cols = [
    { label: 'Levier', value: (l) => l.lever.name },
    { label: 'Objectif 2030 (ktCO₂e évitées)', num: true, value: (l) => fmt.num(l.ghgAvoided) },
    { label: 'Objectif physique 2030', value: (l) => physical(l.physicalTarget, l.lever.physicalUnit) },
    { label: 'Dernière mesure', value: (l) => (l.latest ? h('span', {}, physical(l.latest.value, l.latest.unit), h('span', { className: 'meta' }, ` en ${l.latest.year}`)) : '—') },
    { label: 'Diagnostic', value: (l) => progress(l.diagnostic) },
  ];
  const wrap = table(null, cols, levers, { className: 'levers' });
  wrap.querySelectorAll('tbody > tr').forEach((tr, i) => {
    const l = levers[i];
    const id = `trajectoire-${l.lever.code}`;
    tr.id = `levier-${l.lever.code}`;
    tr.dataset.lever = l.lever.code;
    const button = h('button', { type: 'button', className: 'open-trajectory', 'aria-expanded': 'false', 'aria-controls': id },
      h('span', { className: 'visually-hidden' }, 'Trajectoire de '), l.lever.name);
    tr.firstElementChild.replaceChildren(button);
    let detail = null;
    button.addEventListener('click', () => {
      const open = button.getAttribute('aria-expanded') !== 'true';
      button.setAttribute('aria-expanded', String(open));
      if (!open) {
        detail.hidden = true;
        return;
      }
      if (detail) {
        detail.hidden = false;
        return;
      }
      // Commitments are counted in ktCO2e (their physical quantity is optional) and
      // observations in the lever's unit: open on the physical path when the lever has
      // observations, else on the emissions avoided, and let the reader switch.
      const box = h('div', { className: 'trajectory' });
      const metric = h('select', { id: `${id}-metric`, name: 'grandeur' },
        h('option', { value: 'GHG_AVOIDED' }, 'Émissions évitées (ktCO₂e)'),
        l.lever.physicalUnit ? h('option', { value: 'PHYSICAL' }, `Grandeur physique (${l.lever.physicalUnit})`) : null);
      metric.value = l.latest && l.lever.physicalUnit ? 'PHYSICAL' : 'GHG_AVOIDED';
      const draw = () => {
        const vars = { level: t.level, code: t.code, lever: l.lever.code, metric: metric.value };
        loadInto(box, 'de la trajectoire', () => query(TRAJECTORY, vars, { signal }), (d) => {
          const tr = d.territory.trajectory;
          if (!tr?.points.length) return h('p', {}, 'Pas de trajectoire : ce levier n’a ni objectif ni mesure dans cette grandeur pour ce territoire.');
          const fig = leverTrajectory(l.lever.name, tr);
          fig.dataset.metric = vars.metric;
          return fig;
        });
      };
      metric.addEventListener('change', draw);
      detail = h('tr', { id, className: 'detail' }, h('td', { colspan: cols.length }, h('div', { className: 'detail-body' },
        h('form', { className: 'controls', onsubmit: (e) => e.preventDefault() },
          h('label', { for: `${id}-metric` }, 'Grandeur'), metric),
        box)));
      tr.after(detail);
      draw();
    });
  });
  return wrap;
}

const METRIC = { GHG_EMISSIONS: 'Émissions', GHG_AVOIDED: 'Émissions évitées', PHYSICAL: 'Grandeur physique' };

function physical(value, unit) {
  if (value == null) return '—';
  return h('span', {}, fmt.num(value), unit ? h('span', { className: 'unit' }, ` ${unit}`) : null);
}

function progress(d) {
  if (!d) return '—';
  return h('span', { className: `status status-${d.status}` },
    STATUS[d.status] || d.status,
    d.travelled != null ? h('span', { className: 'meta' }, ` · ${fmt.pct(d.travelled)} du chemin (attendu ${fmt.pct(d.expected)})`) : null);
}

// ---- 2. actions and commitments ----------------------------------------------------------

const rollupCols = (first) => [
  first,
  { label: 'Actions', num: true, value: (r) => fmt.int(r.rollup.actionCount) },
  { label: 'Engagements adoptés', num: true, value: (r) => fmt.kt(r.rollup.adoptedKtco2e) },
  { label: 'Objectif', num: true, value: (r) => fmt.kt(r.rollup.objectiveKtco2e) },
  { label: 'Couverture', value: (r) => bar(r.rollup.coverage) },
  { label: 'Écart', num: true, value: (r) => fmt.kt(r.rollup.gap) },
];

function rollup(t) {
  const r = t.rollup;
  return h('div', {},
    h('p', {}, 'Actions et engagements des territoires situés dans celui-ci (lui compris), chacun compté pour la part de sa population qui y vit.'),
    h('dl', { className: 'figures' },
      fig('Actions', `${fmt.int(r.actionCount)}`),
      fig('Budget', fmt.eur(r.budget)),
      fig('Effet attendu des actions', fmt.kt(r.effectKtco2e)),
      fig('Engagements adoptés', fmt.kt(r.adoptedKtco2e)),
      fig('Objectif 2030', fmt.kt(r.objectiveKtco2e)),
      fig('Couverture', bar(r.coverage, 'Couverture de l’objectif')),
      fig('Écart restant', fmt.kt(r.gap))),
    table('Engagements par statut', [
      { label: 'Statut', value: (c) => COMMITMENT_STATUS[c.status] || c.status },
      { label: 'Nombre', num: true, value: (c) => fmt.int(c.count) },
      { label: 'Émissions évitées', num: true, value: (c) => fmt.kt(c.ktco2e) },
    ], r.committed),
    sectorBars(t.bySector),
    t.bySector.length ? table('Par secteur', rollupCols({ label: 'Secteur', value: (x) => x.sector?.name || '—' }), t.bySector) : null,
    t.byChild?.length ? table(`Par ${LEVELS[ROLLUP_CHILD[t.level]].label.toLowerCase()}`,
      rollupCols({ label: LEVELS[ROLLUP_CHILD[t.level]].label, value: (x) => (x.territory ? territoryLink(x.territory) : UNALLOCATED) }), t.byChild) : null);
}

const fig = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));

// The last row of a roll-up by child: what no child holds (carried above, or outside
// every child).
const UNALLOCATED = 'Non réparti';

// ---- the map of a region's departments --------------------------------------------------

// mapRegion is the region whose departments a page maps: a region's own, a department's
// region; none for the other levels, nor for an overseas region (one department, no map).
function mapRegion(t) {
  const region = t.level === 'REGION' ? t : t.level === 'DEPARTMENT' ? t.ancestors.find((a) => a.level === 'REGION') : null;
  return region && departments.some((d) => d.region === region.code) ? region : null;
}

// departmentsMap colours the region's departments by the chosen indicator, each a link to
// its page; a department's page outlines its own. A region's page has the roll-ups in
// TERRITORY's byChild, a department's asks its region's.
function departmentsMap({ signal, params }, t, region) {
  const box = h('div');
  const load = t.level === 'REGION'
    ? async () => t.byChild
    : async () => (await query(REGION_DEPARTMENTS, { code: region.code }, { signal })).territory.departments;
  loadInto(box, 'de la carte', load, (rows) => {
    const deps = rows.filter((r) => !r.unallocated && r.territory);
    // Inside a region, every department's objective per inhabitant is the region's (a
    // split by population): the map opens on coverage, which differs.
    const byDefault = INDICATORS.find((i) => i.id === 'couverture');
    let indicator = INDICATORS.find((i) => i.id === params.get('indicateur')) || byDefault;
    const mapBox = h('div', { className: 'map-box' });
    const draw = () => {
      const values = new Map(deps.map((d) => [d.territory.code, {
        name: d.territory.name, region: regionFor(d.territory.code), value: indicator.value(d.territory, d.rollup),
      }]));
      mapBox.replaceChildren(franceMap(values, indicator, new Map([[region.code, region.name]]),
        { only: new Set(deps.map((d) => d.territory.code)), current: t.level === 'DEPARTMENT' ? t.code : null }));
    };
    draw();
    return h('div', { className: 'map-layout' }, indicatorChooser(indicator, (ind) => {
      indicator = ind;
      draw();
    }, byDefault), mapBox);
  });
  return box;
}

// ---- 3. breakdown ------------------------------------------------------------------------

function breakdown({ signal }, t) {
  const levers = t.dashboard.flatMap((s) => s.levers.map((l) => ({ ...l.lever, sector: s.sector })));
  if (!levers.length) return h('p', {}, 'Pas d’objectif à décliner.');
  const box = h('div', { className: 'breakdown-table' });
  const what = h('select', { id: 'bd-what', name: 'objectif' },
    t.dashboard.map((s) => h('optgroup', { label: s.sector.name },
      h('option', { value: `sector:${s.sector.code}` }, `${s.sector.name} (tout le secteur)`),
      s.levers.map((l) => h('option', { value: `lever:${l.lever.code}` }, l.lever.name)))));
  const to = h('select', { id: 'bd-to', name: 'echelon' },
    BREAKDOWN_TO[t.level].map((l) => h('option', { value: l }, LEVELS[l].plural)));
  const metric = h('select', { id: 'bd-metric', name: 'grandeur' },
    h('option', { value: 'GHG_AVOIDED' }, 'Émissions évitées (ktCO₂e)'),
    h('option', { value: 'PHYSICAL' }, 'Grandeur physique du levier'));
  // Start on the first lever with a physical target that adds up (vehicles, hectares...).
  const first = levers.find((l) => l.physicalUnit && l.extensive) || levers[0];
  what.value = `lever:${first.code}`;

  const sync = () => {
    const [kind, code] = what.value.split(':');
    const lever = kind === 'lever' ? levers.find((l) => l.code === code) : null;
    const phys = metric.querySelector('option[value=PHYSICAL]');
    phys.disabled = !(lever?.physicalUnit && lever.extensive);
    if (phys.disabled && metric.value === 'PHYSICAL') metric.value = 'GHG_AVOIDED';
    const vars = { level: t.level, code: t.code, to: to.value, metric: metric.value,
      lever: kind === 'lever' ? code : null, sector: kind === 'sector' ? code : null };
    loadInto(box, 'de la déclinaison', () => query(BREAKDOWN, vars, { signal }), (d) => shares(d.territory.breakdown));
  };
  for (const el of [what, to, metric]) el.addEventListener('change', sync);
  sync();
  return h('div', {},
    h('p', {}, 'Répartition indicative de l’objectif du territoire entre ceux qu’il contient, au prorata de la population : ',
      'chaque part est une proposition à débattre, pas une obligation.'),
    h('form', { className: 'controls', onsubmit: (e) => e.preventDefault() },
      h('label', { for: 'bd-what' }, 'Objectif'), what,
      h('label', { for: 'bd-to' }, 'Décliner vers'), to,
      h('label', { for: 'bd-metric' }, 'Grandeur'), metric),
    box);
}

function shares(b) {
  const rows = [...b.shares].sort((x, y) => y.weight - x.weight);
  if (b.unallocated.weight > 0) rows.push({ ...b.unallocated, territory: null });
  return h('div', {},
    h('p', {}, `Objectif ${b.targetYear} du territoire : `, h('strong', {}, `${fmt.num(b.targetValue)} ${b.unit}`),
      b.baselineValue ? ` (référence ${b.baselineYear} : ${fmt.num(b.baselineValue)})` : '',
      ` — ${b.shares.length} territoires, clé : ${b.key === 'POPULATION' ? 'population' : b.key.toLowerCase()}.`),
    table(null, [
      { label: 'Territoire', value: (s) => (s.territory ? territoryLink(s.territory) : `${UNALLOCATED} (hors des territoires de cet échelon)`) },
      { label: 'Population dans le territoire', num: true, value: (s) => fmt.int(s.population) },
      { label: 'Part', num: true, value: (s) => fmt.pct(s.weight) },
      { label: `Objectif ${b.targetYear} (${b.unit})`, num: true, value: (s) => fmt.num(s.targetValue) },
    ], rows, { className: 'tall' }));
}

// ---- 4. roadmap --------------------------------------------------------------------------

function roadmap({ signal, params }, t) {
  const box = h('div');
  loadInto(box, 'des éditions', async () => {
    const [cops, eds] = await Promise.all([
      query(COPS, { region: t.code }, { signal }),
      query(ROADMAP_EDITIONS, { region: t.code }, { signal }),
    ]);
    return { cops: cops.cops.edges.map((e) => e.node), roadmaps: eds.roadmaps };
  }, ({ cops, roadmaps }) => {
    // An edition exists when the region has a COP of that edition or adopted commitments
    // carrying it: the API lists them.
    if (!roadmaps.length) return h('p', {}, 'Pas encore de feuille de route : ni COP ni engagement adopté pour cette région.');
    const adopted = new Map(roadmaps.map((r) => [r.edition, r.adoptedKtco2e]));
    const editions = roadmaps.map((r) => r.edition);
    const asked = Number(params.get('edition'));
    const withData = editions.filter((y) => adopted.get(y) > 0);
    let edition = editions.includes(asked) ? asked : withData.at(-1) || editions.at(-1);
    const pick = h('select', { id: 'rm-edition', name: 'edition' },
      editions.map((y) => h('option', { value: y, selected: y === edition },
        `${y}${adopted.get(y) ? ` — ${fmt.kt(adopted.get(y))} adoptées` : ''}${cops.some((c) => c.edition === y) ? ' — COP' : ''}`)));
    const body = h('div');
    const show = () => {
      const cop = cops.find((c) => c.edition === edition);
      loadInto(body, 'de la feuille de route', () => query(ROADMAP, { region: t.code, edition }, { signal }),
        (d) => roadmapBody(t, d.roadmap, cop));
    };
    pick.addEventListener('change', () => {
      edition = Number(pick.value);
      const url = new URL(location.href);
      url.searchParams.set('edition', edition);
      history.replaceState(null, '', url.pathname + url.search + url.hash);
      show();
    });
    show();
    return h('div', {},
      h('form', { className: 'controls', onsubmit: (e) => e.preventDefault() },
        h('label', { for: 'rm-edition' }, 'Édition de la COP'), pick),
      body);
  });
  return box;
}

const STEP = { DIAGNOSTIC: 'Diagnostic partagé', DEBATE: 'Débat', BREAKDOWN: 'Déclinaison', ROADMAP: 'Feuille de route' };
const STEP_STATUS = { PLANNED: 'prévue', IN_PROGRESS: 'en cours', DONE: 'terminée' };

function roadmapBody(t, rm, cop) {
  const base = `/export/roadmap/${encodeURIComponent(t.code)}/${rm.edition}`;
  const count = rm.sectors.reduce((n, s) => n + s.commitments.length, 0);
  return h('div', {},
    cop ? h('div', { className: 'cop' }, h('h3', {}, cop.title),
      h('ol', {}, (cop.steps || []).map((s) => h('li', {}, `${STEP[s.kind] || s.kind} : ${STEP_STATUS[s.status] || s.status}`)))) : null,
    h('dl', { className: 'figures' },
      fig('Objectif 2030', fmt.kt(rm.objectiveKtco2e)),
      fig('Engagements adoptés', `${fmt.kt(rm.adoptedKtco2e)} (${fmt.int(count)})`),
      fig('Couverture', bar(rm.coverage, 'Couverture de la feuille de route')),
      fig('Écart', fmt.kt(rm.gap))),
    h('p', { className: 'downloads' }, 'Télécharger la feuille de route : ',
      h('a', { href: `${base}.csv`, download: `feuille-de-route-${t.code}-${rm.edition}.csv`, className: 'download', dataset: { format: 'csv' } }, 'CSV'),
      ' · ',
      h('a', { href: `${base}.json`, download: `feuille-de-route-${t.code}-${rm.edition}.json`, className: 'download', dataset: { format: 'json' } }, 'JSON')),
    table('Par secteur', [
      { label: 'Secteur', value: (s) => s.sector.name },
      { label: 'Objectif', num: true, value: (s) => fmt.kt(s.objectiveKtco2e) },
      { label: 'Adoptés', num: true, value: (s) => fmt.kt(s.adoptedKtco2e) },
      { label: 'Engagements', num: true, value: (s) => fmt.int(s.commitments.length) },
      { label: 'Couverture', value: (s) => bar(s.coverage) },
      { label: 'Écart', num: true, value: (s) => fmt.kt(s.gap) },
    ], rm.sectors),
    rm.sectors.filter((s) => s.commitments.length).map((s) => commitments(s)));
}

const SHOWN = 50;

function commitments(s) {
  const list = [...s.commitments].sort((a, b) => (b.ktco2e || 0) - (a.ktco2e || 0));
  return h('details', { className: 'commitments' },
    h('summary', {}, `${s.sector.name} : ${fmt.int(list.length)} engagements adoptés`),
    table(null, [
      { label: 'Territoire', value: (c) => h('a', { href: territoryPath(c.territory) }, c.territory.name) },
      { label: 'Levier', value: (c) => c.lever?.name || '—' },
      { label: 'ktCO₂e', num: true, value: (c) => fmt.num(c.ktco2e) },
      { label: 'Quantité', value: (c) => physical(c.physical, c.lever?.physicalUnit) },
      { label: 'Échéance', num: true, value: (c) => c.targetYear },
    ], list.slice(0, SHOWN)),
    list.length > SHOWN ? h('p', { className: 'note' }, `Les ${SHOWN} plus importants sont affichés ; la liste complète est dans les téléchargements.`) : null);
}

// ---- children ----------------------------------------------------------------------------

function children({ signal }, t) {
  return h('div', { className: 'children' }, CHILD_LEVELS[t.level].map((level) => {
    const box = h('div');
    const list = h('ul', { className: 'columns' });
    let after = null;
    const more = async (btn) => {
      btn.disabled = true;
      try {
        const { button } = await fetchPage(after);
        btn.replaceWith(button);
      } catch (err) {
        if (err.name !== 'AbortError') btn.replaceWith(failure(err));
      }
    };
    const fetchPage = async (cursor) => {
      const d = await query(CHILDREN, { level: t.level, code: t.code, childLevel: level, after: cursor }, { signal });
      const c = d.territory.children;
      list.append(...c.edges.map((e) => h('li', {}, territoryLink(e.node), h('span', { className: 'meta' }, ` ${fmt.int(e.node.population)} hab.`))));
      after = c.pageInfo.endCursor;
      const button = c.pageInfo.hasNextPage
        ? h('button', { type: 'button', onclick: (e) => more(e.currentTarget) }, `Afficher les suivants (${fmt.int(c.totalCount - list.children.length)} de plus)`)
        : '';
      return { button, total: c.totalCount };
    };
    loadInto(box, `des ${LEVELS[level].plural.toLowerCase()}`, () => fetchPage(null), ({ button, total }) =>
      h('div', {}, h('h3', {}, `${LEVELS[level].plural} (${fmt.int(total)})`, h('span', { className: 'meta' }, ' · par population décroissante')),
        total ? list : h('p', {}, 'Aucun.'), button));
    return box;
  }));
}
