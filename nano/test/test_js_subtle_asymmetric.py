"""
Tests for the asymmetric algorithms of C{crypto.subtle}: C{48_subtle_asym.js}
(shared key handling; RSASSA-PKCS1-v1_5, RSA-PSS, RSA-OAEP) and C{48_subtle_ec.js}
(ECDSA, ECDH, Ed25519, X25519), driven from JS with published vectors where the
algorithm is deterministic.
"""

import base64

from cryptography.hazmat.primitives.asymmetric import ec as cec
from twisted.trial.unittest import SynchronousTestCase

from nano.test.jscrypto import SubtleIsolate
from nano.test.test_crypto_ec import (
    RFC5903_GRX,
    RFC5903_GRY,
    RFC5903_I,
    RFC5903_SHARED,
    RFC6979_SIG,
    RFC6979_UX,
    RFC6979_UY,
)
from nano.test.test_crypto_okp import (
    ALICE_PRIVATE,
    ALICE_PUBLIC,
    BOB_PUBLIC,
    ED_PUBLIC,
    ED_SECRET,
    ED_SIGNATURE,
    SHARED,
)


def _b64url(n):
    return base64.urlsafe_b64encode(n.to_bytes(32, "big")).rstrip(b"=").decode()


def _ecJwk(x, y, d=None):
    members = "kty: 'EC', crv: 'P-256', x: '%s', y: '%s'" % (_b64url(x), _b64url(y))
    if d is not None:
        members += ", d: '%s'" % (_b64url(d),)
    return "{" + members + "}"


_RFC5903_POINT = cec.derive_private_key(RFC5903_I, cec.SECP256R1()).public_key().public_numbers()
# JS JWK literals of the RFC 6979 and RFC 5903 P-256 keys.
RFC6979_JWK = _ecJwk(RFC6979_UX, RFC6979_UY)
RFC5903_PRIVATE = _ecJwk(_RFC5903_POINT.x, _RFC5903_POINT.y, RFC5903_I)
RFC5903_PUBLIC = _ecJwk(RFC5903_GRX, RFC5903_GRY)


class _Case(SynchronousTestCase):
    def setUp(self):
        self.js = SubtleIsolate()
        self.addCleanup(self.js.close)

    def errors(self, *expressions):
        body = "return [%s];" % ", ".join("await (%s).then(() => 'ok', (e) => e.name)" % e for e in expressions)
        return self.js.value(body)


class EcdsaTests(_Case):
    """
    ECDSA keys and signatures.
    """

    def test_rfc6979(self):
        """
        The RFC 6979 signature of "sample" verifies with the key imported as JWK;
        a changed message does not; signing with a public key is refused.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('jwk', %s, {name: 'ECDSA', namedCurve: 'P-256'}, true, ['verify']);
          const alg = {name: 'ECDSA', hash: 'SHA-256'};
          return [k.type, k.algorithm, await crypto.subtle.verify(alg, k, unhex('%s'), utf8('sample')),
                  await crypto.subtle.verify(alg, k, unhex('%s'), utf8('example')),
                  await crypto.subtle.sign(alg, k, utf8('x')).then(() => 'ok', (e) => e.name)];
        """ % (RFC6979_JWK, RFC6979_SIG, RFC6979_SIG)),
            ["public", {"name": "ECDSA", "namedCurve": "P-256"}, True, False, "InvalidAccessError"])

    def test_curves(self):
        """
        Each curve generates keys whose signatures (r || s) verify, and whose SPKI,
        PKCS#8, raw and JWK exports import back.
        """
        self.assertEqual(self.js.value("""
          const out = [];
          for (const namedCurve of ['P-256', 'P-384', 'P-521']) {
            const alg = {name: 'ECDSA', namedCurve};
            const pair = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
            const s = await crypto.subtle.sign({name: 'ECDSA', hash: 'SHA-256'}, pair.privateKey, utf8('m'));
            const spki = await crypto.subtle.exportKey('spki', pair.publicKey);
            const raw = await crypto.subtle.exportKey('raw', pair.publicKey);
            const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey);
            const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
            const fromSpki = await crypto.subtle.importKey('spki', spki, alg, true, ['verify']);
            const fromRaw = await crypto.subtle.importKey('raw', raw, alg, true, ['verify']);
            const fromPkcs8 = await crypto.subtle.importKey('pkcs8', pkcs8, alg, true, ['sign']);
            const fromJwk = await crypto.subtle.importKey('jwk', jwk, alg, true, ['sign']);
            const s2 = await crypto.subtle.sign({name: 'ECDSA', hash: 'SHA-256'}, fromJwk, utf8('m'));
            out.push([s.byteLength, raw.byteLength,
                      await crypto.subtle.verify({name: 'ECDSA', hash: 'SHA-256'}, fromSpki, s, utf8('m')),
                      await crypto.subtle.verify({name: 'ECDSA', hash: 'SHA-256'}, fromRaw, s2, utf8('m')),
                      hex(await crypto.subtle.exportKey('pkcs8', fromPkcs8)) === hex(pkcs8),
                      Object.keys(jwk).join(), pair.publicKey.usages, pair.privateKey.usages,
                      pair.publicKey.extractable]);
          }
          return out;
        """), [[64, 65, True, True, True, "crv,d,ext,key_ops,kty,x,y", ["verify"], ["sign"], True],
               [96, 97, True, True, True, "crv,d,ext,key_ops,kty,x,y", ["verify"], ["sign"], True],
               [132, 133, True, True, True, "crv,d,ext,key_ops,kty,x,y", ["verify"], ["sign"], True]])

    def test_errors(self):
        """
        Wrong usages, curves, JWK members and export formats fail as the spec says.
        """
        self.js.value("""
          globalThis.pair = await crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-256'}, true, ['sign']);
          globalThis.spki = await crypto.subtle.exportKey('spki', pair.publicKey);
          globalThis.jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
          globalThis.alg = {name: 'ECDSA', namedCurve: 'P-256'};
        """)
        self.assertEqual(self.errors(
            "crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-192'}, true, ['sign'])",
            "crypto.subtle.generateKey(alg, true, ['encrypt'])",
            "crypto.subtle.importKey('spki', spki, alg, true, ['sign'])",
            "crypto.subtle.importKey('spki', spki, {name: 'ECDSA', namedCurve: 'P-384'}, true, ['verify'])",
            "crypto.subtle.importKey('raw', spki, alg, true, ['verify'])",
            "crypto.subtle.importKey('raw', new Uint8Array(65), {name: 'ECDSA', namedCurve: 'P-25'}, true, [])",
            "crypto.subtle.importKey('jwk', {...jwk, alg: 'ES384'}, alg, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, alg: 'RS256'}, alg, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, crv: 'P-384'}, alg, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, use: 'enc'}, alg, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, kty: 'OKP'}, alg, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, y: jwk.x}, alg, true, ['sign'])",
            "crypto.subtle.importKey('jwk', jwk, alg, true, ['verify'])",
            "crypto.subtle.exportKey('raw', pair.privateKey)",
            "crypto.subtle.exportKey('spki', pair.privateKey)",
            "crypto.subtle.exportKey('pkcs8', pair.publicKey)",
            "crypto.subtle.importKey('jwk', {...jwk, alg: 'ES256'}, alg, true, ['sign'])",
        ), ["NotSupportedError", "SyntaxError", "SyntaxError", "DataError", "DataError", "DataError",
            "DataError", "DataError", "DataError", "DataError", "DataError", "DataError", "SyntaxError",
            "InvalidAccessError", "InvalidAccessError", "InvalidAccessError", "ok"])


class EcdhTests(_Case):
    """
    ECDH key agreement.
    """

    def test_rfc5903(self):
        """
        The RFC 5903 keys agree on the published secret; a length takes its first
        bits; more bits than the secret has is an OperationError.
        """
        self.assertEqual(self.js.value("""
          const alg = {name: 'ECDH', namedCurve: 'P-256'};
          const mine = await crypto.subtle.importKey('jwk', %s, alg, false, ['deriveBits', 'deriveKey']);
          const theirs = await crypto.subtle.importKey('jwk', %s, alg, true, []);
          const d = {name: 'ECDH', public: theirs};
          const aes = await crypto.subtle.deriveKey(d, mine, {name: 'AES-GCM', length: 128}, true, ['encrypt']);
          return [hex(await crypto.subtle.deriveBits(d, mine, 256)), hex(await crypto.subtle.deriveBits(d, mine)),
                  hex(await crypto.subtle.deriveBits(d, mine, 12)), hex(await crypto.subtle.exportKey('raw', aes)),
                  await crypto.subtle.deriveBits(d, mine, 264).then(() => 'ok', (e) => e.name)];
        """ % (RFC5903_PRIVATE, RFC5903_PUBLIC)),
            [RFC5903_SHARED, RFC5903_SHARED, RFC5903_SHARED[:3] + "0", RFC5903_SHARED[:32], "OperationError"])

    def test_errors(self):
        """
        A peer key that is private, on another curve, or of another algorithm is an
        InvalidAccessError, as is a public base key; public keys take no usages.
        """
        self.js.value("""
          globalThis.a = await crypto.subtle.generateKey({name: 'ECDH', namedCurve: 'P-256'}, true, ['deriveBits']);
          globalThis.b = await crypto.subtle.generateKey({name: 'ECDH', namedCurve: 'P-384'}, true, ['deriveBits']);
          globalThis.e = await crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-256'}, true, ['sign']);
          globalThis.spki = await crypto.subtle.exportKey('spki', a.publicKey);
        """)
        self.assertEqual(self.errors(
            "crypto.subtle.deriveBits({name: 'ECDH', public: a.privateKey}, a.privateKey, 128)",
            "crypto.subtle.deriveBits({name: 'ECDH', public: b.publicKey}, a.privateKey, 128)",
            "crypto.subtle.deriveBits({name: 'ECDH', public: e.publicKey}, a.privateKey, 128)",
            "crypto.subtle.deriveBits({name: 'ECDH', public: a.publicKey}, a.publicKey, 128)",
            "crypto.subtle.deriveBits({name: 'ECDH', public: 'x'}, a.privateKey, 128)",
            "crypto.subtle.importKey('spki', spki, {name: 'ECDH', namedCurve: 'P-256'}, true, ['deriveBits'])",
            "crypto.subtle.generateKey({name: 'ECDH', namedCurve: 'P-256'}, true, ['sign'])",
        ), ["InvalidAccessError"] * 3 + ["InvalidAccessError", "TypeError", "SyntaxError", "SyntaxError"])


class OkpTests(_Case):
    """
    Ed25519 and X25519.
    """

    def test_ed25519(self):
        """
        The RFC 8032 test 1 key signs the empty message to the published signature;
        its JWK export says alg Ed25519 and has no namedCurve in the algorithm.
        """
        self.assertEqual(self.js.value("""
          const jwk = {kty: 'OKP', crv: 'Ed25519', x: unhex('%s').toBase64({alphabet: 'base64url', omitPadding: true}),
                       d: unhex('%s').toBase64({alphabet: 'base64url', omitPadding: true}), alg: 'EdDSA'};
          const k = await crypto.subtle.importKey('jwk', jwk, 'Ed25519', true, ['sign']);
          const pub = await crypto.subtle.importKey('raw', unhex('%s'), {name: 'ed25519'}, true, ['verify']);
          const s = await crypto.subtle.sign('Ed25519', k, new Uint8Array());
          const out = await crypto.subtle.exportKey('jwk', k);
          return [hex(s), await crypto.subtle.verify('Ed25519', pub, s, new Uint8Array()),
                  await crypto.subtle.verify('Ed25519', pub, s, new Uint8Array(1)), out.alg, out.kty, out.crv,
                  'namedCurve' in k.algorithm, k.algorithm.name];
        """ % (ED_PUBLIC, ED_SECRET, ED_PUBLIC)),
            [ED_SIGNATURE, True, False, "Ed25519", "OKP", "Ed25519", False, "Ed25519"])

    def test_x25519(self):
        """
        RFC 7748 Alice and Bob agree; an all-zero (small-order) peer key is an
        OperationError.
        """
        self.assertEqual(self.js.value("""
          const b64 = (h) => unhex(h).toBase64({alphabet: 'base64url', omitPadding: true});
          const alice = await crypto.subtle.importKey('pkcs8', await crypto.subtle.exportKey('pkcs8',
            await crypto.subtle.importKey('jwk', {kty: 'OKP', crv: 'X25519', x: b64('%s'), d: b64('%s')}, 'X25519',
                                          true, ['deriveBits'])), 'X25519', false, ['deriveBits']);
          const bob = await crypto.subtle.importKey('raw', unhex('%s'), 'X25519', true, []);
          const zero = await crypto.subtle.importKey('raw', new Uint8Array(32), 'X25519', true, []);
          return [hex(await crypto.subtle.deriveBits({name: 'X25519', public: bob}, alice, 256)),
                  await crypto.subtle.deriveBits({name: 'X25519', public: zero}, alice, 256)
                    .then(() => 'ok', (e) => e.name)];
        """ % (ALICE_PUBLIC, ALICE_PRIVATE, BOB_PUBLIC)), [SHARED, "OperationError"])

    def test_errors(self):
        """
        Wrong lengths, curves, algs and uses, and usages a key cannot have, fail as
        the spec says.
        """
        self.js.value("""
          globalThis.ed = await crypto.subtle.generateKey('Ed25519', true, ['sign', 'verify']);
          globalThis.x = await crypto.subtle.generateKey('X25519', true, ['deriveKey']);
          globalThis.edJwk = await crypto.subtle.exportKey('jwk', ed.privateKey);
          globalThis.xJwk = await crypto.subtle.exportKey('jwk', x.privateKey);
          globalThis.xSpki = await crypto.subtle.exportKey('spki', x.publicKey);
        """)
        self.assertEqual(self.errors(
            "crypto.subtle.importKey('raw', new Uint8Array(31), 'Ed25519', true, ['verify'])",
            "crypto.subtle.importKey('jwk', {...edJwk, alg: 'ES256'}, 'Ed25519', true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...edJwk, crv: 'X25519'}, 'Ed25519', true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...xJwk, use: 'sig'}, 'X25519', true, ['deriveKey'])",
            "crypto.subtle.importKey('spki', xSpki, 'Ed25519', true, ['verify'])",
            "crypto.subtle.importKey('raw', new Uint8Array(32), 'Ed25519', true, ['sign'])",
            "crypto.subtle.importKey('spki', xSpki, 'X25519', true, ['deriveBits'])",
            "crypto.subtle.verify('Ed25519', ed.privateKey, new Uint8Array(64), new Uint8Array())",
            "crypto.subtle.deriveBits({name: 'X25519', public: ed.publicKey}, x.privateKey, 8)",
            "crypto.subtle.exportKey('raw', x.privateKey)",
        ), ["DataError"] * 5 + ["SyntaxError", "SyntaxError", "InvalidAccessError", "InvalidAccessError",
                                "InvalidAccessError"])


class RsaTests(_Case):
    """
    RSA keys (1024-bit, generated once per test: fast enough) and operations.
    """

    def test_signatures(self):
        """
        PKCS#1 v1.5 and PSS keys sign and verify; the key algorithm reports the
        modulus, exponent and hash; JWK exports carry the JOSE alg.
        """
        self.assertEqual(self.js.value("""
          const out = [];
          for (const [name, params, hash] of [['RSASSA-PKCS1-v1_5', {}, 'SHA-256'], ['RSA-PSS', {saltLength: 32}, 'SHA-384']]) {
            const pair = await crypto.subtle.generateKey({name, modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]),
                                                          hash}, true, ['sign', 'verify']);
            const alg = {name, ...params};
            const s = await crypto.subtle.sign(alg, pair.privateKey, utf8('m'));
            const jwk = await crypto.subtle.exportKey('jwk', pair.publicKey);
            const pub = await crypto.subtle.importKey('jwk', jwk, {name, hash}, true, ['verify']);
            out.push([s.byteLength, await crypto.subtle.verify(alg, pub, s, utf8('m')),
                      await crypto.subtle.verify(alg, pub, s, utf8('n')), jwk.alg, Object.keys(jwk).join(),
                      pair.privateKey.algorithm.modulusLength, Array.from(pair.privateKey.algorithm.publicExponent),
                      pair.privateKey.algorithm.hash]);
          }
          return out;
        """), [[128, True, False, "RS256", "alg,e,ext,key_ops,kty,n", 1024, [1, 0, 1], {"name": "SHA-256"}],
               [128, True, False, "PS384", "alg,e,ext,key_ops,kty,n", 1024, [1, 0, 1], {"name": "SHA-384"}]])

    def test_oaep(self):
        """
        RSA-OAEP encrypts with the public key and decrypts with the private key (a
        label must match); the private key round-trips through PKCS#8 and JWK, and
        wraps an AES key.
        """
        self.assertEqual(self.js.value("""
          const alg = {name: 'RSA-OAEP', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1'};
          const pair = await crypto.subtle.generateKey(alg, true, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey']);
          const c = await crypto.subtle.encrypt({name: 'RSA-OAEP', label: utf8('l')}, pair.publicKey, utf8('secret'));
          const pkcs8 = await crypto.subtle.exportKey('pkcs8', pair.privateKey);
          const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
          const fromPkcs8 = await crypto.subtle.importKey('pkcs8', pkcs8, {name: 'RSA-OAEP', hash: 'SHA-1'}, false, ['decrypt']);
          const fromJwk = await crypto.subtle.importKey('jwk', jwk, {name: 'RSA-OAEP', hash: 'SHA-1'}, false, ['decrypt']);
          const aes = await crypto.subtle.generateKey({name: 'AES-GCM', length: 256}, true, ['encrypt']);
          const wrapped = await crypto.subtle.wrapKey('raw', aes, pair.publicKey, 'RSA-OAEP');
          const back = await crypto.subtle.unwrapKey('raw', wrapped, pair.privateKey, 'RSA-OAEP', 'AES-GCM', true, ['encrypt']);
          return [new TextDecoder().decode(await crypto.subtle.decrypt({name: 'RSA-OAEP', label: utf8('l')}, fromPkcs8, c)),
                  new TextDecoder().decode(await crypto.subtle.decrypt({name: 'RSA-OAEP', label: utf8('l')}, fromJwk, c)),
                  await crypto.subtle.decrypt({name: 'RSA-OAEP'}, fromJwk, c).then(() => 'ok', (e) => e.name),
                  jwk.alg, Object.keys(jwk).join(), pair.publicKey.usages, pair.privateKey.usages,
                  hex(await crypto.subtle.exportKey('raw', back)) === hex(await crypto.subtle.exportKey('raw', aes))];
        """), ["secret", "secret", "OperationError", "RSA-OAEP", "alg,d,dp,dq,e,ext,key_ops,kty,n,p,q,qi",
               ["encrypt", "wrapKey"], ["decrypt", "unwrapKey"], True])

    def test_errors(self):
        """
        Bad exponents, usages, JWK algs and formats, and keys of the wrong type,
        fail as the spec says.
        """
        self.js.value("""
          globalThis.gen = {name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]),
                            hash: 'SHA-256'};
          globalThis.pair = await crypto.subtle.generateKey(gen, true, ['sign', 'verify']);
          globalThis.jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
          globalThis.spki = await crypto.subtle.exportKey('spki', pair.publicKey);
          globalThis.imp = {name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256'};
        """)
        self.assertEqual(self.errors(
            "crypto.subtle.generateKey({...gen, publicExponent: new Uint8Array([1])}, true, ['sign'])",
            "crypto.subtle.generateKey({...gen, publicExponent: [1, 0, 1]}, true, ['sign'])",
            "crypto.subtle.generateKey(gen, true, ['encrypt'])",
            "crypto.subtle.generateKey({...gen, hash: 'SHA-224'}, true, ['sign'])",
            "crypto.subtle.importKey('spki', spki, imp, true, ['sign'])",
            "crypto.subtle.importKey('raw', spki, imp, true, ['verify'])",
            "crypto.subtle.importKey('jwk', {...jwk, alg: 'RS384'}, imp, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, alg: 'PS256'}, imp, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, use: 'enc'}, imp, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, qi: undefined, dq: undefined}, imp, true, ['sign'])",
            "crypto.subtle.importKey('jwk', {...jwk, oth: [{r: 'AQ', d: 'AQ', t: 'AQ'}]}, imp, true, ['sign'])",
            "crypto.subtle.importKey('spki', spki, {name: 'RSA-OAEP', hash: 'SHA-256'}, true, ['encrypt'])",
            "crypto.subtle.sign('RSASSA-PKCS1-v1_5', pair.publicKey, new Uint8Array())",
            "crypto.subtle.sign({name: 'RSA-PSS', saltLength: 32}, pair.privateKey, new Uint8Array())",
            "crypto.subtle.exportKey('raw', pair.publicKey)",
            "crypto.subtle.exportKey('spki', pair.privateKey)",
        ), ["OperationError", "TypeError", "SyntaxError", "NotSupportedError", "SyntaxError", "NotSupportedError",
            "DataError", "DataError", "DataError", "DataError", "NotSupportedError", "ok", "InvalidAccessError",
            "InvalidAccessError", "NotSupportedError", "InvalidAccessError"])
