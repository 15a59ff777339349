// JWT and JOSE with jose v6, as Workers apps use it for auth: JWTs signed and verified
// with HS256, RS256, PS256, ES256/384/512 and EdDSA (keys from PEM and JWK), local and
// remote JWKS, compact, flattened and general JWS, JWE (dir, AES key wrap, RSA-OAEP,
// ECDH-ES, PBES2), encrypted JWTs, key generation and export, thumbprints and the
// library's error codes. Signatures that are deterministic (HMAC, RSASSA-PKCS1-v1_5,
// Ed25519) are returned whole; randomized ones are verified back.
import * as jose from 'jose';
import * as K from './keys.js';
import { NODE_JWE, NODE_TOKENS } from './fixtures.js';

const CLAIMS = { sub: 'user-1', role: 'admin', scope: 'read' };
const IAT = 1700000000;
const FAR = 4102444800;
const NODE_PAYLOAD = { sub: 'node-user', scope: 'read write', iat: IAT, exp: FAR, iss: 'urn:node', aud: 'urn:nano' };
const NODE_TEXT = 'secret message from node ✓';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function json(value, status = 200, headers = {}) {
  return Response.json(value, { status, headers });
}

function signed(alg, key, header = {}) {
  return new jose.SignJWT(CLAIMS)
    .setProtectedHeader({ alg, typ: 'JWT', ...header })
    .setIssuedAt(IAT)
    .setExpirationTime(FAR)
    .setIssuer('urn:nano')
    .setAudience('urn:app')
    .sign(key);
}

async function roundTrip(alg, privateKey, publicKey) {
  const token = await signed(alg, privateKey);
  const { payload, protectedHeader } = await jose.jwtVerify(token, publicKey, { issuer: 'urn:nano', audience: 'urn:app', algorithms: [alg] });
  return { token, payload, protectedHeader };
}

// What a failed verification reports: jose's error class, code and message.
async function failure(promise) {
  try {
    await promise;
    return { ok: true };
  } catch (e) {
    return { name: e.name, code: e.code, message: e.message, claim: e.claim, reason: e.reason };
  }
}

const routes = {
  async '/hs256'() {
    return roundTrip('HS256', K.HS256_SECRET, K.HS256_SECRET);
  },
  async '/hs512'() {
    const secret = encoder.encode('x'.repeat(64));
    return roundTrip('HS512', secret, secret);
  },
  async '/rs256'() {
    const privateKey = await jose.importPKCS8(K.RSA_PKCS8, 'RS256');
    const publicKey = await jose.importSPKI(K.RSA_SPKI, 'RS256');
    const fromJwk = await jose.importJWK(K.RSA_PUBLIC_JWK, 'RS256');
    const result = await roundTrip('RS256', privateKey, publicKey);
    const again = await jose.jwtVerify(result.token, fromJwk);
    return { ...result, sameWithJwk: again.payload.sub === 'user-1', keyType: privateKey.type, algorithm: privateKey.algorithm.name };
  },
  async '/ps256'() {
    const privateKey = await jose.importJWK(K.RSA_PRIVATE_JWK, 'PS256');
    const publicKey = await jose.importSPKI(K.RSA_SPKI, 'PS256');
    const { payload, protectedHeader } = await roundTrip('PS256', privateKey, publicKey);
    return { payload, protectedHeader };
  },
  async '/ecdsa'() {
    const out = {};
    for (const [alg, priv, pub] of [['ES256', K.P256_PRIVATE_JWK, K.P256_PUBLIC_JWK],
      ['ES384', K.P384_PRIVATE_JWK, K.P384_PUBLIC_JWK], ['ES512', K.P521_PRIVATE_JWK, K.P521_PUBLIC_JWK]]) {
      const { token, payload, protectedHeader } = await roundTrip(alg, await jose.importJWK(priv, alg), await jose.importJWK(pub, alg));
      out[alg] = { payload, protectedHeader, signatureBytes: jose.base64url.decode(token.split('.')[2]).length };
    }
    return out;
  },
  async '/eddsa'() {
    const out = {};
    for (const alg of ['EdDSA', 'Ed25519']) {
      const privateKey = await jose.importJWK(K.ED25519_PRIVATE_JWK, alg);
      const publicKey = await jose.importJWK(K.ED25519_PUBLIC_JWK, alg);
      out[alg] = await roundTrip(alg, privateKey, publicKey);
    }
    const fromPem = await jose.importPKCS8(K.ED25519_PKCS8, 'EdDSA');
    out.pemAlgorithm = fromPem.algorithm.name;
    return out;
  },
  async '/node-tokens'() {
    const keys = { ES256: K.P256_PUBLIC_JWK, ES384: K.P384_PUBLIC_JWK, ES512: K.P521_PUBLIC_JWK, PS256: K.RSA_PUBLIC_JWK, RS256: K.RSA_PUBLIC_JWK, EdDSA: K.ED25519_PUBLIC_JWK };
    const out = {};
    for (const [alg, token] of Object.entries(NODE_TOKENS)) {
      const { payload, protectedHeader } = await jose.jwtVerify(token, await jose.importJWK(keys[alg], alg), { issuer: 'urn:node', audience: 'urn:nano' });
      out[alg] = { kid: protectedHeader.kid, same: JSON.stringify(payload) === JSON.stringify(NODE_PAYLOAD) };
    }
    return out;
  },
  async '/jwks'() {
    const jwks = jose.createLocalJWKSet({ keys: [
      { ...K.P256_PUBLIC_JWK, kid: 'es256', alg: 'ES256', use: 'sig' },
      { ...K.RSA_PUBLIC_JWK, kid: 'rs256', alg: 'RS256', use: 'sig' },
      { ...K.ED25519_PUBLIC_JWK, kid: 'eddsa', alg: 'EdDSA', use: 'sig' },
    ] });
    const out = {};
    for (const alg of ['ES256', 'RS256', 'EdDSA']) {
      const { payload, protectedHeader } = await jose.jwtVerify(NODE_TOKENS[alg], jwks, { issuer: 'urn:node' });
      out[alg] = { sub: payload.sub, kid: protectedHeader.kid };
    }
    const stranger = await new jose.SignJWT(CLAIMS).setProtectedHeader({ alg: 'ES256', kid: 'unknown' })
      .sign(await jose.importJWK(K.P256_PRIVATE_JWK, 'ES256'));
    out.unknownKid = await failure(jose.jwtVerify(stranger, jwks));
    return out;
  },
  async '/remote-jwks'(request, env) {
    const set = { keys: [{ ...K.P256_PUBLIC_JWK, kid: 'es256', alg: 'ES256' }, { ...K.ED25519_PUBLIC_JWK, kid: 'eddsa' }] };
    const url = new URL('/body', env.UPSTREAM);
    url.searchParams.set('type', 'application/jwk-set+json');
    url.searchParams.set('text', JSON.stringify(set));
    const jwks = jose.createRemoteJWKSet(url, { timeoutDuration: 5000 });
    const first = await jose.jwtVerify(NODE_TOKENS.ES256, jwks);
    const second = await jose.jwtVerify(NODE_TOKENS.EdDSA, jwks);
    return { es256: first.payload.sub, eddsa: second.protectedHeader.kid, fresh: jwks.fresh, cooling: jwks.coolingDown };
  },
  async '/errors'() {
    const key = K.HS256_SECRET;
    const at = (claims) => new jose.SignJWT({ sub: 'x', ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(key);
    const good = await at({ iss: 'urn:nano', aud: 'urn:app', exp: FAR });
    const tampered = good.slice(0, -2) + (good.endsWith('AA') ? 'BB' : 'AA');
    return {
      expired: await failure(jose.jwtVerify(await at({ exp: IAT }), key)),
      notYetValid: await failure(jose.jwtVerify(await at({ nbf: FAR }), key)),
      wrongIssuer: await failure(jose.jwtVerify(good, key, { issuer: 'urn:other' })),
      wrongAudience: await failure(jose.jwtVerify(good, key, { audience: 'urn:other' })),
      missingClaim: await failure(jose.jwtVerify(good, key, { requiredClaims: ['jti'] })),
      badSignature: await failure(jose.jwtVerify(tampered, key)),
      malformed: await failure(jose.jwtVerify('not.a.jwt.at.all', key)),
      algNotAllowed: await failure(jose.jwtVerify(good, key, { algorithms: ['RS256'] })),
      maxTokenAge: await failure(jose.jwtVerify(await at({ iat: IAT }), key, { maxTokenAge: '1h' })),
      wrongKeyType: await failure(jose.jwtVerify(NODE_TOKENS.ES256, key)),
      unsupportedAlg: await failure(new jose.SignJWT({}).setProtectedHeader({ alg: 'XX999' }).sign(key)),
    };
  },
  async '/jws'() {
    const payload = encoder.encode('It’s a dangerous business, Frodo.');
    const ed = await jose.importJWK(K.ED25519_PRIVATE_JWK, 'EdDSA');
    const edPublic = await jose.importJWK(K.ED25519_PUBLIC_JWK, 'EdDSA');
    const compact = await new jose.CompactSign(payload).setProtectedHeader({ alg: 'HS256', b64: true }).sign(K.HS256_SECRET);
    const compactResult = await jose.compactVerify(compact, K.HS256_SECRET);
    const flattened = await new jose.FlattenedSign(payload).setProtectedHeader({ alg: 'EdDSA' }).setUnprotectedHeader({ kid: 'ed-1' }).sign(ed);
    const flattenedResult = await jose.flattenedVerify(flattened, edPublic);
    const general = new jose.GeneralSign(payload);
    general.addSignature(K.HS256_SECRET).setProtectedHeader({ alg: 'HS256' }).setUnprotectedHeader({ kid: 'hs' });
    general.addSignature(ed).setProtectedHeader({ alg: 'EdDSA' }).setUnprotectedHeader({ kid: 'ed' });
    const generalJws = await general.sign();
    const generalResult = await jose.generalVerify(generalJws, edPublic);
    const unencoded = await new jose.FlattenedSign(payload).setProtectedHeader({ alg: 'HS256', b64: false, crit: ['b64'] }).sign(K.HS256_SECRET);
    const unencodedResult = await jose.flattenedVerify({ ...unencoded, payload }, K.HS256_SECRET);
    return {
      compact,
      compactPayload: decoder.decode(compactResult.payload),
      flattened,
      flattenedHeader: flattenedResult.unprotectedHeader,
      general: generalJws,
      generalVerifiedWith: generalResult.unprotectedHeader,
      unencoded,
      unencodedPayload: decoder.decode(unencodedResult.payload),
    };
  },
  async '/jwe'() {
    const text = encoder.encode('top secret ✓');
    const rsaPub = await jose.importJWK(K.RSA_PUBLIC_JWK, 'RSA-OAEP-256');
    const rsaPriv = await jose.importJWK(K.RSA_PRIVATE_JWK, 'RSA-OAEP-256');
    const out = {};
    const cases = [
      ['dir', 'A256GCM', K.A256_KEY, K.A256_KEY],
      ['A128KW', 'A128CBC-HS256', K.A128_KEY, K.A128_KEY],
      ['A128GCMKW', 'A256GCM', K.A128_KEY, K.A128_KEY],
      ['RSA-OAEP-256', 'A256GCM', rsaPub, rsaPriv],
      ['ECDH-ES+A256KW', 'A256GCM', await jose.importJWK(K.P256_PUBLIC_JWK, 'ECDH-ES+A256KW'), await jose.importJWK(K.P256_PRIVATE_JWK, 'ECDH-ES+A256KW')],
      ['ECDH-ES', 'A128GCM', await jose.importJWK(K.X25519_PUBLIC_JWK, 'ECDH-ES'), await jose.importJWK(K.X25519_PRIVATE_JWK, 'ECDH-ES')],
      ['PBES2-HS256+A128KW', 'A128GCM', encoder.encode('correct horse battery staple'), encoder.encode('correct horse battery staple')],
    ];
    for (const [alg, enc, encryptKey, decryptKey] of cases) {
      const jwe = await new jose.CompactEncrypt(text).setProtectedHeader({ alg, enc }).encrypt(encryptKey);
      const options = { keyManagementAlgorithms: [alg] };
      const { plaintext, protectedHeader } = await jose.compactDecrypt(jwe, decryptKey, options);
      const fromNode = NODE_JWE[alg] ? decoder.decode((await jose.compactDecrypt(NODE_JWE[alg], decryptKey, options)).plaintext) : null;
      out[alg] = { plaintext: decoder.decode(plaintext), enc: protectedHeader.enc, parts: jwe.split('.').length, fromNode };
    }
    const flattened = await new jose.FlattenedEncrypt(text).setProtectedHeader({ alg: 'dir', enc: 'A128CBC-HS256' })
      .setAdditionalAuthenticatedData(encoder.encode('aad')).encrypt(new Uint8Array(32).fill(9));
    out.flattened = decoder.decode((await jose.flattenedDecrypt(flattened, new Uint8Array(32).fill(9))).plaintext);
    const jwt = await new jose.EncryptJWT(CLAIMS).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).setIssuedAt(IAT)
      .setExpirationTime(FAR).encrypt(K.A256_KEY);
    out.encryptedJwt = (await jose.jwtDecrypt(jwt, K.A256_KEY)).payload;
    out.wrongKey = await failure(jose.compactDecrypt(await new jose.CompactEncrypt(text).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(K.A256_KEY), new Uint8Array(32)));
    return out;
  },
  async '/keys'() {
    const out = {};
    for (const [alg, options] of [['ES256', {}], ['RS256', { modulusLength: 2048 }], ['EdDSA', {}], ['ECDH-ES', { crv: 'X25519' }], ['PS384', {}]]) {
      const { publicKey, privateKey } = await jose.generateKeyPair(alg, { ...options, extractable: true });
      const jwk = await jose.exportJWK(publicKey);
      const token = alg === 'ECDH-ES' ? null : await new jose.SignJWT({ n: 1 }).setProtectedHeader({ alg }).sign(privateKey);
      out[alg] = {
        kty: jwk.kty, crv: jwk.crv ?? null, members: Object.keys(jwk).sort(),
        privateType: privateKey.type, extractable: privateKey.extractable,
        verifies: token ? (await jose.jwtVerify(token, publicKey)).payload.n === 1 : null,
        spki: (await jose.exportSPKI(publicKey)).split('\n')[0],
      };
    }
    const secret = await jose.generateSecret('HS256', { extractable: true });
    out.HS256 = { type: secret.type, length: (await jose.exportJWK(secret)).k.length };
    const rsa = await jose.importPKCS8(K.RSA_PKCS8, 'RS256', { extractable: true });
    out.pkcs8RoundTrip = (await jose.exportPKCS8(rsa)).trim() === K.RSA_PKCS8.trim();
    out.spkiRoundTrip = (await jose.exportSPKI(await jose.importSPKI(K.RSA_SPKI, 'RS256', { extractable: true }))).trim() === K.RSA_SPKI.trim();
    out.jwkRoundTrip = await jose.exportJWK(await jose.importJWK(K.P256_PRIVATE_JWK, 'ES256', { extractable: true }));
    out.thumbprints = {
      rsa: await jose.calculateJwkThumbprint(K.RSA_PUBLIC_JWK),
      p256: await jose.calculateJwkThumbprint(K.P256_PUBLIC_JWK, 'sha256'),
      ed25519: await jose.calculateJwkThumbprint(K.ED25519_PUBLIC_JWK, 'sha512'),
      uri: await jose.calculateJwkThumbprintUri(K.P256_PUBLIC_JWK),
    };
    out.embedded = (await jose.jwtVerify(
      await new jose.SignJWT({ e: 1 }).setProtectedHeader({ alg: 'ES256', jwk: K.P256_PUBLIC_JWK }).sign(await jose.importJWK(K.P256_PRIVATE_JWK, 'ES256')),
      jose.EmbeddedJWK)).payload;
    return out;
  },
  async '/decode'() {
    const token = await signed('HS256', K.HS256_SECRET, { kid: 'k1' });
    const unsecured = new jose.UnsecuredJWT({ hello: 'world' }).setIssuedAt(IAT).encode();
    return {
      payload: jose.decodeJwt(token),
      header: jose.decodeProtectedHeader(token),
      unsecured,
      unsecuredPayload: jose.UnsecuredJWT.decode(unsecured).payload,
      b64: jose.base64url.encode('¿ü?'),
      b64back: decoder.decode(jose.base64url.decode('wr_DvD8')),
      notJwt: await failure(Promise.resolve().then(() => jose.decodeJwt('garbage'))),
    };
  },
};

// The usual middleware shape: a bearer token checked against a JWKS before the route.
async function authenticated(request) {
  const match = /^Bearer (.+)$/.exec(request.headers.get('authorization') ?? '');
  if (!match) return json({ error: 'missing bearer token' }, 401);
  try {
    const jwks = jose.createLocalJWKSet({ keys: [{ ...K.ED25519_PUBLIC_JWK, kid: 'eddsa' }, { ...K.P256_PUBLIC_JWK, kid: 'es256' }] });
    const { payload } = await jose.jwtVerify(match[1], jwks, { issuer: 'urn:node', audience: 'urn:nano' });
    return json({ hello: payload.sub, scope: payload.scope.split(' ') });
  } catch (e) {
    return json({ error: e.code }, 401, { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/me') return authenticated(request);
    if (pathname === '/token' && request.method === 'POST') {
      const { sub } = await request.json();
      const token = await new jose.SignJWT({ sub }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(IAT).sign(K.HS256_SECRET);
      return json({ token });
    }
    const route = routes[pathname];
    if (!route) return json({ error: 'no route' }, 404);
    try {
      return json(await route(request, env));
    } catch (e) {
      return json({ error: `${e.name}: ${e.message}`, code: e.code ?? null }, 500);
    }
  },
};
