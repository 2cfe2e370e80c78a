// graphql-codegen's configuration: the client preset writes src/gql/, the typed documents
// of operations.graphql over the published schema (schema/published/schema.graphql, the
// same text as GET /graphql/schema.graphql).
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../schema/published/schema.graphql',
  documents: ['operations.graphql'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: {
        // The operations are in a .graphql file, not in graphql() calls of the sources.
        fragmentMasking: false,
        // src/gql/persisted-documents.json lists each operation's text under its hash,
        // "sha256:" and the SHA-256 of the text in hex, and each typed document carries
        // that hash (__meta__.hash): the client sends the hash as documentId, not the text.
        persistedDocuments: { hashAlgorithm: 'sha256' },
      },
      config: {
        // The schema's custom scalars, as JSON carries them.
        scalars: {
          Cursor: 'string',
          Time: 'string',
          Float: 'number',
        },
        enumsAsTypes: true,
        useTypeImports: true,
      },
    },
  },
};

export default config;
