// A real OpenID Connect provider for the single sign-on tests (node_modules/oidc-provider).
//
//   node tests/oidc/provider.mjs <client_id> <client_secret>
//
// Listens on a free loopback port and prints its issuer ("http://127.0.0.1:PORT") as
// the first line of output; the pytest fixture reads it (tests/oidc_fixtures.py).
// Everything a council's Entra ID tenant would do is done by the library: discovery,
// JWKS, the authorisation endpoint, PKCE, the token endpoint and signed ID tokens.
// Only two things are the test's own:
//
// - the sign-in page at /interaction/<uid> asks only "who are you?" (a subject the
//   test set up with PUT /test/accounts/<sub>), as a tenant's own login page would;
// - POST /test/next-id-token changes the ID token the token endpoint sends next, for
//   the tokens a well-behaved provider never mints (another tenant's issuer, another
//   audience, expired, unsigned, an old nonce). It is signed with the provider's own
//   published key (or not at all), so the app under test checks it through its usual
//   discovery and JWKS path, as it would a forged token.
import crypto from 'node:crypto';
import http from 'node:http';

import { Provider } from 'oidc-provider';

const [clientId, clientSecret] = process.argv.slice(2);
const accounts = new Map();
let nextIdToken = null;

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };

function b64(value) {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}

function reissue(idToken, change) {
  const [header, payload] = idToken.split('.').slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
  const claims = { ...payload, ...(change.claims || {}) };
  for (const name of change.remove || []) delete claims[name];
  if (change.alg === 'none') {
    return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
  }
  const signed = `${b64(header)}.${b64(claims)}`;
  const signature = crypto.sign('sha256', Buffer.from(signed), privateKey).toString('base64url');
  return `${signed}.${signature}`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid) {
  return `<!doctype html><html lang="en"><head><title>Test council sign-in</title></head>
<body><main><h1>Test council sign-in</h1>
<form method="post" action="/interaction/${escape(uid)}">
<label for="login">Account</label> <input id="login" name="login" autocomplete="off">
<button type="submit">Continue</button></form></main></body></html>`;
}

async function interaction(provider, ctx) {
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = loginPage(details.uid);
    return;
  }
  const login = new URLSearchParams(await readBody(ctx.req)).get('login') || '';
  if (!accounts.has(login)) {
    ctx.status = 400;
    ctx.body = 'no such test account';
    return;
  }
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  const result = { login: { accountId: login }, consent: { grantId } };
  await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.respond = false;
}

async function testHooks(ctx) {
  const body = ctx.method === 'GET' ? '' : await readBody(ctx.req);
  const account = ctx.path.match(/^\/test\/accounts\/([^/]+)$/);
  if (account && ctx.method === 'PUT') {
    accounts.set(decodeURIComponent(account[1]), JSON.parse(body));
  } else if (ctx.path === '/test/next-id-token' && ctx.method === 'POST') {
    nextIdToken = JSON.parse(body);
  } else {
    ctx.status = 404;
    return;
  }
  ctx.status = 204;
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      // "native" lets a loopback redirect URI have any port: the app's test client
      // and its live server for the browser each answer on their own.
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/admin/sign-in/sso/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    jwks: { keys: [signingKey] },
    pkce: { required: () => true },
    // As Entra ID does: the person's email and groups are in the ID token itself.
    conformIdTokenClaims: false,
    claims: {
      openid: ['sub', 'groups'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    findAccount: (ctx, sub) => (accounts.has(sub)
      ? { accountId: sub, claims: () => ({ sub, ...accounts.get(sub) }) }
      : undefined),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, details) => `/interaction/${details.uid}` },
    cookies: { keys: ['test-cookie-key'] },
  });
  provider.use(async (ctx, next) => {
    if (ctx.path.startsWith('/test/')) return testHooks(ctx);
    if (ctx.path.startsWith('/interaction/')) return interaction(provider, ctx);
    await next();
    if (ctx.path === '/token' && nextIdToken && ctx.body?.id_token) {
      ctx.body = { ...ctx.body, id_token: reissue(ctx.body.id_token, nextIdToken) };
      nextIdToken = null;
    }
    return undefined;
  });
  server.on('request', provider.callback());
  process.stdout.write(`${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
