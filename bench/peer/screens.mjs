// The dashboard screens of bench/peer.sh, each as a pair of GraphQL queries asking the
// project's server and PostGraphile for the same data, with what to read from each answer
// to check that they agree: seven screens, each also in a lighter variant (two or three
// of its fields: NAME-light) and a heavier one (its nested lists and figures:
// NAME-heavy), a data team's ranking and a partner's page of actions changed since a date.
//
//   node screens.mjs bodies DIR                  write DIR/NAME.project.json and DIR/NAME.peer.json
//   node screens.mjs check PROJECT_URL PEER_URL  ask both, compare, exit 1 on a difference
//   node screens.mjs sequential URL SIDE NAME N  send N requests one after the other
//
// PostGraphile's side uses the names of its simplified inflection (territory.objectives,
// membership.child, territory.childMemberships = memberships whose parent it is), with
// the smart tags of graphile.config.mjs: territoryByLevelAndCode and
// territory.rollupCellsByAncestorId. Its BigInt columns (population, count, depth) come
// as strings; the readers below turn them into numbers. What one side computes and the
// other does not (a coverage, a rank) is derived by the reader from the other side's
// figures, so that the check compares the same values.

// Roll-ups on PostGraphile's side read the rollup_cells table, as the project's server
// does: the cells with lever_id -1 add up every lever of a (territory, kind, sector,
// status). The other way, pg-aggregates over actions and commitments joined through
// ancestries, needs each amount weighted by ancestries.weight: a sum of a product, which
// pg-aggregates cannot express without a computed column or a view in the database.

const EPCI = "243500139"; // Rennes Métropole
const DEPARTMENT = "35"; // Ille-et-Vilaine
const REGION = "53"; // Bretagne
const SINCE = "2020-01-01T00:00:00Z"; // every demo action: the first page of a sync from scratch
// The cells adding up every sector and lever (sector_id and lever_id -1) of actions, and
// of commitments.
const ACTION_TOTALS = `{kind: "ACTION", sectorId: "-1", leverId: "-1"}`;
const COMMITMENT_TOTALS = `{kind: "COMMITMENT", sectorId: "-1", leverId: "-1"}`;

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

  // Lighter and heavier variants of the seven.

  // (a-) a territory alone.
  "territory-light": {
    minRows: 1,
    project: `{ territory(level: EPCI, code: "${EPCI}") { code name population } }`,
    peer: `{ territoryByLevelAndCode(level: "EPCI", code: "${EPCI}") { code name population } }`,
    readProject: (d) => [[d.territory.code, d.territory.name, num(d.territory.population)]],
    readPeer: (d) => [[d.territoryByLevelAndCode.code, d.territoryByLevelAndCode.name, num(d.territoryByLevelAndCode.population)]],
  },

  // (a+) a territory with its ancestors, its parents with weights and its communes.
  "territory-heavy": {
    project: `{ territory(level: EPCI, code: "${EPCI}") { level code name population nature siren
      ancestors { level code name population }
      parents { weight parent { level code name } }
      children(level: COMMUNE, first: 500) { totalCount edges { node { code name population } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "EPCI", code: "${EPCI}") { level code name population nature siren
      ancestries(filter: {depth: {greaterThan: "0"}}) { nodes { ancestor { level code name population } } }
      parentMemberships { nodes { weight parent { level code name } } }
      childMemberships(filter: {child: {level: {equalTo: "COMMUNE"}}}, first: 500) { totalCount nodes { child { code name population } } } } }`,
    readProject: (d) => {
      const t = d.territory;
      return [
        [...row(t), t.nature, t.siren, t.children.totalCount],
        ...t.ancestors.map((a) => ["ancestor", ...row(a)]),
        ...t.parents.map((p) => ["parent", p.weight, p.parent.level, p.parent.code, p.parent.name]),
        ...t.children.edges.map(({ node: c }) => ["commune", c.code, c.name, num(c.population)]),
      ];
    },
    readPeer: (d) => {
      const t = d.territoryByLevelAndCode;
      return [
        [...row(t), t.nature, t.siren, t.childMemberships.totalCount],
        ...t.ancestries.nodes.map((n) => ["ancestor", ...row(n.ancestor)]),
        ...t.parentMemberships.nodes.map((p) => ["parent", p.weight, p.parent.level, p.parent.code, p.parent.name]),
        ...t.childMemberships.nodes.map(({ child: c }) => ["commune", c.code, c.name, num(c.population)]),
      ];
    },
  },

  // (b-) a region and its departments.
  "tree-light": {
    project: `{ territory(level: REGION, code: "${REGION}") { code children(level: DEPARTMENT) { edges { node { code name } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "REGION", code: "${REGION}") { code
      childMemberships(filter: {child: {level: {equalTo: "DEPARTMENT"}}}) { nodes { child { code name } } } } }`,
    readProject: (d) => [[d.territory.code], ...d.territory.children.edges.map(({ node: n }) => [n.code, n.name])],
    readPeer: (d) => [[d.territoryByLevelAndCode.code], ...d.territoryByLevelAndCode.childMemberships.nodes.map(({ child: n }) => [n.code, n.name])],
  },

  // (b+) a region, its departments, their EPCI, each with its parents and weights and
  // its roll-up.
  "tree-heavy": {
    project: `{ territory(level: REGION, code: "${REGION}") { code name population
      children(level: DEPARTMENT) { edges { node { code name population
        children(level: EPCI) { edges { node { code name population nature
          parents { weight parent { level code } } rollup { actionCount budget } } } } } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "REGION", code: "${REGION}") { code name population
      childMemberships(filter: {child: {level: {equalTo: "DEPARTMENT"}}}) { nodes { child { code name population
        childMemberships(filter: {child: {level: {equalTo: "EPCI"}}}) { nodes { child { code name population nature
          parentMemberships { nodes { weight parent { level code } } }
          actions: rollupCellsByAncestorId(condition: ${ACTION_TOTALS}) { aggregates { sum { count budget } } } } } } } } } } }`,
    readProject: (d) => {
      const r = d.territory;
      const out = [[r.code, r.name, num(r.population)]];
      for (const { node: dep } of r.children.edges) {
        out.push([dep.code, dep.name, num(dep.population)]);
        for (const { node: e } of dep.children.edges) {
          out.push([dep.code, e.code, e.name, num(e.population), e.nature, e.rollup.actionCount, e.rollup.budget]);
          for (const p of e.parents) out.push([dep.code, e.code, p.weight, p.parent.level, p.parent.code]);
        }
      }
      return out;
    },
    readPeer: (d) => {
      const r = d.territoryByLevelAndCode;
      const out = [[r.code, r.name, num(r.population)]];
      for (const { child: dep } of r.childMemberships.nodes) {
        out.push([dep.code, dep.name, num(dep.population)]);
        for (const { child: e } of dep.childMemberships.nodes) {
          const s = e.actions.aggregates.sum;
          out.push([dep.code, e.code, e.name, num(e.population), e.nature, num(s.count), num(s.budget)]);
          for (const p of e.parentMemberships.nodes) out.push([dep.code, e.code, p.weight, p.parent.level, p.parent.code]);
        }
      }
      return out;
    },
  },

  // (c-) a department's EPCI, codes and names.
  "epcis-light": {
    project: `{ territory(level: DEPARTMENT, code: "${DEPARTMENT}") { children(level: EPCI, first: 50) { edges { node { code name } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "DEPARTMENT", code: "${DEPARTMENT}") {
      childMemberships(filter: {child: {level: {equalTo: "EPCI"}}}, first: 50) { nodes { child { code name } } } } }`,
    readProject: (d) => d.territory.children.edges.map(({ node: n }) => [n.code, n.name]),
    readPeer: (d) => d.territoryByLevelAndCode.childMemberships.nodes.map(({ child: n }) => [n.code, n.name]),
  },

  // (c+) a department's EPCI with their parents and weights, and each one's roll-up.
  "epcis-heavy": {
    project: `{ territory(level: DEPARTMENT, code: "${DEPARTMENT}") { code
      children(level: EPCI, first: 50) { totalCount edges { node { code name population nature
        parents { weight parent { level code name } }
        rollup { actionCount budget effectKtco2e } } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "DEPARTMENT", code: "${DEPARTMENT}") { code
      childMemberships(filter: {child: {level: {equalTo: "EPCI"}}}, first: 50) { totalCount nodes { child { code name population nature
        parentMemberships { nodes { weight parent { level code name } } }
        actions: rollupCellsByAncestorId(condition: ${ACTION_TOTALS}) { aggregates { sum { count budget ktco2E } } } } } } } }`,
    readProject: (d) => {
      const t = d.territory;
      const out = [["total", t.children.totalCount]];
      for (const { node: e } of t.children.edges) {
        out.push([e.code, e.name, num(e.population), e.nature, e.rollup.actionCount, e.rollup.budget, e.rollup.effectKtco2e]);
        for (const p of e.parents) out.push([e.code, p.weight, p.parent.level, p.parent.code, p.parent.name]);
      }
      return out;
    },
    readPeer: (d) => {
      const t = d.territoryByLevelAndCode;
      const out = [["total", t.childMemberships.totalCount]];
      for (const { child: e } of t.childMemberships.nodes) {
        const s = e.actions.aggregates.sum;
        out.push([e.code, e.name, num(e.population), e.nature, num(s.count), num(s.budget), num(s.ktco2E)]);
        for (const p of e.parentMemberships.nodes) out.push([e.code, p.weight, p.parent.level, p.parent.code, p.parent.name]);
      }
      return out;
    },
  },

  // (d-) an EPCI's action count and budget.
  "rollup-light": {
    minRows: 1,
    project: `{ territory(level: EPCI, code: "${EPCI}") { rollup { actionCount budget } } }`,
    peer: `{ territoryByLevelAndCode(level: "EPCI", code: "${EPCI}") {
      actions: rollupCellsByAncestorId(condition: ${ACTION_TOTALS}) { aggregates { sum { count budget } } } } }`,
    readProject: (d) => [[d.territory.rollup.actionCount, d.territory.rollup.budget]],
    readPeer: (d) => {
      const s = d.territoryByLevelAndCode.actions.aggregates.sum;
      return [[num(s.count), num(s.budget)]];
    },
  },

  // (d+) an EPCI's whole roll-up: every figure, commitments by status, its objective
  // (an EPCI's are derived from its region's: the sum of its levers' GHG objectives),
  // coverage and gap.
  "rollup-heavy": {
    project: `{ territory(level: EPCI, code: "${EPCI}") { code name population
      rollup { actionCount actionShare budget effectKtco2e committed { status ktco2e count }
        adoptedKtco2e objectiveKtco2e coverage gap } } }`,
    peer: `{ territoryByLevelAndCode(level: "EPCI", code: "${EPCI}") { code name population
      actions: rollupCellsByAncestorId(condition: ${ACTION_TOTALS}) { aggregates { sum { count share budget ktco2E } } }
      committed: rollupCellsByAncestorId(condition: ${COMMITMENT_TOTALS}) {
        groupedAggregates(groupBy: [STATUS]) { keys sum { count ktco2E } } }
      objectives(condition: {metric: "GHG_AVOIDED"}, filter: {leverId: {isNull: false}}) { totalCount aggregates { sum { targetValue } } } } }`,
    readProject: (d) => {
      const t = d.territory;
      const r = t.rollup;
      return [
        [t.code, t.name, num(t.population), r.actionCount, r.actionShare, r.budget, r.effectKtco2e],
        ["objective", r.adoptedKtco2e, r.objectiveKtco2e, approx(r.coverage), r.gap],
        ...r.committed.filter((c) => c.count !== 0).map((c) => [c.status, c.count, c.ktco2e]),
      ];
    },
    readPeer: (d) => {
      const t = d.territoryByLevelAndCode;
      const s = t.actions.aggregates.sum;
      const committed = t.committed.groupedAggregates.filter((g) => num(g.sum.count) !== 0);
      const adopted = num(committed.find((g) => g.keys[0] === "ADOPTED")?.sum.ktco2E ?? 0);
      const objective = t.objectives.totalCount === 0 ? null : num(t.objectives.aggregates.sum.targetValue);
      return [
        [t.code, t.name, num(t.population), num(s.count), num(s.share), num(s.budget), num(s.ktco2E)],
        ["objective", adopted, objective, ...coverageGap(objective, adopted)],
        ...committed.map((g) => [g.keys[0], num(g.sum.count), num(g.sum.ktco2E)]),
      ];
    },
  },

  // (e-) France by region, asking only each region's action count and budget.
  "france-light": {
    project: `{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) {
      territory { code } rollup { actionCount budget } } } }`,
    peer: `{ territoryByLevelAndCode(level: "COUNTRY", code: "FR") {
      childMemberships(filter: {child: {level: {equalTo: "REGION"}}}) { nodes { child { code
        actions: rollupCellsByAncestorId(condition: ${ACTION_TOTALS}) { aggregates { sum { count budget } } } } } } } }`,
    readProject: (d) => d.territory.rollupBy.map(({ territory: t, rollup: r }) => [t.code, r.actionCount, r.budget]),
    readPeer: (d) =>
      d.territoryByLevelAndCode.childMemberships.nodes.map(({ child: t }) => [
        t.code,
        num(t.actions.aggregates.sum.count),
        num(t.actions.aggregates.sum.budget),
      ]),
  },

  // (e+) France by region with every figure of each region's roll-up.
  "france-heavy": {
    project: `{ territory(level: COUNTRY, code: "FR") { rollupBy(groupBy: CHILD, level: REGION) {
      territory { code name population } rollup { actionCount actionShare budget effectKtco2e
        committed { status ktco2e count } adoptedKtco2e objectiveKtco2e coverage gap } } } }`,
    peer: `{ territoryByLevelAndCode(level: "COUNTRY", code: "FR") {
      childMemberships(filter: {child: {level: {equalTo: "REGION"}}}) { nodes { child { code name population
        actions: rollupCellsByAncestorId(condition: ${ACTION_TOTALS}) { aggregates { sum { count share budget ktco2E } } }
        committed: rollupCellsByAncestorId(condition: ${COMMITMENT_TOTALS}) {
          groupedAggregates(groupBy: [STATUS]) { keys sum { count ktco2E } } }
        objectives(condition: {metric: "GHG_AVOIDED", derived: false}, filter: {leverId: {isNull: false}}) {
          totalCount aggregates { sum { targetValue } } } } } } } }`,
    readProject: (d) => {
      const out = [];
      for (const { territory: t, rollup: r } of d.territory.rollupBy) {
        out.push([t.code, t.name, num(t.population), r.actionCount, r.actionShare, r.budget, r.effectKtco2e,
          r.adoptedKtco2e, r.objectiveKtco2e, approx(r.coverage), r.gap]);
        for (const c of r.committed) if (c.count !== 0) out.push([t.code, c.status, c.count, c.ktco2e]);
      }
      return out;
    },
    readPeer: (d) => {
      const out = [];
      for (const { child: t } of d.territoryByLevelAndCode.childMemberships.nodes) {
        const s = t.actions.aggregates.sum;
        const committed = t.committed.groupedAggregates.filter((g) => num(g.sum.count) !== 0);
        const adopted = num(committed.find((g) => g.keys[0] === "ADOPTED")?.sum.ktco2E ?? 0);
        const objective = t.objectives.totalCount === 0 ? null : num(t.objectives.aggregates.sum.targetValue);
        out.push([t.code, t.name, num(t.population), num(s.count), num(s.share), num(s.budget), num(s.ktco2E),
          adopted, objective, ...coverageGap(objective, adopted)]);
        for (const g of committed) out.push([t.code, g.keys[0], num(g.sum.count), num(g.sum.ktco2E)]);
      }
      return out;
    },
  },

  // (f-) a region's objectives: metric and target only.
  "objectives-light": {
    project: `{ territory(level: REGION, code: "${REGION}") { objectives(first: 100) { edges { node { metric targetValue } } } } }`,
    peer: `{ territoryByLevelAndCode(level: "REGION", code: "${REGION}") { objectives(first: 100) { nodes { metric targetValue } } } }`,
    readProject: (d) => d.territory.objectives.edges.map(({ node: n }) => [n.metric, n.targetValue]),
    readPeer: (d) => d.territoryByLevelAndCode.objectives.nodes.map((n) => [n.metric, n.targetValue]),
  },

  // (f+) a region's own objectives with their levers and the levers' sectors.
  "objectives-heavy": {
    project: `{ territory(level: REGION, code: "${REGION}") { objectives(first: 100, includeDerived: false) { totalCount
      edges { node { metric unit baselineYear baselineValue targetYear targetValue derived source
        lever { code name physicalUnit extensive sector { code name } } sector { code name } } } } } }`,
    // levers.lever_sector (not sector_id) refers to the sector: PostGraphile names the
    // relation sectorByLeverSector.
    peer: `{ territoryByLevelAndCode(level: "REGION", code: "${REGION}") { objectives(first: 100, condition: {derived: false}) { totalCount
      nodes { metric unit baselineYear baselineValue targetYear targetValue derived source
        lever { code name physicalUnit extensive sector: sectorByLeverSector { code name } } sector { code name } } } } }`,
    readProject: (d) => {
      const o = d.territory.objectives;
      return [["total", o.totalCount], ...o.edges.map(({ node: n }) => objectiveHeavy(n))];
    },
    readPeer: (d) => {
      const o = d.territoryByLevelAndCode.objectives;
      return [["total", o.totalCount], ...o.nodes.map(objectiveHeavy)];
    },
  },

  // (g-) the 100 largest EPCI, code and population, without their count.
  "largest-light": {
    ordered: true,
    project: `{ territories(first: 100, where: {level: EPCI}, orderBy: [{field: POPULATION, direction: DESC}]) {
      edges { node { code population } } } }`,
    peer: `{ territories(first: 100, condition: {level: "EPCI"}, orderBy: [POPULATION_DESC]) { nodes { code population } } }`,
    readProject: (d) => d.territories.edges.map(({ node: n }) => [n.code, num(n.population)]),
    readPeer: (d) => d.territories.nodes.map((n) => [n.code, num(n.population)]),
  },

  // (g+) the 100 largest EPCI with their count, parents and weights, and roll-ups.
  "largest-heavy": {
    ordered: true,
    project: `{ territories(first: 100, where: {level: EPCI}, orderBy: [{field: POPULATION, direction: DESC}]) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { code name population nature siren
        parents { weight parent { level code } } rollup { actionCount budget } } } } }`,
    peer: `{ territories(first: 100, condition: {level: "EPCI"}, orderBy: [POPULATION_DESC]) {
      totalCount pageInfo { hasNextPage endCursor } nodes { code name population nature siren
        parentMemberships { nodes { weight parent { level code } } }
        actions: rollupCellsByAncestorId(condition: ${ACTION_TOTALS}) { aggregates { sum { count budget } } } } } }`,
    readProject: (d) => {
      const c = d.territories;
      const out = [["total", c.totalCount, c.pageInfo.hasNextPage]];
      for (const { node: n } of c.edges) {
        out.push([n.code, n.name, num(n.population), n.nature, n.siren, n.rollup.actionCount, n.rollup.budget]);
        for (const p of sortParents(n.parents)) out.push([n.code, p.weight, p.parent.level, p.parent.code]);
      }
      return out;
    },
    readPeer: (d) => {
      const c = d.territories;
      const out = [["total", num(c.totalCount), c.pageInfo.hasNextPage]];
      for (const n of c.nodes) {
        const s = n.actions.aggregates.sum;
        out.push([n.code, n.name, num(n.population), n.nature, n.siren, num(s.count), num(s.budget)]);
        for (const p of sortParents(n.parentMemberships.nodes)) out.push([n.code, p.weight, p.parent.level, p.parent.code]);
      }
      return out;
    },
  },

  // A data team's ranking: the 20 departments of France with the largest budget of
  // actions, with their rank and roll-up. PostGraphile orders the departments by the sum
  // of every cell of theirs (pg-aggregates orders by an aggregate of a relation, without
  // a condition): each action counts in the same number of cells (every sector and
  // lever together, its sector, its lever), so that sum orders them as their totals do.
  ranking: {
    ordered: true,
    project: `{ territory(level: COUNTRY, code: "FR") { ranking(level: DEPARTMENT, orderBy: {by: BUDGET}, first: 20) {
      totalCount edges { node { rank value territory { code name } rollup { actionCount budget } } } } } }`,
    peer: `{ territories(condition: {level: "DEPARTMENT"}, orderBy: [ROLLUP_CELLS_BY_ANCESTOR_ID_SUM_BUDGET_DESC, CODE_ASC], first: 20) {
      totalCount nodes { code name actions: rollupCellsByAncestorId(condition: ${ACTION_TOTALS}) { aggregates { sum { count budget } } } } } }`,
    readProject: (d) => {
      const c = d.territory.ranking;
      return [["total", c.totalCount], ...c.edges.map(({ node: n }) => [n.rank, n.value, n.territory.code, n.territory.name, n.rollup.actionCount, n.rollup.budget])];
    },
    readPeer: (d) => {
      const c = d.territories;
      return [
        ["total", num(c.totalCount)],
        ...c.nodes.map((n, i) => {
          const s = n.actions.aggregates.sum;
          return [i + 1, num(s.budget), n.code, n.name, num(s.count), num(s.budget)];
        }),
      ];
    },
  },

  // A partner's sync: the first page of actions changed since a date, in update order,
  // with where to continue.
  "actions-since": {
    ordered: true,
    project: `{ actions(updatedSince: "${SINCE}", first: 100) { pageInfo { hasNextPage }
      edges { node { title status startYear endYear budget effectKtco2e updatedAt territory { level code } lever { code } } } } }`,
    peer: `{ actions(filter: {updatedAt: {greaterThanOrEqualTo: "${SINCE}"}}, orderBy: [UPDATED_AT_ASC, PRIMARY_KEY_ASC], first: 100) { pageInfo { hasNextPage }
      nodes { title status startYear endYear budget effectKtco2E updatedAt territory { level code } lever { code } } } }`,
    readProject: (d) => [
      ["next", d.actions.pageInfo.hasNextPage],
      ...d.actions.edges.map(({ node: n }) => [n.title, n.status, n.startYear, n.endYear, n.budget, n.effectKtco2e,
        Date.parse(n.updatedAt), n.territory.level, n.territory.code, n.lever?.code ?? null]),
    ],
    readPeer: (d) => [
      ["next", d.actions.pageInfo.hasNextPage],
      ...d.actions.nodes.map((n) => [n.title, n.status, num(n.startYear), num(n.endYear), num(n.budget), num(n.effectKtco2E),
        Date.parse(n.updatedAt), n.territory.level, n.territory.code, n.lever?.code ?? null]),
    ],
  },
};

function row(t) {
  return [t.level, t.code, t.name, num(t.population)];
}

function objective(n) {
  return [n.metric, n.lever?.code ?? null, n.unit, n.baselineValue, n.targetValue, n.derived];
}

function objectiveHeavy(n) {
  const l = n.lever;
  return [n.metric, n.unit, num(n.baselineYear), n.baselineValue, num(n.targetYear), n.targetValue, n.derived, String(n.source).toUpperCase(),
    l?.code ?? null, l?.name ?? null, l?.physicalUnit ?? null, l?.extensive ?? null, l?.sector.code ?? null, n.sector?.code ?? null, n.sector?.name ?? null];
}

// sortParents orders a territory's parents by level and code: both servers give them,
// in an order of their own.
function sortParents(ps) {
  return [...ps].sort((a, b) => (a.parent.level + a.parent.code < b.parent.level + b.parent.code ? -1 : 1));
}

// coverageGap is what the project derives from an objective and the adopted amount:
// adopted / objective (null without a positive objective; compared within 1e-5, see
// Approx) and objective - adopted, not below 0 (null without an objective).
function coverageGap(objective, adopted) {
  if (objective === null) return [null, null];
  return [objective > 0 ? approx(adopted / objective) : null, Math.max(0, objective - adopted)];
}

// Approx is a figure one side rounds and the other computes from rounded figures (a
// coverage): a coverage of 0.012345 given to 6 decimals differs from the exact one by
// more than the check's relative tolerance. Two agree within 1e-5.
class Approx {
  constructor(v) {
    this.v = v;
  }
  toJSON() {
    return this.v;
  }
}

function approx(v) {
  return v === null || v === undefined ? v : new Approx(v);
}

function num(v) {
  return v === null || v === undefined ? v : Number(v);
}

// near says whether two values agree: equal, or numbers within 1e-6 relative.
function near(a, b) {
  if (a instanceof Approx && b instanceof Approx) return Math.abs(a.v - b.v) <= 1e-5;
  if (typeof a === "number" && typeof b === "number") {
    return a === b || Math.abs(a - b) <= 1e-6 * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-9;
  }
  return a === b;
}

// compare returns the differences between two lists of rows, sorted unless ordered.
export function compare(a, b, ordered) {
  const key = (r) => JSON.stringify(r.map((v) => (typeof v === "number" || v instanceof Approx ? 0 : v)));
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
        if (rp.length < (s.minRows ?? 2)) diffs.push(`only ${rp.length} row: is the database loaded?`);
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
