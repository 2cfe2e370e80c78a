/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment TerritoryHeader on Territory {\n  id\n  level\n  code\n  name\n  population\n}\n\nfragment ObjectiveRow on Objective {\n  id\n  metric\n  unit\n  baselineYear\n  baselineValue\n  targetYear\n  targetValue\n  source\n  derived\n  lever {\n    code\n    name\n  }\n  sector {\n    code\n    name\n  }\n}\n\nquery TerritoryPage($level: TerritoryLevel!, $code: String!, $lever: String, $first: Int = 50) {\n  territory(level: $level, code: $code) {\n    ...TerritoryHeader\n    ancestors {\n      level\n      code\n      name\n    }\n    objectives(lever: $lever, first: $first) {\n      totalCount\n      edges {\n        node {\n          ...ObjectiveRow\n        }\n      }\n    }\n  }\n}\n\nquery SearchTerritories($text: String!, $levels: [TerritoryLevel!], $first: Int = 10) {\n  searchTerritories(text: $text, levels: $levels, first: $first) {\n    ...TerritoryHeader\n  }\n}": typeof types.TerritoryHeaderFragmentDoc,
};
const documents: Documents = {
    "fragment TerritoryHeader on Territory {\n  id\n  level\n  code\n  name\n  population\n}\n\nfragment ObjectiveRow on Objective {\n  id\n  metric\n  unit\n  baselineYear\n  baselineValue\n  targetYear\n  targetValue\n  source\n  derived\n  lever {\n    code\n    name\n  }\n  sector {\n    code\n    name\n  }\n}\n\nquery TerritoryPage($level: TerritoryLevel!, $code: String!, $lever: String, $first: Int = 50) {\n  territory(level: $level, code: $code) {\n    ...TerritoryHeader\n    ancestors {\n      level\n      code\n      name\n    }\n    objectives(lever: $lever, first: $first) {\n      totalCount\n      edges {\n        node {\n          ...ObjectiveRow\n        }\n      }\n    }\n  }\n}\n\nquery SearchTerritories($text: String!, $levels: [TerritoryLevel!], $first: Int = 10) {\n  searchTerritories(text: $text, levels: $levels, first: $first) {\n    ...TerritoryHeader\n  }\n}": types.TerritoryHeaderFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment TerritoryHeader on Territory {\n  id\n  level\n  code\n  name\n  population\n}\n\nfragment ObjectiveRow on Objective {\n  id\n  metric\n  unit\n  baselineYear\n  baselineValue\n  targetYear\n  targetValue\n  source\n  derived\n  lever {\n    code\n    name\n  }\n  sector {\n    code\n    name\n  }\n}\n\nquery TerritoryPage($level: TerritoryLevel!, $code: String!, $lever: String, $first: Int = 50) {\n  territory(level: $level, code: $code) {\n    ...TerritoryHeader\n    ancestors {\n      level\n      code\n      name\n    }\n    objectives(lever: $lever, first: $first) {\n      totalCount\n      edges {\n        node {\n          ...ObjectiveRow\n        }\n      }\n    }\n  }\n}\n\nquery SearchTerritories($text: String!, $levels: [TerritoryLevel!], $first: Int = 10) {\n  searchTerritories(text: $text, levels: $levels, first: $first) {\n    ...TerritoryHeader\n  }\n}"): (typeof documents)["fragment TerritoryHeader on Territory {\n  id\n  level\n  code\n  name\n  population\n}\n\nfragment ObjectiveRow on Objective {\n  id\n  metric\n  unit\n  baselineYear\n  baselineValue\n  targetYear\n  targetValue\n  source\n  derived\n  lever {\n    code\n    name\n  }\n  sector {\n    code\n    name\n  }\n}\n\nquery TerritoryPage($level: TerritoryLevel!, $code: String!, $lever: String, $first: Int = 50) {\n  territory(level: $level, code: $code) {\n    ...TerritoryHeader\n    ancestors {\n      level\n      code\n      name\n    }\n    objectives(lever: $lever, first: $first) {\n      totalCount\n      edges {\n        node {\n          ...ObjectiveRow\n        }\n      }\n    }\n  }\n}\n\nquery SearchTerritories($text: String!, $levels: [TerritoryLevel!], $first: Int = 10) {\n  searchTerritories(text: $text, levels: $levels, first: $first) {\n    ...TerritoryHeader\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;