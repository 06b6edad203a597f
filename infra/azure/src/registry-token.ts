/** The user name a registry token is presented with: ACR's fixed name for a token exchanged from Microsoft Entra. */
export const REGISTRY_TOKEN_USER = '00000000-0000-0000-0000-000000000000';

/**
 * Exchanges the deployer's Azure Resource Manager access token for a refresh token of the registry at `loginServer`,
 * as `az acr login` does: the images are pushed with the deployer's own Entra identity, so the registry needs no admin
 * user and no key exists to leak. The token lives about three hours, enough for one deploy.
 */
export async function exchangeRegistryToken(
  loginServer: string,
  accessToken: string,
  options: { tenantId?: string; baseUrl?: string; fetch?: typeof fetch } = {},
): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'access_token', service: loginServer, access_token: accessToken });
  if (options.tenantId) body.set('tenant', options.tenantId);
  const url = `${options.baseUrl ?? `https://${loginServer}`}/oauth2/exchange`;
  const response = await (options.fetch ?? fetch)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  // The body of a refusal can echo what was sent; only the status is reported.
  if (!response.ok) {
    throw new Error(
      `registry ${loginServer} refused the Azure sign-in (HTTP ${response.status}): the deploying identity needs AcrPush, Contributor or Owner on it`,
    );
  }
  const { refresh_token: refreshToken } = (await response.json()) as { refresh_token?: unknown };
  if (typeof refreshToken !== 'string' || refreshToken === '') {
    throw new Error(`registry ${loginServer} answered the token exchange without a refresh_token`);
  }
  return refreshToken;
}
