// Starts the vendored GraphiQL on /graphql. A classic script (not a module): the vendored
// builds are UMD files that define the globals React, ReactDOM and GraphiQL.
(function () {
  'use strict';
  // The fetcher posts to this server's endpoint, with the headers typed in GraphiQL's
  // headers pane (an API key for mutations, for instance).
  function fetcher(params, opts) {
    var headers = Object.assign({ 'Content-Type': 'application/json', Accept: 'application/json' }, (opts && opts.headers) || {});
    return fetch('/graphql', { method: 'POST', headers: headers, body: JSON.stringify(params) })
      .then(function (res) { return res.json(); });
  }
  var example = [
    '# Rennes Métropole, ses territoires parents et son tableau de bord.',
    '# Ctrl+Entrée exécute ; le schéma est documenté dans le panneau latéral.',
    '{',
    '  territory(level: EPCI, code: "243500139") {',
    '    name',
    '    population',
    '    ancestors { level code name }',
    '    dashboard { sector { name } ghgAvoided }',
    '  }',
    '}',
    '',
  ].join('\n');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: example, defaultEditorToolsVisibility: true }));
})();
