// A real OpenID Connect provider for Pinne's tests: `oidc-provider` from npm (the certified
// Node implementation), on 127.0.0.1 with a port of its own.
//
//   node provider.mjs --redirect http://127.0.0.1:1/login/oidc/svar --logout http://127.0.0.1:1/login
//
// Prints one line of JSON ({"issuer": ...}) when it listens. With OIDC_DEBUG=1 in the environment
// (the test harness then passes stderr through) it prints the claims of every ID token it issues. Users (their groups and how they
// signed in) are below. Test-only routes, outside the provider's own:
//
//   GET  /interaction/:uid        a sign-in page for a browser: pick a user, with or without MFA
//   GET  /interaction/:uid/login?user=NAME[&amr=pwd,mfa]  signs NAME in and grants the request
//   POST /__test/next?mode=MODE   the next token response's ID token is changed (see `mutate`)
//   POST /__test/rotate           publish a new signing key and sign with it from now on
//   POST /__test/groups?user=NAME&groups=A,B   the user's groups from now on (empty: none)
//
// The changed ID tokens stand for an attacker or a misconfigured provider: a token for another
// client, an expired one, one for another login (nonce), one whose signature does not match,
// one without a signature (`alg: none`), one signed with HMAC using the public key as secret.
import http from 'node:http';
import { createHmac } from 'node:crypto';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const redirect = arg('redirect', 'http://127.0.0.1:1/login/oidc/svar');
// The issuer's host name: `localhost` makes the provider another site than Pinne on 127.0.0.1,
// as in real use (it still listens on 127.0.0.1).
const host = arg('host', '127.0.0.1');
const postLogout = arg('logout', 'http://127.0.0.1:1/login');

const USERS = {
  coach: { groups: ['pinne-coacher-coachingteamet', 'pinne-coacher-strukturarbete'], name: 'Cora Coach' },
  huvudman: { groups: ['pinne-huvudman'], name: 'Hugo Huvudman' },
  chef: { groups: ['pinne-forbundschef'], name: 'Fia Förbundschef' },
  lasare: { groups: ['pinne-styrelsen'], name: 'Lars Läsare' },
  okand: { groups: ['kommunens-alla-anstallda'], name: 'Olle Okänd' },
  utan: { groups: [], name: 'Ulla Utan' },
};

async function signingKey(kid) {
  const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  return { ...(await jose.exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}
const publicPart = ({ d, p, q, dp, dq, qi, ...pub }) => pub;

const first = await signingKey('nyckel-1');
let rotated = null; // the newer key, once /__test/rotate was called
let nextMode = null;

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://${host}:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'pinne',
      client_secret: 'pinne-test-hemlighet',
      redirect_uris: [redirect],
      post_logout_redirect_uris: [postLogout],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [first] },
  pkce: { required: () => true },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    // How the user signed in (amr, acr) goes into every ID token, as with Entra ID's v1 tokens.
    iss: null, sid: null,
    openid: ['sub', 'acr', 'amr', 'auth_time'], profile: ['name', 'preferred_username'], groups: ['groups'],
    email: ['email', 'email_verified'],
  },
  acrValues: ['urn:kommunen:pwd', 'urn:kommunen:mfa'],
  // Requested claims go into the ID token (as Entra ID does with its groups claim).
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // No confirmation page: the test follows the redirects as a browser would.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html><body>${form}<script>document.forms[0].submit()</script></body></html>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => {
    const user = USERS[sub];
    if (!user) return undefined;
    return {
      accountId: sub,
      claims: async () => ({
        sub,
        name: user.name,
        preferred_username: `${sub}@kommunen.se`,
        // Everyone's address is verified but the coach's (who could have typed any address).
        email: `${sub}@kommunen.se`,
        email_verified: sub !== 'coach',
        groups: user.groups,
      }),
    };
  },
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
  renderError: async (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
});
provider.proxy = false;

/// Changes an ID token as `mode` says, signed (where it is) with the provider's current key.
async function mutate(idToken, mode) {
  const [h, p] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const key = rotated ?? first;
  const sign = async (c) =>
    new jose.SignJWT(c).setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' }).sign(await jose.importJWK(key, 'RS256'));
  const now = Math.floor(Date.now() / 1000);
  switch (mode) {
    case 'wrong_aud':
      return sign({ ...claims, aud: 'ett-annat-system' });
    case 'wrong_azp':
      return sign({ ...claims, azp: 'ett-annat-system' });
    case 'wrong_iss':
      return sign({ ...claims, iss: 'https://falsk.example' });
    case 'expired':
      return sign({ ...claims, iat: now - 7200, exp: now - 3600 });
    case 'wrong_nonce':
      return sign({ ...claims, nonce: 'en-annan-inloggning' });
    case 'tampered': {
      // The payload says förbundschef; the signature is the original one.
      const forged = Buffer.from(JSON.stringify({ ...claims, groups: ['pinne-forbundschef'] })).toString('base64url');
      return `${h}.${forged}.${idToken.split('.')[2]}`;
    }
    case 'alg_none': {
      const head = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const body = Buffer.from(JSON.stringify({ ...claims, groups: ['pinne-forbundschef'] })).toString('base64url');
      return `${head}.${body}.`;
    }
    case 'hs256_public_key': {
      // The classic confusion attack: HMAC with the published public key as the secret.
      const head = Buffer.from(JSON.stringify({ alg: 'HS256', kid: key.kid, typ: 'JWT' })).toString('base64url');
      const body = Buffer.from(JSON.stringify({ ...claims, groups: ['pinne-forbundschef'] })).toString('base64url');
      const secret = JSON.stringify(publicPart(key));
      const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
      return `${head}.${body}.${sig}`;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
    if (process.env.OIDC_DEBUG) console.error(JSON.stringify(jose.decodeJwt(ctx.body.id_token)));
    if (nextMode) {
      const mode = nextMode;
      nextMode = null;
      ctx.body = { ...ctx.body, id_token: await mutate(ctx.body.id_token, mode) };
    } else if (rotated) {
      // Re-signed with the new key (the provider library keeps its configured key).
      const claims = jose.decodeJwt(ctx.body.id_token);
      const token = await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: rotated.kid, typ: 'JWT' })
        .sign(await jose.importJWK(rotated, 'RS256'));
      ctx.body = { ...ctx.body, id_token: token };
    }
  }
  if (ctx.path === '/jwks' && ctx.status === 200 && rotated) {
    ctx.body = { keys: [publicPart(rotated), publicPart(first)] };
  }
});

const callback = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    const login = url.pathname.match(/^\/interaction\/([^/]+)\/login$/);
    if (req.method === 'GET' && login) {
      const details = await provider.interactionDetails(req, res);
      const accountId = url.searchParams.get('user');
      const amr = (url.searchParams.get('amr') ?? 'pwd').split(',');
      const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      const grantId = await grant.save();
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId, amr, acr: amr.includes('mfa') ? 'urn:kommunen:mfa' : 'urn:kommunen:pwd' }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const page = url.pathname.match(/^\/interaction\/([^/]+)$/);
    if (req.method === 'GET' && page) {
      await provider.interactionDetails(req, res);
      const options = Object.entries(USERS).map(([id, u]) => `<option value="${id}">${u.name}</option>`).join('');
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><html lang="sv"><head><title>Kommunens inloggning</title></head><body>
<h1>Kommunens inloggning (test)</h1>
<form method="get" action="/interaction/${page[1]}/login">
<label for="user">Användare</label> <select id="user" name="user">${options}</select>
<label><input type="radio" name="amr" value="pwd" checked> Lösenord</label>
<label><input type="radio" name="amr" value="pwd,mfa"> Lösenord och app (MFA)</label>
<button type="submit">Logga in</button></form></body></html>`);
      return;
    }
    if (req.method === 'POST' && url.pathname === '/__test/next') {
      nextMode = url.searchParams.get('mode');
      res.end('ok');
      return;
    }
    if (req.method === 'POST' && url.pathname === '/__test/groups') {
      const user = USERS[url.searchParams.get('user')];
      user.groups = (url.searchParams.get('groups') ?? '').split(',').filter(Boolean);
      res.end('ok');
      return;
    }
    if (req.method === 'POST' && url.pathname === '/__test/rotate') {
      rotated = await signingKey('nyckel-2');
      res.end('ok');
      return;
    }
  } catch (e) {
    res.statusCode = 500;
    res.end(String(e));
    return;
  }
  callback(req, res);
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
