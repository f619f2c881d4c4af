// Throw-away OpenID Connect provider for browser tests of Streamlit's st.login.
//
//   node provider.mjs --port 9400 --client-id app --client-secret s3cret \
//        --redirect http://127.0.0.1:8501/oauth2callback [--redirect ...]
//
// Every option can also come from the environment: OIDC_PORT, OIDC_CLIENT_ID,
// OIDC_CLIENT_SECRET, OIDC_REDIRECT (space-separated for several).
//
// - issuer http://127.0.0.1:PORT, listens on 127.0.0.1 only;
// - development login form: any login name, any non-empty password;
// - accepts prompt=select_account (Streamlit's default) as well as prompt=login;
// - no consent screen (a grant for "openid email profile" is made on the fly);
// - ID token carries sub=<login>, email=<login>@example.edu, email_verified, name;
// - sign-out (end_session) confirms itself (no extra click);
// - prints "ready <issuer>" on stdout once listening; errors go to stderr.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import Provider, { interactionPolicy } from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_PORT ?? '9400' },
    'client-id': { type: 'string', default: process.env.OIDC_CLIENT_ID ?? 'streamlit-app' },
    'client-secret': { type: 'string', default: process.env.OIDC_CLIENT_SECRET ?? 'streamlit-secret' },
    redirect: { type: 'string', multiple: true, default: (process.env.OIDC_REDIRECT ?? '').split(/\s+/).filter(Boolean) },
    'email-domain': { type: 'string', default: process.env.OIDC_EMAIL_DOMAIN ?? 'example.edu' },
  },
});

if (args.redirect.length === 0) {
  console.error('provider.mjs: give at least one --redirect http://127.0.0.1:APPPORT/oauth2callback');
  process.exit(2);
}

const port = Number(args.port);
const issuer = `http://127.0.0.1:${port}`;
const domain = args['email-domain'];

// A fresh signing key per run (avoids the "using default development keys" warning).
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ format: 'jwk' });

const SCOPE = 'openid email profile';

// Streamlit asks for prompt=select_account unless client_kwargs says otherwise; oidc-provider
// refuses prompt values it has no prompt for ("unsupported prompt value requested"). Accept
// it and do nothing for it: without a provider session the login form shows anyway, with one
// the signed-in account is reused. (client_kwargs = { prompt = "login" } forces the form.)
const policy = interactionPolicy.base();
const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
selectAccount.checks.remove('select_account_prompt');
policy.add(selectAccount);

function displayName(login) {
  return login.charAt(0).toUpperCase() + login.slice(1);
}

const configuration = {
  clients: [{
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    redirect_uris: args.redirect,
    // Streamlit sends the redirect_uri (/oauth2callback) as post_logout_redirect_uri.
    post_logout_redirect_uris: args.redirect,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  // Explicit lifetimes (seconds) keep the "default ttl.* function called" notices away.
  ttl: {
    AccessToken: 3600, AuthorizationCode: 60, IdToken: 3600, Interaction: 600, Session: 86400, Grant: 86400,
  },
  cookies: { keys: [randomBytes(16).toString('hex')] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  // Put the scope-derived claims in the ID token itself: Streamlit builds st.user
  // from the ID token only and never calls the userinfo endpoint.
  conformIdTokenClaims: false,
  async findAccount(ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          email: `${sub}@${domain}`,
          email_verified: true,
          name: displayName(sub),
          preferred_username: sub,
        };
      },
    };
  },
  // Skip the consent screen: treat the (only) client as first-party and grant
  // everything it asks for as soon as the user is known.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPE);
    grant.addOIDCClaims(['sub', 'email', 'email_verified', 'name', 'preferred_username']);
    await grant.save();
    return grant;
  },
  interactions: { policy },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // Default page asks "Do you want to sign-out?": confirm it by itself.
      async logoutSource(ctx, form) {
        const confirmed = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
        ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Signing out</title></head>
<body>${confirmed}
<noscript><button type="submit" form="op.logoutForm">Yes, sign me out</button></noscript>
<script>document.getElementById('op.logoutForm').submit();</script></body></html>`;
      },
    },
  },
  // Plain error page (the default one imports a web font from the internet).
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>OIDC error</title></head><body>
<h1>oops! something went wrong</h1><pre>${Object.entries(out).map(([k, v]) => `${k}: ${String(v).replace(/[<&]/g, '')}`).join('\n')}</pre></body></html>`;
  },
};

const provider = new Provider(issuer, configuration);

for (const event of ['server_error', 'authorization.error', 'grant.error', 'end_session.error',
  'backchannel.error', 'introspection.error', 'revocation.error', 'userinfo.error']) {
  provider.on(event, (ctx, err) => {
    console.error(`[oidc] ${event}: ${err?.name ?? ''} ${err?.message ?? err} ${err?.error_description ?? ''}`);
  });
}
provider.on('grant.success', (ctx) => {
  console.error(`[oidc] token issued for client ${ctx.oidc.client?.clientId}`);
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
server.on('error', (err) => {
  console.error(`provider.mjs: cannot listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(1);
});
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => { server.close(() => process.exit(0)); server.closeAllConnections(); });
}
