"""
The Web Cryptography API's primitives for C{crypto.subtle}: host operations
(C{crypto.*}, see L{nano.crypto.family}) run with the C{cryptography} package.
Importing this package registers the family in L{nano.hostops.FAMILIES}.

Modules by algorithm family: L{nano.crypto.digest} (SHA, HMAC), L{nano.crypto.aes},
L{nano.crypto.kdf} (HKDF, PBKDF2), L{nano.crypto.rsa}, L{nano.crypto.ec} (ECDSA,
ECDH), L{nano.crypto.okp} (Ed25519, X25519), with what the last three share in
L{nano.crypto.asymmetric}; L{nano.crypto.keys} loads and caches asymmetric keys;
L{nano.crypto.der} reads key algorithm identifiers.
"""

from nano.crypto.family import ops
from nano.hostops import FAMILIES

if ops not in FAMILIES:
    FAMILIES.append(ops)
