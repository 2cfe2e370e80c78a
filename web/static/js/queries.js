// The operations the dashboard sends, one per screen or section. They are constant
// strings so that each has one persisted-query hash; what varies goes in variables and
// @include directives.

const ROLLUP = `actionCount budget effectKtco2e adoptedKtco2e objectiveKtco2e coverage gap`;

// The France page: every department's and region's roll-up against its objective.
export const FRANCE = `query FrancePage {
  territory(level: COUNTRY, code: "FR") {
    name population
    rollup { ${ROLLUP} committed { status ktco2e count } }
    departments: rollupBy(groupBy: CHILD, level: DEPARTMENT) {
      unallocated
      territory { level code name population }
      rollup { objectiveKtco2e adoptedKtco2e coverage gap }
    }
    regions: rollupBy(groupBy: CHILD, level: REGION) {
      unallocated
      territory { level code name population }
      rollup { actionCount objectiveKtco2e adoptedKtco2e coverage gap }
    }
    dashboard {
      sector { code name }
      objectives { metric unit baselineYear baselineValue targetYear targetValue }
    }
    emissions: observations(first: 200, where: {metric: GHG_EMISSIONS}) {
      edges { node { year value unit source sector { code } } }
    }
  }
}`;

export const SEARCH = `query SearchTerritories($text: String!) {
  searchTerritories(text: $text, first: 10) {
    level code name population
    ancestors { level code name }
  }
}`;

// A territory's page: identity, ancestors, the dashboard (COP step 1) and the roll-up of
// actions and commitments (step 2), with the roll-up by child when it has children.
export const TERRITORY = `query TerritoryPage($level: TerritoryLevel!, $code: String!, $childLevel: TerritoryLevel, $byChild: Boolean!) {
  territory(level: $level, code: $code) {
    level code name population nature
    ancestors { level code name }
    dashboard {
      sector { code name parent { code name } }
      ghgAvoided derived
      objectives { metric unit baselineYear baselineValue targetYear targetValue }
      levers {
        lever { code name physicalUnit extensive }
        ghgAvoided physicalTarget
        latest { year value unit source }
        diagnostic { status travelled expected remaining unit baselineYear baselineValue targetYear targetValue }
        objectives { derived source metric }
      }
    }
    rollup { ${ROLLUP} actionShare committed { status ktco2e count } }
    bySector: rollupBy(groupBy: SECTOR) {
      sector { code name }
      rollup { actionCount effectKtco2e adoptedKtco2e objectiveKtco2e coverage gap committed { status ktco2e } }
    }
    byLever: rollupBy(groupBy: LEVER) { lever { code } rollup { adoptedKtco2e objectiveKtco2e coverage } }
    byChild: rollupBy(groupBy: CHILD, level: $childLevel) @include(if: $byChild) {
      unallocated
      territory { level code name population }
      rollup { actionCount adoptedKtco2e objectiveKtco2e coverage gap }
    }
  }
}`;

// A lever's path year by year, drawn when its row is opened: the straight line from
// baseline to target, the observations and the adopted commitments of each year.
export const TRAJECTORY = `query LeverTrajectory($level: TerritoryLevel!, $code: String!, $lever: String!, $metric: Metric) {
  territory(level: $level, code: $code) {
    trajectory(lever: $lever, metric: $metric) {
      metric unit baselineYear baselineValue targetYear targetValue
      points { year expected observed adopted }
    }
  }
}`;

// The departments of a region with their roll-ups, for the map of a department's page
// (a region's page has them in TERRITORY's byChild).
export const REGION_DEPARTMENTS = `query RegionDepartments($code: String!) {
  territory(level: REGION, code: $code) {
    code name
    departments: rollupBy(groupBy: CHILD, level: DEPARTMENT) {
      unallocated
      territory { level code name population }
      rollup { objectiveKtco2e adoptedKtco2e coverage gap }
    }
  }
}`;

// One page of a territory's children of one level, largest first.
export const CHILDREN = `query TerritoryChildren($level: TerritoryLevel!, $code: String!, $childLevel: TerritoryLevel!, $after: Cursor) {
  territory(level: $level, code: $code) {
    children(level: $childLevel, first: 100, after: $after, orderBy: [{field: POPULATION, direction: DESC}]) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { level code name population } }
    }
  }
}`;

// The indicative breakdown of an objective (COP step 3).
export const BREAKDOWN = `query Breakdown($level: TerritoryLevel!, $code: String!, $lever: String, $sector: String, $to: TerritoryLevel!, $metric: Metric!) {
  territory(level: $level, code: $code) {
    breakdown(lever: $lever, sector: $sector, level: $to, metric: $metric) {
      unit key baselineYear targetYear baselineValue targetValue
      shares { territory { level code name population } population weight baselineValue targetValue }
      unallocated { population weight baselineValue targetValue }
    }
  }
}`;

// A region's COPs: their editions and steps.
export const COPS = `query RegionCops($region: String!) {
  cops(region: $region, first: 20) {
    edges { node { edition title steps { kind status startsOn endsOn } } }
  }
}`;

// The 2030 roadmap of a region for one edition (COP step 4).
export const ROADMAP = `query Roadmap($region: String!, $edition: Int!) {
  roadmap(region: $region, edition: $edition) {
    edition objectiveKtco2e adoptedKtco2e coverage gap
    sectors {
      sector { code name }
      objectiveKtco2e adoptedKtco2e coverage gap
      commitments { id ktco2e physical targetYear territory { level code name } lever { code name physicalUnit } }
    }
  }
}`;

// The editions of a region's roadmap (a COP of that edition, or adopted commitments
// carrying it), with what each holds, to open the page on the latest.
export const ROADMAP_EDITIONS = `query RoadmapEditions($region: String!) {
  roadmaps(region: $region) { edition adoptedKtco2e }
}`;
