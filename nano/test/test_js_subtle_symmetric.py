"""
Tests for the secret-key algorithms of C{crypto.subtle} (C{48_subtle_secret.js}:
AES-CTR, AES-CBC, AES-GCM, AES-KW, SHA, HMAC, HKDF, PBKDF2) and key wrapping, driven
from JS with published vectors.
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.test.jscrypto import SubtleIsolate

NIST_KEY = "2b7e151628aed2a6abf7158809cf4f3c"
NIST_BLOCK = "6bc1bee22e409f96e93d7e117393172a"


class _Case(SynchronousTestCase):
    def setUp(self):
        self.js = SubtleIsolate()
        self.addCleanup(self.js.close)

    def errors(self, *expressions):
        """
        The error name (or "ok") of each promise expression.
        """
        body = "return [%s];" % ", ".join("await (%s).then(() => 'ok', (e) => e.name)" % e for e in expressions)
        return self.js.value(body)


class AesTests(_Case):
    """
    AES keys and ciphers.
    """

    def test_cbcVector(self):
        """
        AES-CBC gives SP 800-38A's first block (then a padding block) and decrypts.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', unhex('%s'), 'AES-CBC', false, ['encrypt', 'decrypt']);
          const alg = {name: 'AES-CBC', iv: unhex('000102030405060708090a0b0c0d0e0f')};
          const c = await crypto.subtle.encrypt(alg, k, unhex('%s'));
          return [hex(c).slice(0, 32), c.byteLength, hex(await crypto.subtle.decrypt(alg, k, c))];
        """ % (NIST_KEY, NIST_BLOCK)), ["7649abac8119b246cee98e9b12e9197d", 32, NIST_BLOCK])

    def test_ctrVector(self):
        """
        AES-CTR gives SP 800-38A F.5.1's first block.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', unhex('%s'), 'AES-CTR', false, ['encrypt']);
          const alg = {name: 'AES-CTR', counter: unhex('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff'), length: 64};
          return hex(await crypto.subtle.encrypt(alg, k, unhex('%s')));
        """ % (NIST_KEY, NIST_BLOCK)), "874d6191b620e3261bef6864990db6ce")

    def test_gcmVector(self):
        """
        AES-GCM gives test case 2 of the GCM specification; a shorter tag is a
        prefix of the full one.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-GCM', false, ['encrypt', 'decrypt']);
          const c = await crypto.subtle.encrypt({name: 'AES-GCM', iv: new Uint8Array(12)}, k, new Uint8Array(16));
          const short = await crypto.subtle.encrypt({name: 'AES-GCM', iv: new Uint8Array(12), tagLength: 96}, k,
                                                    new Uint8Array(16));
          const back = await crypto.subtle.decrypt({name: 'AES-GCM', iv: new Uint8Array(12), tagLength: 96}, k, short);
          return [hex(c), hex(short) === hex(c).slice(0, 56), back.byteLength];
        """), ["0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf", True, 16])

    def test_cipherErrors(self):
        """
        Wrong IV, counter and tag lengths and forged ciphertexts are OperationErrors.
        """
        self.js.value("""
          globalThis.k = await crypto.subtle.generateKey({name: 'AES-GCM', length: 256}, false, ['encrypt', 'decrypt']);
          globalThis.c = await crypto.subtle.generateKey({name: 'AES-CBC', length: 192}, false, ['encrypt', 'decrypt']);
          globalThis.t = await crypto.subtle.generateKey({name: 'AES-CTR', length: 128}, false, ['encrypt']);
        """)
        self.assertEqual(self.errors(
            "crypto.subtle.encrypt({name: 'AES-GCM', iv: new Uint8Array(12), tagLength: 24}, k, new Uint8Array(1))",
            "crypto.subtle.decrypt({name: 'AES-GCM', iv: new Uint8Array(12)}, k, new Uint8Array(20))",
            "crypto.subtle.decrypt({name: 'AES-GCM', iv: new Uint8Array(12)}, k, new Uint8Array(8))",
            "crypto.subtle.encrypt({name: 'AES-CBC', iv: new Uint8Array(8)}, c, new Uint8Array(1))",
            "crypto.subtle.decrypt({name: 'AES-CBC', iv: new Uint8Array(16)}, c, new Uint8Array(15))",
            "crypto.subtle.encrypt({name: 'AES-CTR', counter: new Uint8Array(16), length: 0}, t, new Uint8Array(1))",
            "crypto.subtle.encrypt({name: 'AES-CTR', counter: new Uint8Array(8), length: 64}, t, new Uint8Array(1))",
            "crypto.subtle.encrypt({name: 'AES-CTR', counter: new Uint8Array(16), length: 256}, t, new Uint8Array(1))",
        ), ["OperationError"] * 7 + ["TypeError"])

    def test_importExport(self):
        """
        Raw and JWK import and export round trip; the JWK carries alg, key_ops and
        ext in member order.
        """
        self.assertEqual(self.js.value("""
          const jwk = {kty: 'oct', k: 'AAECAwQFBgcICQoLDA0ODw', alg: 'A128GCM'};
          const k = await crypto.subtle.importKey('jwk', jwk, 'aes-gcm', true, ['decrypt', 'encrypt']);
          const out = await crypto.subtle.exportKey('jwk', k);
          return [k.algorithm, Object.keys(out), out, hex(await crypto.subtle.exportKey('raw', k))];
        """), [{"name": "AES-GCM", "length": 128}, ["alg", "ext", "k", "key_ops", "kty"],
               {"alg": "A128GCM", "ext": True, "k": "AAECAwQFBgcICQoLDA0ODw", "key_ops": ["encrypt", "decrypt"],
                "kty": "oct"}, "000102030405060708090a0b0c0d0e0f"])

    def test_badKeys(self):
        """
        Wrong raw lengths and bad JWKs are DataErrors; usages the algorithm does not
        have are SyntaxErrors.
        """
        jwk = "{kty: 'oct', k: 'AAECAwQFBgcICQoLDA0ODw'"
        i = "crypto.subtle.importKey('jwk', %s}, 'AES-CBC', true, ['encrypt'])"
        self.assertEqual(self.errors(
            "crypto.subtle.importKey('raw', new Uint8Array(15), 'AES-CBC', true, ['encrypt'])",
            "crypto.subtle.importKey('raw', new Uint8Array(0), 'AES-KW', true, ['wrapKey'])",
            i % (jwk + ", alg: 'A256CBC'"),
            i % (jwk + ", alg: 'A128GCM'"),
            i % "{kty: 'EC', k: 'AAECAwQFBgcICQoLDA0ODw'",
            i % "{kty: 'oct'",
            i % "{kty: 'oct', k: 'AAECAwQFBgcICQoLDA0O+w'",
            i % (jwk + ", use: 'sig'"),
            i % (jwk + ", key_ops: ['decrypt']"),
            i % (jwk + ", key_ops: ['encrypt', 'encrypt']"),
            i % (jwk + ", ext: false"),
            "crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-KW', true, ['encrypt'])",
            "crypto.subtle.importKey('spki', new Uint8Array(16), 'AES-CBC', true, ['encrypt'])",
            i % (jwk + ", use: 'enc', key_ops: ['encrypt', 'sign'], ext: true"),
        ), ["DataError"] * 11 + ["SyntaxError", "NotSupportedError", "ok"])

    def test_generate(self):
        """
        Generated keys have the requested length; other lengths are OperationErrors.
        """
        self.assertEqual(self.js.value("""
          const out = [];
          for (const length of [128, 192, 256]) {
            const k = await crypto.subtle.generateKey({name: 'AES-KW', length}, true, ['wrapKey']);
            out.push((await crypto.subtle.exportKey('raw', k)).byteLength);
          }
          out.push(await crypto.subtle.generateKey({name: 'AES-CTR', length: 64}, true, ['encrypt'])
            .then(() => 'ok', (e) => e.name));
          return out;
        """), [16, 24, 32, "OperationError"])


class HashAndHmacTests(_Case):
    """
    SHA digests and HMAC keys.
    """

    def test_digests(self):
        """
        The four digests of "abc".
        """
        self.assertEqual(self.js.value("""
          const out = [];
          for (const h of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) {
            out.push(hex(await crypto.subtle.digest(h, utf8('abc'))).slice(0, 16));
          }
          return out;
        """), ["a9993e364706816a", "ba7816bf8f01cfea", "cb00753f45a35e8b", "ddaf35a193617aba"])

    def test_rfc4231(self):
        """
        RFC 4231 test case 2 signs and verifies; the JWK says HS256.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', utf8('Jefe'), {name: 'HMAC', hash: 'SHA-256'}, true,
                                                  ['sign', 'verify']);
          const data = utf8('what do ya want for nothing?');
          const s = await crypto.subtle.sign('HMAC', k, data);
          const bad = new Uint8Array(s).slice(); bad[0] ^= 1;
          const jwk = await crypto.subtle.exportKey('jwk', k);
          return [hex(s), await crypto.subtle.verify('HMAC', k, s, data), await crypto.subtle.verify('HMAC', k, bad, data),
                  await crypto.subtle.verify('HMAC', k, s.slice(1), data), jwk.alg, jwk.k, k.algorithm.length];
        """), ["5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", True, False, False, "HS256",
               "SmVmZQ", 32])

    def test_lengths(self):
        """
        An explicit length keeps the first bits of the key data (later bits
        cleared); lengths beyond the data, or leaving a whole unused byte, are
        DataErrors; generated keys default to the hash's block size.
        """
        self.assertEqual(self.js.value("""
          const alg = (length) => ({name: 'HMAC', hash: 'SHA-1', length});
          const k = await crypto.subtle.importKey('raw', new Uint8Array([255, 255]), alg(13), true, ['sign']);
          const e = (p) => p.then(() => 'ok', (e) => e.name);
          const g = await crypto.subtle.generateKey({name: 'HMAC', hash: 'SHA-512'}, true, ['sign']);
          return [k.algorithm.length, hex(await crypto.subtle.exportKey('raw', k)),
                  await e(crypto.subtle.importKey('raw', new Uint8Array(2), alg(17), true, ['sign'])),
                  await e(crypto.subtle.importKey('raw', new Uint8Array(2), alg(8), true, ['sign'])),
                  await e(crypto.subtle.importKey('raw', new Uint8Array(0), alg(undefined), true, ['sign'])),
                  await e(crypto.subtle.generateKey(alg(0), true, ['sign'])),
                  g.algorithm.length, (await crypto.subtle.exportKey('raw', g)).byteLength];
        """), [13, "fff8", "DataError", "DataError", "DataError", "OperationError", 1024, 128])

    def test_badJwks(self):
        """
        An alg for another hash, use "enc" and a wrong kty are DataErrors.
        """
        i = "crypto.subtle.importKey('jwk', {kty: %s, k: 'SmVmZQ'%s}, {name: 'HMAC', hash: 'SHA-384'}, true, ['sign'])"
        self.assertEqual(self.errors(
            i % ("'oct'", ", alg: 'HS256'"), i % ("'oct'", ", use: 'enc'"), i % ("'RSA'", ""),
            i % ("'oct'", ", alg: 'HS384'"),
        ), ["DataError", "DataError", "DataError", "ok"])


class KdfTests(_Case):
    """
    HKDF and PBKDF2.
    """

    def test_hkdf(self):
        """
        RFC 5869 test case 1 via deriveBits; deriveKey makes an AES key of its
        first bytes.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', new Uint8Array(22).fill(11), 'HKDF', false,
                                                  ['deriveBits', 'deriveKey']);
          const alg = {name: 'HKDF', hash: 'SHA-256', salt: unhex('000102030405060708090a0b0c'),
                       info: unhex('f0f1f2f3f4f5f6f7f8f9')};
          const bits = await crypto.subtle.deriveBits(alg, k, 336);
          const aes = await crypto.subtle.deriveKey(alg, k, {name: 'AES-CBC', length: 128}, true, ['encrypt']);
          return [hex(bits), hex(await crypto.subtle.exportKey('raw', aes)), k.algorithm, k.extractable];
        """), ["3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
               "3cb25f25faacd57a90434f64d0362f2a", {"name": "HKDF"}, False])

    def test_pbkdf2(self):
        """
        RFC 6070 test vector 2; deriveKey to an HMAC key of the hash's block size.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', utf8('password'), 'PBKDF2', false, ['deriveBits', 'deriveKey']);
          const alg = {name: 'PBKDF2', hash: 'SHA-1', salt: utf8('salt'), iterations: 2};
          const hmac = await crypto.subtle.deriveKey(alg, k, {name: 'HMAC', hash: 'SHA-1'}, true, ['sign']);
          return [hex(await crypto.subtle.deriveBits(alg, k, 160)), hmac.algorithm.length];
        """), ["ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957", 512])

    def test_errors(self):
        """
        Lengths that are null or not whole bytes, zero iterations, extractable KDF
        keys, other formats and a derived key of the wrong length fail as the spec
        says; a zero length gives an empty result; more than 100000 PBKDF2
        iterations is NotSupportedError (Cloudflare Workers' limit).
        """
        self.js.value("""
          globalThis.h = await crypto.subtle.importKey('raw', new Uint8Array(8), 'HKDF', false, ['deriveBits', 'deriveKey']);
          globalThis.p = await crypto.subtle.importKey('raw', new Uint8Array(8), 'PBKDF2', false, ['deriveBits']);
          globalThis.ha = {name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(), info: new Uint8Array()};
          globalThis.pa = {name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(), iterations: 1};
        """)
        self.assertEqual(self.errors(
            "crypto.subtle.deriveBits(ha, h, null)",
            "crypto.subtle.deriveBits(ha, h)",
            "crypto.subtle.deriveBits(ha, h, 12)",
            "crypto.subtle.deriveBits(ha, h, 255 * 256 + 8)",
            "crypto.subtle.deriveBits({...pa, iterations: 0}, p, 256)",
            "crypto.subtle.deriveBits(pa, p, 9)",
            "crypto.subtle.importKey('raw', new Uint8Array(8), 'HKDF', true, ['deriveBits'])",
            "crypto.subtle.importKey('jwk', {kty: 'oct', k: 'AA'}, 'PBKDF2', false, ['deriveBits'])",
            "crypto.subtle.importKey('raw', new Uint8Array(8), 'PBKDF2', false, ['sign'])",
            "crypto.subtle.deriveKey(ha, h, {name: 'AES-GCM', length: 100}, true, ['encrypt'])",
            "crypto.subtle.deriveKey(ha, h, {name: 'HMAC', hash: 'SHA-1', length: 0}, true, ['sign'])",
            "crypto.subtle.deriveKey(ha, h, 'HKDF', false, ['deriveBits'])",
            "crypto.subtle.deriveKey(ha, h, {name: 'AES-GCM', length: 128}, true, [])",
            "crypto.subtle.deriveBits(ha, p, 128)",
            "crypto.subtle.deriveBits(pa, p, 0)",
            "crypto.subtle.deriveBits({...pa, iterations: 100001}, p, 256)",
        ), ["OperationError"] * 6 + ["SyntaxError", "NotSupportedError", "SyntaxError", "OperationError",
                                     "TypeError", "OperationError", "SyntaxError", "InvalidAccessError", "ok",
                                     "NotSupportedError"])


class WrapTests(_Case):
    """
    wrapKey and unwrapKey with AES-KW and AES-GCM.
    """

    def test_aesKwVector(self):
        """
        Wrapping a raw key with AES-KW gives the RFC 3394 section 4.1 result, and
        unwrapping it gives back a working key with the requested properties.
        """
        self.assertEqual(self.js.value("""
          const kek = await crypto.subtle.importKey('raw', unhex('000102030405060708090a0b0c0d0e0f'), 'AES-KW', false,
                                                    ['wrapKey', 'unwrapKey']);
          const key = await crypto.subtle.importKey('raw', unhex('00112233445566778899aabbccddeeff'), 'AES-CBC', true,
                                                    ['encrypt']);
          const wrapped = await crypto.subtle.wrapKey('raw', key, kek, 'AES-KW');
          const back = await crypto.subtle.unwrapKey('raw', wrapped, kek, 'AES-KW', 'AES-CBC', false, ['decrypt']);
          return [hex(wrapped), back.algorithm, back.extractable, back.usages];
        """), ["1fa68b0a8112b447aef34bd8fb5a7b829d3e862371d2cfe5", {"name": "AES-CBC", "length": 128}, False,
               ["decrypt"]])

    def test_jwkWithAesKw(self):
        """
        A JWK of any length wraps with AES-KW (its JSON is padded with spaces) and
        unwraps.
        """
        self.assertEqual(self.js.value("""
          const kek = await crypto.subtle.generateKey({name: 'AES-KW', length: 256}, false, ['wrapKey', 'unwrapKey']);
          const out = [];
          for (const usages of [['sign'], ['sign', 'verify']]) {
            const key = await crypto.subtle.generateKey({name: 'HMAC', hash: 'SHA-256'}, true, usages);
            const wrapped = await crypto.subtle.wrapKey('jwk', key, kek, {name: 'AES-KW'});
            const back = await crypto.subtle.unwrapKey('jwk', wrapped, kek, 'AES-KW', {name: 'HMAC', hash: 'SHA-256'},
                                                       true, usages);
            out.push(hex(await crypto.subtle.exportKey('raw', back)) === hex(await crypto.subtle.exportKey('raw', key)));
          }
          return out;
        """), [True, True])

    def test_wrapWithEncrypt(self):
        """
        Algorithms without a wrap operation wrap by encrypting (AES-GCM here), and a
        wrapped JWK of an EC private key comes back.
        """
        self.assertEqual(self.js.value("""
          const wk = await crypto.subtle.generateKey({name: 'AES-GCM', length: 128}, false, ['wrapKey', 'unwrapKey']);
          const pair = await crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-384'}, true, ['sign', 'verify']);
          const alg = {name: 'AES-GCM', iv: new Uint8Array(12)};
          const wrapped = await crypto.subtle.wrapKey('jwk', pair.privateKey, wk, alg);
          const back = await crypto.subtle.unwrapKey('jwk', wrapped, wk, alg, {name: 'ECDSA', namedCurve: 'P-384'},
                                                     false, ['sign']);
          const s = await crypto.subtle.sign({name: 'ECDSA', hash: 'SHA-384'}, back, new Uint8Array(3));
          return [back.type, await crypto.subtle.verify({name: 'ECDSA', hash: 'SHA-384'}, pair.publicKey, s,
                                                          new Uint8Array(3))];
        """), ["private", True])

    def test_unwrapErrors(self):
        """
        A wrong unwrapping key is an OperationError; bytes that are not a JWK are a
        DataError; a key without the unwrapKey usage is an InvalidAccessError; an
        algorithm that can neither wrap nor encrypt is NotSupportedError.
        """
        self.js.value("""
          globalThis.a = await crypto.subtle.generateKey({name: 'AES-KW', length: 128}, true, ['wrapKey', 'unwrapKey']);
          globalThis.b = await crypto.subtle.generateKey({name: 'AES-KW', length: 128}, true, ['wrapKey']);
          globalThis.g = await crypto.subtle.generateKey({name: 'AES-GCM', length: 128}, true,
                                                        ['encrypt', 'wrapKey', 'unwrapKey']);
          globalThis.h = await crypto.subtle.generateKey({name: 'HMAC', hash: 'SHA-1'}, true, ['sign']);
          globalThis.wrapped = await crypto.subtle.wrapKey('raw', b, a, 'AES-KW');
          globalThis.iv = {name: 'AES-GCM', iv: new Uint8Array(12)};
          globalThis.notJson = await crypto.subtle.encrypt(iv, g, utf8('{"kty": '));
          globalThis.noKty = await crypto.subtle.encrypt(iv, g, utf8('{"k": "AA"}'));
        """)
        self.assertEqual(self.errors(
            "crypto.subtle.unwrapKey('raw', wrapped, b, 'AES-KW', 'AES-CBC', true, ['encrypt'])",
            "crypto.subtle.unwrapKey('raw', new Uint8Array(24), a, 'AES-KW', 'AES-CBC', true, ['encrypt'])",
            "crypto.subtle.unwrapKey('jwk', notJson, g, iv, 'AES-CBC', true, ['encrypt'])",
            "crypto.subtle.unwrapKey('jwk', noKty, g, iv, 'AES-CBC', true, ['encrypt'])",
            "crypto.subtle.wrapKey('raw', b, h, 'HMAC')",
            "crypto.subtle.wrapKey('raw', b, g, {name: 'AES-CBC', iv: new Uint8Array(16)})",
            "crypto.subtle.unwrapKey('raw', wrapped, a, 'AES-KW', 'AES-CBC', true, [])",
        ), ["InvalidAccessError", "OperationError", "DataError", "DataError", "NotSupportedError",
            "InvalidAccessError", "SyntaxError"])
