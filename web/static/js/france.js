// The France page: the map of the departments coloured by a chosen indicator, and the
// regions' figures as a table (the same data, readable without the map).

import { query } from './api.js';
import { FRANCE } from './queries.js';
import { h, fmt, bar, table, section, loadInto, territoryLink } from './dom.js';
import { franceMap, INDICATORS, indicatorChooser, regionFor } from './map.js';
import { nationalEmissions } from './charts.js';

export function francePage({ main, signal, params }) {
  document.title = 'France — COP territoriales';
  const body = h('div');
  main.append(
    h('h1', { tabindex: '-1' }, 'La planification écologique dans les territoires'),
    h('p', { className: 'lead' },
      'Chaque région tient sa COP en quatre étapes : un diagnostic partagé, un débat sur les actions à mener, ',
      'une déclinaison indicative des objectifs aux départements, CRTE et EPCI, puis une feuille de route 2030 ',
      'faite des engagements des territoires. Choisissez un indicateur, ou ouvrez la page d’un territoire depuis la carte ou la recherche.'),
    body,
  );
  loadInto(body, 'de la carte', () => query(FRANCE, {}, { signal }), (data) => {
    const fr = data.territory;
    const regionNames = new Map(fr.regions.filter((r) => !r.unallocated).map((r) => [r.territory.code, r.territory.name]));
    let indicator = INDICATORS.find((i) => i.id === params.get('indicateur')) || INDICATORS[0];
    const mapBox = h('div', { className: 'map-box' });
    const draw = () => {
      const rows = new Map(fr.departments.filter((d) => !d.unallocated).map((d) => [d.territory.code, {
        name: d.territory.name,
        region: regionFor(d.territory.code),
        value: indicator.value(d.territory, d.rollup),
      }]));
      mapBox.replaceChildren(franceMap(rows, indicator, regionNames));
    };
    draw();

    const chooser = indicatorChooser(indicator, (ind) => {
      indicator = ind;
      draw();
    });

    // The country's own roll-up: its objective is the sum of its regions'.
    return h('div', {},
      h('dl', { className: 'figures' },
        figure('Population', fmt.int(fr.population)),
        figure('Objectifs 2030 des régions', fmt.kt(fr.rollup.objectiveKtco2e)),
        figure('Engagements adoptés', fmt.kt(fr.rollup.adoptedKtco2e)),
        figure('Couverture', bar(fr.rollup.coverage, 'Couverture nationale')),
        figure('Actions recensées', fmt.int(fr.rollup.actionCount)),
        figure('Budget des actions', fmt.eur(fr.rollup.budget))),
      h('div', { className: 'map-layout' }, chooser, mapBox),
      section('emissions', 'Les émissions de la France et les objectifs 2030',
        nationalEmissions(inventory(fr)) || h('p', {}, 'L’inventaire national n’est pas chargé.')),
      section('regions', 'Les régions',
        table(null, [
          { label: 'Région', value: (r) => (r.territory ? territoryLink(r.territory) : 'Non réparti (porté au niveau national)') },
          { label: 'Population', num: true, value: (r) => (r.territory ? fmt.int(r.territory.population) : '—') },
          { label: 'Objectif 2030', num: true, value: (r) => fmt.kt(r.rollup.objectiveKtco2e) },
          { label: 'Engagements adoptés', num: true, value: (r) => fmt.kt(r.rollup.adoptedKtco2e) },
          { label: 'Couverture', value: (r) => bar(r.rollup.coverage, `Couverture ${r.territory?.name || 'non répartie'}`) },
          { label: 'Écart', num: true, value: (r) => fmt.kt(r.rollup.gap) },
          { label: 'Actions', num: true, value: (r) => fmt.int(r.rollup.actionCount) },
        ], fr.regions)));
  });
}

// inventory pairs, for each sector of the national inventory, its emissions observed year
// by year (the embedded CITEPA figures) with its 2030 target (the national strategy's
// GHG_EMISSIONS objective), in the objective's unit.
function inventory(fr) {
  const observed = fr.emissions.edges.map((e) => e.node).filter((o) => o.sector);
  return fr.dashboard.map((row) => {
    const goal = row.objectives.find((o) => o.metric === 'GHG_EMISSIONS');
    const years = observed.filter((o) => o.sector.code === row.sector.code && (!goal || o.unit === goal.unit))
      .sort((a, b) => a.year - b.year).map((o) => ({ year: o.year, value: o.value }));
    return { code: row.sector.code, name: row.sector.name, unit: goal?.unit || observed[0]?.unit,
      years, target: goal ? { year: goal.targetYear, value: goal.targetValue } : null };
  }).filter((d) => d.years.length && d.target);
}

const figure = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
