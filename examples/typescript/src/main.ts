// A territory's page, fetched with the types generated from the published schema:
//
//   npx tsx src/main.ts BASE_URL [LEVEL CODE [LEVER]]
//   npx tsx src/main.ts http://127.0.0.1:8080 REGION 44 augm_voitelec
//
// Every name below (territory.population, objective.targetValue, the TerritoryLevel
// values) is checked by tsc against the schema: a field renamed or retyped in a new
// major release of the API fails the build here, not a page in production.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { TerritoryPageDocument, type TerritoryLevel, type TerritoryPageQuery } from './gql/graphql';

/** An answer of the API with errors: their messages and codes (extensions.code). */
class GraphQLRequestError extends Error {
  constructor(readonly errors: { message: string; extensions?: { code?: string } }[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
}

/**
 * execute posts one typed operation to the API and returns its data, typed by the
 * document: the variables the operation declares, and the shape it selects.
 */
async function execute<TResult, TVariables>(
  endpoint: string,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
): Promise<TResult> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: TResult | null; errors?: GraphQLRequestError['errors'] };
  if (body.errors?.length) throw new GraphQLRequestError(body.errors);
  if (!response.ok || body.data == null) throw new Error(`${endpoint}: HTTP ${response.status} without data`);
  return body.data;
}

type Territory = NonNullable<TerritoryPageQuery['territory']>;

/** render writes the page as text: breadcrumb, header, objectives. */
function render(t: Territory): string {
  const lines = [
    [...t.ancestors, t].map((a) => a.name).join(' › '),
    `${t.name} (${t.level} ${t.code}): ${t.population.toLocaleString('fr-FR')} habitants`,
    `${t.objectives.totalCount} objectives`,
  ];
  for (const edge of t.objectives.edges ?? []) {
    const o = edge?.node;
    if (!o) continue;
    const about = o.lever?.name ?? o.sector?.name ?? '';
    lines.push(`  ${about} [${o.metric}] ${o.baselineValue} (${o.baselineYear}) → ${o.targetValue} ${o.unit} (${o.targetYear})${o.derived ? ', derived' : ''}`);
  }
  return lines.join('\n');
}

async function main(args: string[]): Promise<void> {
  const [base, level = 'REGION', code = '44', lever] = args;
  if (!base) {
    console.error('usage: tsx src/main.ts BASE_URL [LEVEL CODE [LEVER]]');
    process.exit(2);
  }
  const endpoint = base.replace(/\/+$/, '').replace(/(\/graphql)?$/, '/graphql');
  const data = await execute(endpoint, TerritoryPageDocument, {
    level: level as TerritoryLevel,
    code,
    lever: lever ?? null,
    first: 5,
  });
  if (!data.territory) {
    console.error(`no territory ${level} ${code}`);
    process.exit(1);
  }
  console.log(render(data.territory));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
