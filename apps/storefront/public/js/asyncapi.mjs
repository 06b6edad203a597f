/* global AsyncApiStandalone, document */
// The page at /asyncapi: the shop's AsyncAPI document, drawn by the AsyncAPI React component's standalone bundle
// (loaded before this module), which fetches it from /asyncapi.json. The sidebar lists operations by service.
AsyncApiStandalone.render(
  {
    schema: { url: '/asyncapi.json' },
    config: { show: { sidebar: true }, sidebar: { showOperations: 'byOperationsTags' } },
  },
  document.getElementById('asyncapi'),
);
