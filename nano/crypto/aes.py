"""
AES-CBC, AES-CTR, AES-GCM and AES-KW (Web Cryptography API sections of those names).

Spec: https://w3c.github.io/webcrypto/#aes-ctr and the sections after it.

cryptography's GCM takes initialization vectors of 8 to 128 bytes. For other lengths
(any non-empty IV is valid GCM) the pre-counter block J0 and the tag are computed as
NIST SP 800-38D defines them, with GHASH obtained from cryptography's own GCM: a GCM
encryption under a 96-bit IV whose plaintext is chosen so that its ciphertext is the
data to authenticate yields GHASH(A, C) xor E(K, IV || 1).
"""

import hmac

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import keywrap, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from nano.crypto.common import operationError

__all__ = ["cbc", "ctr", "gcm", "kw", "GCM_TAG_LENGTHS"]

GCM_TAG_LENGTHS = (32, 64, 96, 104, 112, 120, 128)
_BLOCK = 16
_ZERO_IV = bytes(12)


def _aes(key):
    try:
        return algorithms.AES(key)
    except ValueError:
        raise operationError("AES keys are 128, 192 or 256 bits long")


def cbc(key, iv, data, decrypt):
    """
    AES-CBC with PKCS#7 padding.

    @raise HostCallError: C{OperationError} when the IV is not 16 bytes, or (when
        decrypting) the ciphertext is not whole blocks or its padding is wrong.
    """
    if len(iv) != _BLOCK:
        raise operationError("AES-CBC needs a 16-byte iv, got %d bytes" % (len(iv),))
    cipher = Cipher(_aes(key), modes.CBC(iv))
    if not decrypt:
        padder = padding.PKCS7(128).padder()
        padded = padder.update(data) + padder.finalize()
        encryptor = cipher.encryptor()
        return encryptor.update(padded) + encryptor.finalize()
    if not data or len(data) % _BLOCK:
        raise operationError("AES-CBC ciphertext must be a non-empty multiple of 16 bytes")
    decryptor = cipher.decryptor()
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    try:
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise operationError("AES-CBC decryption failed: bad padding")


def ctr(key, counter, length, data):
    """
    AES-CTR, where only the rightmost C{length} bits of the 16-byte counter block
    are incremented (wrapping to zero). Encryption and decryption are the same.

    @raise HostCallError: C{OperationError} when the counter is not 16 bytes,
        C{length} is not 1 to 128, or the data is long enough that a counter value
        would be used twice.
    """
    if len(counter) != _BLOCK:
        raise operationError("AES-CTR needs a 16-byte counter, got %d bytes" % (len(counter),))
    if not 1 <= length <= 128:
        raise operationError("AES-CTR counter length must be 1 to 128 bits, got %d" % (length,))
    aes = _aes(key)
    blocks = (len(data) + _BLOCK - 1) // _BLOCK
    if blocks > 1 << length:
        raise operationError("AES-CTR: the data is too long for a %d-bit counter" % (length,))
    value = int.from_bytes(counter, "big")
    mask = (1 << length) - 1
    before = min(blocks, (mask + 1) - (value & mask))
    first = data[:before * _BLOCK]
    out = Cipher(aes, modes.CTR(counter)).encryptor().update(first)
    if len(first) < len(data):
        wrapped = (value & ~mask).to_bytes(_BLOCK, "big")
        out += Cipher(aes, modes.CTR(wrapped)).encryptor().update(data[len(first):])
    return out


def _ecb(aes, block):
    return Cipher(aes, modes.ECB()).encryptor().update(block)


def _xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def _ghashMasked(aes, aad, ciphertext):
    """
    GHASH(aad, ciphertext) xor E(K, 0^96 || 1), from a 96-bit-IV GCM encryption.
    """
    # The plaintext whose GCM ciphertext under IV 0^96 is `ciphertext`: the keystream
    # of that IV starts at counter block 0^96 || 2.
    plaintext = Cipher(aes, modes.CTR(_ZERO_IV + b"\x00\x00\x00\x02")).encryptor().update(ciphertext)
    encryptor = Cipher(aes, modes.GCM(_ZERO_IV)).encryptor()
    encryptor.authenticate_additional_data(aad)
    encryptor.update(plaintext)
    encryptor.finalize()
    return encryptor.tag


def _ghash(aes, aad, ciphertext):
    return _xor(_ghashMasked(aes, aad, ciphertext), _ecb(aes, _ZERO_IV + b"\x00\x00\x00\x01"))


def _gcmAnyIv(aes, key, iv, aad, data, tagBytes, decrypt):
    """
    GCM for IV lengths cryptography does not take (SP 800-38D, section 7.1).
    """
    j0 = _ghash(aes, b"", iv)  # GHASH_H(IV || 0-pad || 0^64 || [len(IV)]_64)
    start = j0[:12] + ((int.from_bytes(j0[12:], "big") + 1) & 0xFFFFFFFF).to_bytes(4, "big")
    mask = _ecb(aes, j0)
    if not decrypt:
        ciphertext = ctr(key, start, 32, data)
        return ciphertext + _xor(_ghash(aes, aad, ciphertext), mask)[:tagBytes]
    ciphertext, tag = data[:len(data) - tagBytes], data[len(data) - tagBytes:]
    expected = _xor(_ghash(aes, aad, ciphertext), mask)[:tagBytes]
    if not hmac.compare_digest(expected, tag):
        raise operationError("AES-GCM decryption failed: the data is not authentic")
    return ctr(key, start, 32, ciphertext)


def gcm(key, iv, aad, tagLength, data, decrypt):
    """
    AES-GCM: encryption returns ciphertext || tag (C{tagLength} bits); decryption
    checks and strips the tag.

    @raise HostCallError: C{OperationError} for a tag length WebCrypto does not
        allow, an empty IV, a ciphertext shorter than the tag, or a failed
        authentication.
    """
    if tagLength not in GCM_TAG_LENGTHS:
        raise operationError("AES-GCM tag length must be one of %s bits, got %d" % (
            ", ".join(str(t) for t in GCM_TAG_LENGTHS), tagLength))
    if not iv:
        raise operationError("AES-GCM needs a non-empty iv")
    tagBytes = tagLength // 8
    if decrypt and len(data) < tagBytes:
        raise operationError("AES-GCM ciphertext is shorter than the tag")
    aes = _aes(key)
    if not 8 <= len(iv) <= 128:
        return _gcmAnyIv(aes, key, iv, aad, data, tagBytes, decrypt)
    if not decrypt:
        encryptor = Cipher(aes, modes.GCM(iv)).encryptor()
        encryptor.authenticate_additional_data(aad)
        ciphertext = encryptor.update(data) + encryptor.finalize()
        return ciphertext + encryptor.tag[:tagBytes]
    ciphertext, tag = data[:len(data) - tagBytes], data[len(data) - tagBytes:]
    decryptor = Cipher(aes, modes.GCM(iv, tag, min_tag_length=4)).decryptor()
    decryptor.authenticate_additional_data(aad)
    try:
        return decryptor.update(ciphertext) + decryptor.finalize()
    except InvalidTag:
        raise operationError("AES-GCM decryption failed: the data is not authentic")


def kw(key, data, unwrap):
    """
    AES Key Wrap (RFC 3394) with the default initial value.

    @raise HostCallError: C{OperationError} when the data to wrap is not a multiple
        of 8 bytes (at least 16), or unwrapping fails its integrity check.
    """
    _aes(key)
    if not unwrap:
        if len(data) % 8 or len(data) < 16:
            raise operationError("AES-KW wraps data of 16 or more bytes, a multiple of 8; got %d" % (len(data),))
        return keywrap.aes_key_wrap(key, data)
    try:
        return keywrap.aes_key_unwrap(key, data)
    except (keywrap.InvalidUnwrap, ValueError):
        raise operationError("AES-KW unwrapping failed: the data is not authentic")
