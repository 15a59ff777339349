"""
Tests for the C{crypto.subtle} interface files: C{46_crypto_key.js} (CryptoKey),
C{47_subtle_idl.js} (WebIDL conversions, algorithm normalization),
C{47_subtle_jwk.js} (JsonWebKey) and C{49_subtle.js} (SubtleCrypto), in a real
isolate whose host calls run the real C{crypto.*} operations (L{SubtleIsolate}).
"""

from twisted.trial.unittest import SynchronousTestCase

from nano.test.jscrypto import SubtleIsolate

AES = "{name: 'AES-GCM', length: 128}"


class _Case(SynchronousTestCase):
    def setUp(self):
        self.js = SubtleIsolate()
        self.addCleanup(self.js.close)


class InterfaceTests(_Case):
    """
    The SubtleCrypto and CryptoKey interfaces.
    """

    def test_subtle(self):
        """
        crypto.subtle is one SubtleCrypto instance behind an enumerable getter on
        Crypto.prototype; the interface cannot be constructed; it has the spec's twelve
        methods and Cloudflare Workers' timingSafeEqual.
        """
        self.assertEqual(self.js.value("""
          const d = Object.getOwnPropertyDescriptor(Crypto.prototype, 'subtle');
          let constructed;
          try { new SubtleCrypto(); constructed = 'yes'; } catch (e) { constructed = e.name; }
          return [crypto.subtle === crypto.subtle, crypto.subtle instanceof SubtleCrypto,
                  typeof d.get, d.enumerable, String(crypto.subtle), constructed,
                  Object.keys(SubtleCrypto.prototype).length, SubtleCrypto.prototype.importKey.length];
        """), [True, True, "function", True, "[object SubtleCrypto]", "TypeError", 13, 5])

    def test_illegalInvocation(self):
        """
        Methods called on another object reject with a TypeError (they never throw),
        and so does the subtle getter.
        """
        self.assertEqual(self.js.value("""
          const p = crypto.subtle.digest.call({}, 'SHA-256', new Uint8Array());
          const r = await p.then(() => 'resolved', (e) => e.name);
          let getter;
          try { Object.getOwnPropertyDescriptor(Crypto.prototype, 'subtle').get.call({}); }
          catch (e) { getter = e.name; }
          return [p instanceof Promise, r, getter];
        """), [True, "TypeError", "TypeError"])

    def test_missingArguments(self):
        """
        Too few arguments reject with a TypeError.
        """
        self.assertEqual(self.js.errorName("await crypto.subtle.encrypt({name: 'AES-GCM'})"), "TypeError")
        self.assertEqual(self.js.errorName("await crypto.subtle.deriveBits({name: 'HKDF'})"), "TypeError")

    def test_cryptoKey(self):
        """
        A CryptoKey has the four attributes (the algorithm and usages objects are
        cached), cannot be constructed, and its brand is checked.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.generateKey({name: 'HMAC', hash: 'SHA-256'}, false, ['verify', 'sign', 'sign']);
          let constructed, brand;
          try { new CryptoKey(); } catch (e) { constructed = e.name; }
          try { Object.getOwnPropertyDescriptor(CryptoKey.prototype, 'type').get.call({}); }
          catch (e) { brand = e.name; }
          return [k.type, k.extractable, k.algorithm, k.usages, k.algorithm === k.algorithm,
                  k.usages === k.usages, String(k), constructed, brand, Object.keys(k).length,
                  Object.keys(CryptoKey.prototype)];
        """), ["secret", False, {"name": "HMAC", "hash": {"name": "SHA-256"}, "length": 512}, ["sign", "verify"],
               True, True, "[object CryptoKey]", "TypeError", "TypeError", 0,
               ["type", "extractable", "algorithm", "usages"]])

    def test_algorithmCopies(self):
        """
        Changing the algorithm object a key returns does not change the key.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-CBC', true, ['encrypt']);
          k.algorithm.length = 1; k.usages.push('decrypt');
          const jwk = await crypto.subtle.exportKey('jwk', k);
          return [jwk.alg, jwk.key_ops, k.algorithm.length];
        """), ["A128CBC", ["encrypt"], 1])

    def test_keyMaterialHidden(self):
        """
        Nothing reachable from a key (own properties, prototype, symbols) holds its
        bytes.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', new Uint8Array(16).fill(7), 'AES-CBC', false, ['encrypt']);
          const seen = [];
          for (const o of [k, CryptoKey.prototype]) seen.push(...Reflect.ownKeys(o).map(String));
          return [seen.length, JSON.stringify(k), Object.getOwnPropertySymbols(k).length, typeof __nano];
        """), [6, "{}", 0, "object"])
        # (__nano exists only in these tests; the production prelude never exposes it.)

    def test_structuredClone(self):
        """
        structuredClone copies a key: another CryptoKey that works the same.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.generateKey({name: 'HMAC', hash: 'SHA-1'}, true, ['sign', 'verify']);
          const c = structuredClone(k);
          const data = new Uint8Array([1, 2]);
          const s = await crypto.subtle.sign('HMAC', k, data);
          return [c !== k, c instanceof CryptoKey, c.algorithm.hash.name, c.usages,
                  await crypto.subtle.verify('HMAC', c, s, data)];
        """), [True, True, "SHA-1", ["sign", "verify"], True])


class ConversionTests(_Case):
    """
    WebIDL conversions of the arguments.
    """

    def test_bufferSources(self):
        """
        ArrayBuffers, typed arrays and DataViews are accepted (the bytes of the
        view only); strings, plain arrays and SharedArrayBuffers are TypeErrors.
        """
        self.assertEqual(self.js.value("""
          const d = (x) => crypto.subtle.digest('SHA-1', x).then(hex, (e) => e.name);
          const buf = new Uint8Array([0, 97, 98, 99, 0]).buffer;
          return [await d(new Uint8Array(buf, 1, 3)), await d(new DataView(buf, 1, 3)), await d(buf.slice(1, 4)),
                  await d('abc'), await d([97]), await d(new SharedArrayBuffer(1)), await d(null)];
        """), ["a9993e364706816aba3e25717850c26c9cd0d89d"] * 3 + ["TypeError"] * 4)

    def test_copiedAtCall(self):
        """
        The data is copied when the method is called: changing it afterwards does
        not change the result.
        """
        self.assertEqual(self.js.value("""
          const data = utf8('abc');
          const p = crypto.subtle.digest('SHA-1', data);
          data[0] = 0;
          return hex(await p);
        """), "a9993e364706816aba3e25717850c26c9cd0d89d")

    def test_algorithmNames(self):
        """
        Names match ASCII case-insensitively (and only ASCII); unknown names are
        NotSupportedError; a missing name is a TypeError.
        """
        self.assertEqual(self.js.value("""
          const d = (a) => crypto.subtle.digest(a, new Uint8Array()).then((r) => r.byteLength, (e) => e.name);
          return [await d('sha-256'), await d({name: 'Sha-1'}), await d('SHA256'), await d('SHA-256\u212a'),
                  await d({}), await d({name: 'AES-GCM'}), await d(Symbol.iterator), await d(7)];
        """), [32, 20, "NotSupportedError", "NotSupportedError", "TypeError", "NotSupportedError", "TypeError",
               "NotSupportedError"])

    def test_timingSafeEqual(self):
        """
        crypto.subtle.timingSafeEqual (Cloudflare Workers' extension) compares two
        BufferSources synchronously: true for the same bytes (any views), false
        otherwise; different lengths, non-buffers, missing arguments and another
        this are TypeErrors.
        """
        self.assertEqual(self.js.value("""
          const tse = crypto.subtle.timingSafeEqual.bind(crypto.subtle);
          const outcome = (f) => { try { return f(); } catch (e) { return e.constructor.name; } };
          const bytes = new Uint8Array([1, 2, 3, 4]);
          return [tse(bytes, new Uint8Array([1, 2, 3, 4])), tse(bytes, new Uint8Array([1, 2, 3, 5])),
                  tse(bytes.buffer, new DataView(new Uint8Array([0, 1, 2, 3, 4]).buffer, 1)),
                  tse(new Uint8Array(0), new ArrayBuffer(0)),
                  outcome(() => tse(bytes, new Uint8Array(3))), outcome(() => tse('ab', 'ab')),
                  outcome(() => tse(bytes)), outcome(() => crypto.subtle.timingSafeEqual.call({}, bytes, bytes))];
        """), [True, False, True, True, "TypeError", "TypeError", "TypeError", "TypeError"])

    def test_md5(self):
        """
        MD5 is a hash as on Cloudflare Workers (beyond the spec, any case of the name):
        digest, HMAC (512-bit default length, the RFC 2104 vector), PBKDF2 and RSA
        signatures; its HMAC and RSA keys have no JWK form (NotSupportedError), though
        an HMAC key without "alg" imports from JWK.
        """
        self.assertEqual(self.js.value("""
          const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
          const utf8 = (s) => new TextEncoder().encode(s);
          const hmacAlg = {name: 'HMAC', hash: 'MD5'};
          const jefe = await crypto.subtle.importKey('raw', utf8('Jefe'), hmacAlg, true, ['sign']);
          const generated = await crypto.subtle.generateKey(hmacAlg, true, ['sign']);
          const fromJwk = await crypto.subtle.importKey('jwk', {kty: 'oct', k: 'AAAAAAAAAAAAAAAAAAAAAA'}, hmacAlg,
                                                        false, ['sign']);
          const pbkdf2 = await crypto.subtle.importKey('raw', new Uint8Array(8), 'PBKDF2', false, ['deriveBits']);
          const rsa = await crypto.subtle.generateKey({name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024,
            publicExponent: new Uint8Array([1, 0, 1]), hash: 'md5'}, true, ['sign', 'verify']);
          const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', rsa.privateKey, utf8('x'));
          return [hex(await crypto.subtle.digest('MD5', utf8('abc'))),
                  hex(await crypto.subtle.digest({name: 'md5'}, new Uint8Array())),
                  hex(await crypto.subtle.sign('HMAC', jefe, utf8('what do ya want for nothing?'))),
                  generated.algorithm.length, fromJwk.algorithm.length,
                  await crypto.subtle.exportKey('jwk', jefe).then(() => 'exported', (e) => e.name),
                  (await crypto.subtle.deriveBits({name: 'PBKDF2', hash: 'MD5', salt: new Uint8Array(8),
                                                   iterations: 2}, pbkdf2, 128)).byteLength,
                  await crypto.subtle.verify('RSASSA-PKCS1-v1_5', rsa.publicKey, signature, utf8('x')),
                  rsa.publicKey.algorithm.hash.name,
                  await crypto.subtle.exportKey('jwk', rsa.publicKey).then(() => 'exported', (e) => e.name)];
        """), ["900150983cd24fb0d6963f7d28e17f72", "d41d8cd98f00b204e9800998ecf8427e",
               "750c783e6ab0b503eaa86e310a5db738", 512, 128, "NotSupportedError", 16, True, "MD5",
               "NotSupportedError"])

    def test_enforceRange(self):
        """
        [EnforceRange] members reject NaN, infinities and out-of-range values with a
        TypeError and truncate fractions.
        """
        self.assertEqual(self.js.value("""
          const g = (length) => crypto.subtle.generateKey({name: 'AES-CBC', length}, true, ['encrypt'])
            .then((k) => k.algorithm.length, (e) => e.name);
          return [await g(128.9), await g(NaN), await g(Infinity), await g(-1), await g(65536), await g('256'),
                  await g(64)];
        """), [128, "TypeError", "TypeError", "TypeError", "TypeError", 256, "OperationError"])

    def test_keyUsages(self):
        """
        keyUsages is any iterable of known usage strings; other values are
        TypeErrors. Usages are deduplicated and put in the spec's order.
        """
        self.assertEqual(self.js.value("""
          const g = (usages) => crypto.subtle.generateKey({name: 'AES-CBC', length: 128}, true, usages)
            .then((k) => k.usages, (e) => e.name);
          return [await g(new Set(['decrypt', 'encrypt', 'decrypt'])), await g(['sign']), await g(['Encrypt']),
                  await g('encrypt'), await g({}), await g([])];
        """), [["encrypt", "decrypt"], "SyntaxError", "TypeError", "TypeError", "TypeError", "SyntaxError"])

    def test_keyFormat(self):
        """
        An unknown format is a TypeError; a JWK dictionary with a binary format (or
        bytes with "jwk") is a TypeError.
        """
        self.assertEqual(self.js.value("""
          const i = (f, d) => crypto.subtle.importKey(f, d, 'AES-CBC', true, ['encrypt']).then(() => 'ok', (e) => e.name);
          return [await i('pem', new Uint8Array(16)), await i('raw', {kty: 'oct'}), await i('jwk', new Uint8Array(16)),
                  await i('raw', 'x'), await i('raw', new Uint8Array(16))];
        """), ["TypeError", "TypeError", "TypeError", "TypeError", "ok"])

    def test_cryptoKeyArguments(self):
        """
        A key argument that is not a CryptoKey is a TypeError.
        """
        self.assertEqual(self.js.errorName("await crypto.subtle.encrypt({name: 'AES-CBC', iv: new Uint8Array(16)},"
                                           " {type: 'secret'}, new Uint8Array())"), "TypeError")

    def test_requiredMembers(self):
        """
        Missing required dictionary members are TypeErrors; a hash that is not a
        digest is NotSupportedError.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.importKey('raw', new Uint8Array(16), 'HKDF', false, ['deriveBits']);
          const d = (alg) => crypto.subtle.deriveBits(alg, k, 128).then((b) => b.byteLength, (e) => e.name);
          return [await d({name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array()}),
                  await d({name: 'HKDF', salt: new Uint8Array(), info: new Uint8Array()}),
                  await d({name: 'HKDF', hash: 'HMAC', salt: new Uint8Array(), info: new Uint8Array()}),
                  await d({name: 'HKDF', hash: {name: 'sha-384'}, salt: new Uint8Array(), info: new Uint8Array()})];
        """), ["TypeError", "TypeError", "NotSupportedError", 16])


class MethodTests(_Case):
    """
    The key checks every method makes, in the spec's order.
    """

    def test_keyAlgorithmMismatch(self):
        """
        Using a key with another algorithm is an InvalidAccessError.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.generateKey(%s, true, ['encrypt']);
          return await crypto.subtle.encrypt({name: 'AES-CBC', iv: new Uint8Array(16)}, k, new Uint8Array())
            .then(() => 'ok', (e) => e.name);
        """ % (AES,)), "InvalidAccessError")

    def test_missingUsage(self):
        """
        A key without the operation's usage is an InvalidAccessError.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.generateKey(%s, true, ['encrypt']);
          return await crypto.subtle.decrypt({name: 'AES-GCM', iv: new Uint8Array(12)}, k, new Uint8Array(16))
            .then(() => 'ok', (e) => e.name);
        """ % (AES,)), "InvalidAccessError")

    def test_normalizationFirst(self):
        """
        A bad algorithm is reported before a bad key usage.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.generateKey(%s, true, ['encrypt']);
          return await crypto.subtle.decrypt({name: 'AES-GCM'}, k, new Uint8Array(16)).then(() => 'ok', (e) => e.name);
        """ % (AES,)), "TypeError")

    def test_nonExtractable(self):
        """
        Exporting or wrapping a non-extractable key is an InvalidAccessError; keys
        without an export operation (HKDF) are NotSupportedError.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.generateKey(%s, false, ['encrypt']);
          const w = await crypto.subtle.generateKey({name: 'AES-KW', length: 128}, false, ['wrapKey']);
          const h = await crypto.subtle.importKey('raw', new Uint8Array(8), 'HKDF', false, ['deriveKey']);
          const e = (p) => p.then(() => 'ok', (e) => e.name);
          return [await e(crypto.subtle.exportKey('raw', k)), await e(crypto.subtle.exportKey('jwk', k)),
                  await e(crypto.subtle.wrapKey('raw', k, w, 'AES-KW')), await e(crypto.subtle.exportKey('raw', h))];
        """ % (AES,)), ["InvalidAccessError", "InvalidAccessError", "InvalidAccessError", "NotSupportedError"])

    def test_emptyUsages(self):
        """
        Secret and private keys need a usage (SyntaxError); public keys may have
        none; a pair whose private key would get none is a SyntaxError.
        """
        self.assertEqual(self.js.value("""
          const e = (p) => p.then((k) => k.type || Object.keys(k).join(), (e) => e.name);
          return [
            await e(crypto.subtle.importKey('raw', new Uint8Array(16), 'AES-CBC', true, [])),
            await e(crypto.subtle.generateKey({name: 'ECDSA', namedCurve: 'P-256'}, true, ['verify'])),
            await e(crypto.subtle.generateKey({name: 'ECDH', namedCurve: 'P-256'}, true, ['deriveBits'])),
            await e(crypto.subtle.importKey('raw', new Uint8Array(32), 'X25519', true, [])),
          ];
        """), ["SyntaxError", "SyntaxError", "privateKey,publicKey", "public"])

    def test_resultsAreArrayBuffers(self):
        """
        Byte results are ArrayBuffers of exactly the result's size.
        """
        self.assertEqual(self.js.value("""
          const r = await crypto.subtle.digest('SHA-512', new Uint8Array(3));
          return [Object.prototype.toString.call(r), r.byteLength];
        """), ["[object ArrayBuffer]", 64])

    def test_patchedIntrinsics(self):
        """
        User code replacing Promise.prototype.then or Array.prototype.push does not
        break the implementation.
        """
        self.assertEqual(self.js.value("""
          const k = await crypto.subtle.generateKey({name: 'HMAC', hash: 'SHA-256'}, true, ['sign', 'verify']);
          const then = Promise.prototype.then;
          const push = Array.prototype.push;
          Promise.prototype.then = function () { throw new Error('patched then'); };
          Array.prototype.push = function () { throw new Error('patched push'); };
          try {
            const s = await crypto.subtle.sign('HMAC', k, new Uint8Array(4));
            const jwk = await crypto.subtle.exportKey('jwk', k);
            return [s.byteLength, await crypto.subtle.verify('HMAC', k, s, new Uint8Array(4)), jwk.key_ops];
          } finally {
            Promise.prototype.then = then;
            Array.prototype.push = push;
          }
        """), [32, True, ["sign", "verify"]])


class GenerateKeyOrderTests(_Case):
    """
    generateKey's checks come in the spec's order for every algorithm: usages the
    algorithm cannot have (SyntaxError), then its parameters (TypeError for
    WebIDL ranges, NotSupportedError or OperationError), and only then empty
    usages (SyntaxError).
    """

    def test_matrix(self):
        """
        Over every algorithm: each illegal usage, alone or added to legal ones, is a
        SyntaxError, unless the parameters already fail normalization (a WebIDL
        TypeError, an unknown hash); bad parameters with no usages fail on the
        parameters; good parameters with no usages (or none for the private key)
        are a SyntaxError; every legal combination succeeds.
        """
        self.assertEqual(self.js.value("""
          const ALL = ['encrypt', 'decrypt', 'sign', 'verify', 'deriveKey', 'deriveBits', 'wrapKey', 'unwrapKey'];
          const rsa = (name) => ({name, modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-1'});
          const vectors = [
            [{name: 'AES-CTR', length: 128}, ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], [],
             [[{name: 'AES-CTR', length: 64}, 'OperationError', 'SyntaxError'],
              [{name: 'AES-CTR', length: 128 + 2 ** 32}, 'TypeError', 'TypeError']]],
            [{name: 'AES-KW', length: 256}, ['wrapKey', 'unwrapKey'], [],
             [[{name: 'AES-KW', length: 257}, 'OperationError', 'SyntaxError']]],
            [{name: 'HMAC', hash: 'SHA-384'}, ['sign', 'verify'], [],
             [[{name: 'HMAC', hash: 'SHA-256', length: 2 ** 32 + 1}, 'TypeError', 'TypeError'],
              [{name: 'HMAC', hash: 'SHA-224'}, 'NotSupportedError', 'NotSupportedError']]],
            [{name: 'ECDSA', namedCurve: 'P-384'}, ['sign', 'verify'], ['sign'],
             [[{name: 'ECDSA', namedCurve: 'P-512'}, 'NotSupportedError', 'SyntaxError']]],
            [{name: 'ECDH', namedCurve: 'P-521'}, ['deriveKey', 'deriveBits'], ['deriveKey', 'deriveBits'],
             [[{name: 'ECDH', namedCurve: 'Curve25519'}, 'NotSupportedError', 'SyntaxError']]],
            [{name: 'Ed25519'}, ['sign', 'verify'], ['sign'], []],
            [{name: 'X25519'}, ['deriveKey', 'deriveBits'], ['deriveKey', 'deriveBits'], []],
            [rsa('RSA-PSS'), ['sign', 'verify'], ['sign'],
             [[{...rsa('RSA-PSS'), publicExponent: new Uint8Array([1, 0, 0])}, 'OperationError', 'SyntaxError'],
              [{...rsa('RSA-PSS'), modulusLength: 1024 - 2 ** 32}, 'TypeError', 'TypeError']]],
            [rsa('RSA-OAEP'), ['encrypt', 'decrypt', 'wrapKey', 'unwrapKey'], ['decrypt', 'unwrapKey'], []],
          ];
          const outcome = (alg, usages) => crypto.subtle.generateKey(alg, true, usages).then(() => 'ok', (e) => e.name);
          const problems = [];
          const expect = async (alg, usages, wanted) => {
            const got = await outcome(alg, usages);
            if (got !== wanted) problems.push([alg.name, usages, got, wanted]);
          };
          for (const [alg, legal, mandatory, bad] of vectors) {
            for (const usage of ALL.filter((u) => !legal.includes(u))) {
              await expect(alg, [usage], 'SyntaxError');
              await expect(alg, [...legal, usage], 'SyntaxError');
              for (const [badAlg, , withBadUsage] of bad) await expect(badAlg, [legal[0], usage], withBadUsage);
            }
            for (const [badAlg, wanted] of bad) await expect(badAlg, [], wanted);
            await expect(alg, [], 'SyntaxError');
            const fast = alg.name.startsWith('RSA') ? [legal] : legal.map((u) => [u]).concat([legal, [...legal, ...legal]]);
            for (const usages of fast) {
              const ok = mandatory.length === 0 || usages.some((u) => mandatory.includes(u));
              await expect(alg, usages, ok ? 'ok' : 'SyntaxError');
            }
          }
          return problems;
        """), [])
