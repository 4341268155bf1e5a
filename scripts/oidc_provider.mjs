// A real OpenID Connect provider on 127.0.0.1 for the tests and `make run` (npm package oidc-provider): an
// organisation's identity provider as the tracker sees one, with no network beyond this machine.
//
//   node scripts/oidc_provider.mjs STATE.json
//
// STATE.json (read when the provider starts, and again for each sign-in and each token it issues):
//   {"issuer": "http://127.0.0.1:9000", "port": 9000,
//    "clients": [{"client_id": "...", "client_secret": "...", "redirect_uris": ["http://.../callback/"]}],
//    "identities": {"pat@force.police.uk": {"email": "...", "name": "...", "groups": ["..."]}},
//    "tamper": null | "audience" | "expired" | "signature" | "issuer"}
//
// Any login is accepted with any password at the provider's own sign-in page (oidc-provider's development
// interactions): a login listed under "identities" carries those claims; any other login is its own email address.
// "tamper" makes the token endpoint hand out ID tokens the tracker must refuse: for another client, already
// expired, signed with a key the provider never published, or from another issuer. The tests change claims and
// "tamper" by rewriting the file. Prints "ready <issuer>" once it listens.
import { readFileSync } from 'node:fs';

import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

const statePath = process.argv[2];
const readState = () => JSON.parse(readFileSync(statePath, 'utf8'));
const state = readState();

async function signingKey(kid) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' } };
}
const published = await signingKey('tracker-test-key');
const unpublished = await signingKey('tracker-test-key');

function claimsOf(login) {
  const identity = readState().identities?.[login];
  const email = login.includes('@') ? login : undefined;
  return { email, email_verified: Boolean(email), ...(identity || {}), sub: login };
}

const provider = new Provider(state.issuer, {
  clients: state.clients.map((client) => ({
    ...client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  })),
  jwks: { keys: [published.jwk] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    // Like Microsoft Entra ID's groups claim, sent without a scope of its own.
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'groups'],
  },
  // Like Entra ID, the ID token carries the claims (groups among them), not only the userinfo answer.
  conformIdTokenClaims: false,
  async findAccount(ctx, login) {
    return { accountId: login, claims: async () => claimsOf(login) };
  },
  // The tracker is a first-party application: no consent screen after the sign-in.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
  cookies: { keys: ['tracker-test-provider-cookie-key'] },
  features: { devInteractions: { enabled: true } },
  ttl: { IdToken: 3600, AccessToken: 3600, Session: 3600, Grant: 3600, Interaction: 3600 },
});

const tampered = {
  audience: (claims) => ({ ...claims, aud: 'another-application' }),
  expired: (claims) => ({ ...claims, iat: claims.iat - 7200, exp: claims.iat - 3600 }),
  issuer: (claims) => ({ ...claims, iss: 'http://127.0.0.1:1/another-provider' }),
  signature: (claims) => claims,
};

provider.use(async (ctx, next) => {
  await next();
  const mode = ctx.path === '/token' && ctx.body?.id_token ? readState().tamper : null;
  if (!mode) return;
  const key = mode === 'signature' ? unpublished.privateKey : published.privateKey;
  ctx.body.id_token = await new SignJWT(tampered[mode](decodeJwt(ctx.body.id_token)))
    .setProtectedHeader({ alg: 'RS256', kid: 'tracker-test-key', typ: 'JWT' })
    .sign(key);
});

provider.listen(state.port, '127.0.0.1', () => {
  console.log(`ready ${state.issuer}`);
});
