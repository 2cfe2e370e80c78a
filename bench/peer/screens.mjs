// The seven dashboard screens of bench/peer.sh, each as a pair of GraphQL queries asking
// the project's server and PostGraphile for the same data, with what to read from each
// answer to check that they agree.
//
//   node screens.mjs bodies DIR                  write DIR/NAME.project.json and DIR/NAME.peer.json
//   node screens.mjs check PROJECT_URL PEER_URL  ask both, compare, exit 1 on a difference
//   node screens.mjs sequential URL SIDE NAME N  send N requests one after the other
//
// PostGraphile's side uses the names of its simplified inflection (territory.objectives,
// membership.child, territory.childMemberships = memberships whose parent it is), with
// the smart tags of graphile.config.mjs: territoryByLevelAndCode and
// territory.rollupCellsByAncestorId. Its BigInt columns (population, count, depth) come
// as strings; the readers below turn them into numbers.

// Roll-ups on PostGraphile's side read the rollup_cells table, as the project's server
// does: the cells with lever_id -1 add up every lever of a (territory, kind, sector,
// status). The other way, pg-aggregates over actions and commitments joined through
// ancestries, needs each amount weighted by ancestries.weight: a sum of a product, which
// pg-aggregates cannot express without a computed column or a view in the database.

const EPCI = "243500139"; // Rennes Métropole
const DEPARTMENT = "35"; // Ille-et-Vilaine
const REGION = "53"; // Bretagne

export const screens = {
  // (a) a territory with its ancestors (every larger territory containing it).
  territory: {
    project: `{ territory(level: EPCI, code: "${EPCI}") { level code name population
      ancestors { level code name population } } }`,
    peer: `{ territoryByLevelAndCode(level: "EPCI", code: "${EPCI}") { level code name population
      ancestries(filter: {depth: {greaterThan: "0"}}, orderBy: [DEPTH_DESC]) { nodes { ancestor { level code name population } } } } }`,
    readProject: (d) => {
      const t = d.territory;
      return [row(t), ...t.ancestors.map((a) => ["ancestor", ...row(a)])];
    },
    readPeer: (d) => {
      const t = d.territoryByLevelAndCode;
      return [row(t), ...t.ancestries.nodes.map((n) => ["ancestor", ...row(n.ancestor)])];
    },
  },

  // (b) a region, its departments, their EPCI: three levels.
  tree: {
    project: `{ territory(level: REGION, code: "${REGION}") { code name
      children(level: DEPARTMENT) { edges { node { code name
        children(level: EPCI) { edges { node { code name population } } } } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "REGION", code: "${REGION}") { code name
      childMemberships(filter: {child: {level: {equalTo: "DEPARTMENT"}}}) { nodes { child { code name
        childMemberships(filter: {child: {level: {equalTo: "EPCI"}}}) { nodes { child { code name population } } } } } } } }`,
    readProject: (d) => {
      const r = d.territory;
      const out = [[r.code, r.name]];
      for (const { node: dep } of r.children.edges) {
        out.push([r.code, dep.code, dep.name]);
        for (const { node: e } of dep.children.edges) out.push([r.code, dep.code, e.code, e.name, num(e.population)]);
      }
      return out;
    },
    readPeer: (d) => {
      const r = d.territoryByLevelAndCode;
      const out = [[r.code, r.name]];
      for (const { child: dep } of r.childMemberships.nodes) {
        out.push([r.code, dep.code, dep.name]);
        for (const { child: e } of dep.childMemberships.nodes) out.push([r.code, dep.code, e.code, e.name, num(e.population)]);
      }
      return out;
    },
  },

  // (c) a department's EPCI, with each one's parents and the share of its population in each.
  epcis: {
    project: `{ territory(level: DEPARTMENT, code: "${DEPARTMENT}") { code
      children(level: EPCI, first: 50) { totalCount edges { node { code name population
        parents { weight parent { level code } } } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "DEPARTMENT", code: "${DEPARTMENT}") { code
      childMemberships(filter: {child: {level: {equalTo: "EPCI"}}}, first: 50) { totalCount nodes { child { code name population
        parentMemberships { nodes { weight parent { level code } } } } } } } }`,
    readProject: (d) => {
      const t = d.territory;
      const out = [["total", t.children.totalCount]];
      for (const { node: e } of t.children.edges) {
        out.push([e.code, e.name, num(e.population)]);
        for (const p of e.parents) out.push([e.code, p.parent.level, p.parent.code, p.weight]);
      }
      return out;
    },
    readPeer: (d) => {
      const t = d.territoryByLevelAndCode;
      const out = [["total", t.childMemberships.totalCount]];
      for (const { child: e } of t.childMemberships.nodes) {
        out.push([e.code, e.name, num(e.population)]);
        for (const p of e.parentMemberships.nodes) out.push([e.code, p.parent.level, p.parent.code, p.weight]);
      }
      return out;
    },
  },

  // (d) an EPCI's roll-up: actions inside it (count, budget, effect, weighted by the share
  // of each carrier's population living there) and commitments by status. Both servers read
  // the same roll-up cells: those adding up every sector and lever (sector_id and lever_id -1).
  rollup: {
    project: `{ territory(level: EPCI, code: "${EPCI}") { code
      rollup { actionCount budget effectKtco2e committed { status ktco2e count } } } }`,
    peer: `{ territoryByLevelAndCode(level: "EPCI", code: "${EPCI}") { code
      actions: rollupCellsByAncestorId(condition: {kind: "ACTION", sectorId: "-1", leverId: "-1"}) { aggregates { sum { count budget ktco2E } } }
      committed: rollupCellsByAncestorId(condition: {kind: "COMMITMENT", sectorId: "-1", leverId: "-1"}) {
        groupedAggregates(groupBy: [STATUS]) { keys sum { count ktco2E } } } } }`,
    readProject: (d) => {
      const t = d.territory;
      const r = t.rollup;
      return [
        [t.code, r.actionCount, r.budget, r.effectKtco2e],
        ...r.committed.filter((c) => c.count !== 0).map((c) => [c.status, c.count, c.ktco2e]),
      ];
    },
    readPeer: (d) => {
      const t = d.territoryByLevelAndCode;
      const s = t.actions.aggregates.sum;
      return [
        [t.code, num(s.count), s.budget, s.ktco2E],
        ...t.committed.groupedAggregates
          .filter((g) => num(g.sum.count) !== 0)
          .map((g) => [g.keys[0], num(g.sum.count), g.sum.ktco2E]),
      ];
    },
  },

  // (e) France by region: per region, actions, budget, adopted commitments and objective.
  france: {
    project: `{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) {
      territory { code name } rollup { actionCount budget adoptedKtco2e objectiveKtco2e } } } }`,
    // The objective is the sum of the region's own GHG_AVOIDED objectives per lever; the
    // project would take derived ones for a lever without an own one, but regions have
    // only their own (the SGPE's).
    peer: `{ territoryByLevelAndCode(level: "COUNTRY", code: "FR") {
      childMemberships(filter: {child: {level: {equalTo: "REGION"}}}) { nodes { child { code name
        actions: rollupCellsByAncestorId(condition: {kind: "ACTION", sectorId: "-1", leverId: "-1"}) { aggregates { sum { count budget } } }
        adopted: rollupCellsByAncestorId(condition: {kind: "COMMITMENT", sectorId: "-1", leverId: "-1", status: "ADOPTED"}) { aggregates { sum { ktco2E } } }
        objectives(condition: {metric: "GHG_AVOIDED", derived: false}, filter: {leverId: {isNull: false}}) {
          totalCount aggregates { sum { targetValue } } } } } } } }`,
    readProject: (d) =>
      d.territory.rollupBy.map(({ territory: t, rollup: r }) => [t.code, t.name, r.actionCount, r.budget, r.adoptedKtco2e, r.objectiveKtco2e]),
    readPeer: (d) =>
      d.territoryByLevelAndCode.childMemberships.nodes.map(({ child: t }) => [
        t.code,
        t.name,
        num(t.actions.aggregates.sum.count),
        t.actions.aggregates.sum.budget,
        t.adopted.aggregates.sum.ktco2E,
        t.objectives.totalCount === 0 ? null : t.objectives.aggregates.sum.targetValue, // sum of no rows: 0
      ]),
  },

  // (f) a region's objectives (its own and derived ones: 53 for Bretagne), with lever codes.
  objectives: {
    project: `{ territory(level: REGION, code: "${REGION}") { objectives(first: 100) { totalCount
      edges { node { metric unit baselineValue targetValue derived lever { code } } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "REGION", code: "${REGION}") { objectives(first: 100) { totalCount
      nodes { metric unit baselineValue targetValue derived lever { code } } } } }`,
    readProject: (d) => {
      const o = d.territory.objectives;
      return [["total", o.totalCount], ...o.edges.map(({ node: n }) => objective(n))];
    },
    readPeer: (d) => {
      const o = d.territoryByLevelAndCode.objectives;
      return [["total", o.totalCount], ...o.nodes.map(objective)];
    },
  },

  // (g) the 100 largest EPCI by population, in order.
  largest: {
    ordered: true,
    project: `{ territories(first: 100, where: {level: EPCI}, orderBy: [{field: POPULATION, direction: DESC}]) {
      totalCount edges { node { code name population nature } } } }`,
    peer: `{ territories(first: 100, condition: {level: "EPCI"}, orderBy: [POPULATION_DESC]) {
      totalCount nodes { code name population nature } } }`,
    readProject: (d) => [["total", d.territories.totalCount], ...d.territories.edges.map(({ node: n }) => [n.code, n.name, num(n.population), n.nature])],
    readPeer: (d) => [["total", d.territories.totalCount], ...d.territories.nodes.map((n) => [n.code, n.name, num(n.population), n.nature])],
  },
};

function row(t) {
  return [t.level, t.code, t.name, num(t.population)];
}

function objective(n) {
  return [n.metric, n.lever?.code ?? null, n.unit, n.baselineValue, n.targetValue, n.derived];
}

function num(v) {
  return v === null || v === undefined ? v : Number(v);
}

// near says whether two values agree: equal, or numbers within 1e-6 relative.
function near(a, b) {
  if (typeof a === "number" && typeof b === "number") {
    return a === b || Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-9;
  }
  return a === b;
}

// compare returns the differences between two lists of rows, sorted unless ordered.
export function compare(a, b, ordered) {
  const key = (r) => JSON.stringify(r.map((v) => (typeof v === "number" ? 0 : v)));
  const sortRows = (rows) => (ordered ? rows : [...rows].sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0)));
  const [x, y] = [sortRows(a), sortRows(b)];
  const diffs = [];
  if (x.length !== y.length) diffs.push(`${x.length} rows from the project, ${y.length} from PostGraphile`);
  for (let i = 0; i < Math.min(x.length, y.length) && diffs.length < 5; i++) {
    if (x[i].length !== y[i].length || x[i].some((v, j) => !near(v, y[i][j]))) {
      diffs.push(`row ${i}: project ${JSON.stringify(x[i])}, PostGraphile ${JSON.stringify(y[i])}`);
    }
  }
  return diffs;
}

export function body(query) {
  return JSON.stringify({ query: query.replace(/\s+/g, " ").trim() });
}

async function ask(url, query) {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: body(query) });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${url}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  }
  if (res.status !== 200 || json.errors) throw new Error(`${url}: HTTP ${res.status}: ${JSON.stringify(json.errors ?? json).slice(0, 500)}`);
  return json.data;
}

async function main([cmd, ...args]) {
  const fs = await import("node:fs");
  switch (cmd) {
    case "bodies": {
      const [dir] = args;
      for (const [name, s] of Object.entries(screens)) {
        fs.writeFileSync(`${dir}/${name}.project.json`, body(s.project));
        fs.writeFileSync(`${dir}/${name}.peer.json`, body(s.peer));
      }
      console.log(Object.keys(screens).join(" "));
      return 0;
    }
    case "check": {
      const [projectURL, peerURL] = args;
      let bad = 0;
      for (const [name, s] of Object.entries(screens)) {
        const rp = s.readProject(await ask(projectURL, s.project));
        const rq = s.readPeer(await ask(peerURL, s.peer));
        const diffs = compare(rp, rq, s.ordered);
        if (rp.length < 2) diffs.push(`only ${rp.length} row: is the database loaded?`);
        if (diffs.length) {
          bad++;
          console.log(`${name}: the two servers differ:\n  ${diffs.join("\n  ")}`);
        } else {
          console.log(`${name}: same ${rp.length} rows`);
        }
      }
      return bad ? 1 : 0;
    }
    case "sequential": {
      const [url, side, name, n] = args;
      for (let i = 0; i < Number(n); i++) await ask(url, screens[name][side]);
      return 0;
    }
  }
  console.error("usage: node screens.mjs bodies DIR | check PROJECT_URL PEER_URL | sequential URL project|peer NAME N");
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err.message);
      process.exit(1);
    },
  );
}
