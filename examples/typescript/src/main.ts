// A territory's page, fetched with the types generated from the published schema:
//
//   npx tsx src/main.ts BASE_URL [LEVEL CODE [LEVER]]
//   npx tsx src/main.ts http://127.0.0.1:8080 REGION 44 augm_voitelec
//
// Every name below (territory.population, objective.targetValue, the TerritoryLevel
// values) is checked by tsc against the schema: a field renamed or retyped in a new
// major release of the API fails the build here, not a page in production.
//
// The client sends no query text: each request names its document by the hash codegen
// embedded in it (a trusted document the server lists), so it works against a server in
// TRUSTED_DOCUMENTS_MODE=only without a key.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { DocumentNode } from 'graphql';
import { TerritoryPageDocument, type TerritoryLevel, type TerritoryPageQuery } from './gql/graphql';

/** An answer of the API with errors: their messages and codes (extensions.code). */
class GraphQLRequestError extends Error {
  constructor(readonly errors: { message: string; extensions?: { code?: string } }[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
  }
}

/**
 * documentId gives a document's persisted identifier, "sha256:" and the SHA-256 of the text
 * codegen printed in src/gql/persisted-documents.json, from the hash codegen embedded in
 * the typed document (__meta__.hash).
 */
function documentId(document: DocumentNode): string {
  const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
  if (!hash) throw new Error('a document without __meta__.hash: run npm run codegen');
  return hash.startsWith('sha256:') ? hash : `sha256:${hash}`;
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
    body: JSON.stringify({ documentId: documentId(document), variables }),
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
