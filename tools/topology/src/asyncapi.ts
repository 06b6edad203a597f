import { shopAsyncApiOptions, shopCatalogue } from '@stitch/contracts';
import { asyncApiDocument, type AsyncApiDocument } from '@stitch/messaging-core';
import YAML from 'yaml';

export const ASYNCAPI_GENERATE_COMMAND = 'npm run asyncapi:generate';
/** Where the document is committed, relative to the workspace root. */
export const ASYNCAPI_FILE = 'docs/asyncapi.yaml';

/** The shop's AsyncAPI document: the one the storefront serves at /asyncapi.json. */
export function shopAsyncApi(): AsyncApiDocument {
  return asyncApiDocument(shopCatalogue, shopAsyncApiOptions);
}

/** docs/asyncapi.yaml as the catalogue gives it. */
export function renderAsyncApi(document: AsyncApiDocument = shopAsyncApi()): string {
  const header = [
    'Generated from the message catalogue (libs/contracts) and the service manifest (libs/manifest); do not edit.',
    `Regenerate with ${ASYNCAPI_GENERATE_COMMAND}.`,
  ];
  // No line folding: a pattern stays on one line. No anchors: each part reads on its own.
  const body = YAML.stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
  return `${header.map((line) => `# ${line}`).join('\n')}\n${body}`;
}
