// The GraphQL client: POST to /graphql on this origin, with persisted queries (Apollo
// protocol). A request sends only the SHA-256 of its operation. The server lists the
// dashboard's operations (web/trusted-documents.json, written by go generate from
// queries.js) and answers their hashes at once, also when it runs only its trusted
// documents; should it not know one (PERSISTED_QUERY_NOT_FOUND: a server without this
// manifest), the query is sent again with its text, and the server keeps it for next time.

import { sha256 } from './sha256.js';

const ENDPOINT = '/graphql';
const hashes = new Map(); // query text -> hash, computed once per page load

// ApiError carries what the page shows: a message in French, and the API's code.
export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

async function post(body, signal) {
  let res;
  try {
    res = await fetch(ENDPOINT, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/graphql-response+json, application/json' },
      body: JSON.stringify(body),
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError('Le serveur ne répond pas. Vérifiez la connexion puis réessayez.', 'NETWORK');
  }
  let json = null;
  try {
    json = await res.json();
  } catch {
    // not JSON: a proxy's error page, for instance
  }
  if (!json) throw new ApiError(`Réponse illisible du serveur (HTTP ${res.status}).`, 'BAD_RESPONSE', res.status);
  return { json, status: res.status };
}

// query runs a GraphQL operation and returns its data, or throws an ApiError with the
// first error of the response. Partial data with errors is treated as an error: the
// pages are small enough to be retried whole.
export async function query(text, variables = {}, { signal } = {}) {
  let hash = hashes.get(text);
  if (!hash) {
    hash = sha256(text);
    hashes.set(text, hash);
  }
  const extensions = { persistedQuery: { version: 1, sha256Hash: hash } };
  let { json, status } = await post({ variables, extensions }, signal);
  if (json.errors?.some((e) => e.extensions?.code === 'PERSISTED_QUERY_NOT_FOUND')) {
    ({ json, status } = await post({ query: text, variables, extensions }, signal));
  }
  if (json.errors?.length) {
    const e = json.errors[0];
    const code = e.extensions?.code || 'ERROR';
    throw new ApiError(messageFor(code, e.message), code, status);
  }
  return json.data;
}

function messageFor(code, message) {
  switch (code) {
    case 'RATE_LIMITED':
      return 'Trop de requêtes : patientez quelques secondes puis réessayez.';
    case 'TIMEOUT':
      return 'Le serveur a mis trop de temps à répondre. Réessayez.';
    case 'NOT_FOUND':
      return `Introuvable : ${message}`;
    case 'INTERNAL_SERVER_ERROR':
      return 'Erreur interne du serveur.';
    default:
      return `${message} (${code})`;
  }
}
