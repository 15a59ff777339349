// Test keys made for these tests with Node's crypto.generateKeyPairSync (never used
// anywhere else). Private JWKs and PEMs, and their public halves.

export const RSA_PKCS8 = `-----BEGIN PRIVATE KEY-----
MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDfmM+2qxB9cqzw
4x964yti5VZEvRLZwVQ4kRXSCYVUcYh86k7x79ei9AGhF613AhD66BbCBILy6/Fq
N9+MnAvlKJLk2B1uLU1ZHLLt3U5FaCVQvbCnDk+G8l9PHnYcijZvsnuOWQdnooTB
OhWs8WOoXqHvvziHPHu5j4hahTmTYcA32ydL/OPd6/99gbURqVM4UAsyHdizZYME
TMQhXbgt+t5PHNJbDh2uHvdS9XVXFqU1p7iB2vEHa6cJ+ozeCF7qALe7ndd/sfda
SxfQbyjYxSOvl6xgXA3gPi8f4Nev8OuW7nSnpxtq2j8+f6TXpDx8KuToI2HD9ZOn
o33dIGPBAgMBAAECggEAWDpwG+A8TYPmgdbdIRxqjkd4Vv9UZOBIX1nAhnSDS+LQ
vJmoNQcyy3YE/o/dPsxt7tONx1kIYtp/FC6f41ffybjM3cf5NPRjRPpyEDH3JKQH
tWhkQEcBUnpo6UtXx8Mx37lJz82Jgnc6cxR8YRWPAWz18Sg/If3XxEzCvRU8ts5q
vc3zgZEHAr1qBwPto505Z8hDRXkijjTm4jczyJIZZHKVtBri/02oT15y8qoSSvQ+
W/BetnPZfd+Il4ukTlG4TlLSG6GNv6oiHJIV0CIhRF4ApZTZAEQli2dSxi/GV0EJ
19HBmBqygLKaBT2A4TlaFz+9+/rEPd8wRyYLFksDUQKBgQDwk1tJ58Ri2+aAcqk3
k/UMOPeVkTMWtuMmOw+Evvm82boN3HTKiN35Jh9voKIqrGd3Ea4f5KZDx3+4THon
Sse0qS2lv/hUx3jRa/EVDy7fU1gEkRyIGv7tlYeeSgn6KBXsHGDf9m06zlWlcGbz
lR2eavrngAPm9v1p1ZoRK78IAwKBgQDt7sc1BrmWUFd+61iVLNEsdPlk+vVepFSJ
dhAqXDHU2rpHc8yCUKg1CIuGax5M38KH0+u17ZqF31UUfHCjaFkcS2ff6DUUJoEe
lCVScYBr/HbuiWFgpYkZ9ezznfEIx/hyqQt86kifH2C84+tpPnb7q6P1sBq5y2Qg
GImex+QD6wKBgA4Wsxvq5MddVWxkSqCkm48xrt4leLZ102ujvc7qWDnFDm5NYNGT
nlw+7UxePeD947lHYckgXNRPVJ14bRbr/DIKTlAMpABjBiJNjfrLvtT5TohF70PR
QOis/xo3/8mUm2QObWXwSolNGBruMDlHnEpwvWzdRF08Ta7rAXDL/Q39AoGACmP5
Exm+FRBhIcvJTIpugBCDq6NB/+YRQweC4Taxfmgm5mPqNG6tSdObtD0NT7Id3qyk
iIddzibYolJk4N33tkKcwKx1VPHxhZJWpukKAK0/zF73f67688VHmcP1+Loy4V78
f3IDxd8q7FTPvQLbU1ZFjL8qC58UOkqYB/UWwg0CgYBV+VQDrv1NnzVWnp/D2Jjt
fL3D1uoSkwik09j2weKmgTsdkH4cHA9G4MVz5S6HF6U3RDzdzMKl9wH0/3O8wKQP
w3Wwl9sdAvEHvYLRKsLcFojR86lvmsB8FxtiCtRXeiA/Ii99LVWmZjYrCdTUvRJW
JPgnUapHHM1ESoAZzDgRpg==
-----END PRIVATE KEY-----`;
export const RSA_SPKI = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA35jPtqsQfXKs8OMfeuMr
YuVWRL0S2cFUOJEV0gmFVHGIfOpO8e/XovQBoRetdwIQ+ugWwgSC8uvxajffjJwL
5SiS5Ngdbi1NWRyy7d1ORWglUL2wpw5PhvJfTx52HIo2b7J7jlkHZ6KEwToVrPFj
qF6h7784hzx7uY+IWoU5k2HAN9snS/zj3ev/fYG1EalTOFALMh3Ys2WDBEzEIV24
LfreTxzSWw4drh73UvV1VxalNae4gdrxB2unCfqM3ghe6gC3u53Xf7H3WksX0G8o
2MUjr5esYFwN4D4vH+DXr/Drlu50p6cbato/Pn+k16Q8fCrk6CNhw/WTp6N93SBj
wQIDAQAB
-----END PUBLIC KEY-----`;
export const ED25519_PKCS8 = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIK+h8xyRZJTkMmtQ5T01UUiRK00mF/BtAWkY79OfPtH4
-----END PRIVATE KEY-----`;
export const RSA_PRIVATE_JWK = {"kty": "RSA", "n": "35jPtqsQfXKs8OMfeuMrYuVWRL0S2cFUOJEV0gmFVHGIfOpO8e_XovQBoRetdwIQ-ugWwgSC8uvxajffjJwL5SiS5Ngdbi1NWRyy7d1ORWglUL2wpw5PhvJfTx52HIo2b7J7jlkHZ6KEwToVrPFjqF6h7784hzx7uY-IWoU5k2HAN9snS_zj3ev_fYG1EalTOFALMh3Ys2WDBEzEIV24LfreTxzSWw4drh73UvV1VxalNae4gdrxB2unCfqM3ghe6gC3u53Xf7H3WksX0G8o2MUjr5esYFwN4D4vH-DXr_Drlu50p6cbato_Pn-k16Q8fCrk6CNhw_WTp6N93SBjwQ", "e": "AQAB", "d": "WDpwG-A8TYPmgdbdIRxqjkd4Vv9UZOBIX1nAhnSDS-LQvJmoNQcyy3YE_o_dPsxt7tONx1kIYtp_FC6f41ffybjM3cf5NPRjRPpyEDH3JKQHtWhkQEcBUnpo6UtXx8Mx37lJz82Jgnc6cxR8YRWPAWz18Sg_If3XxEzCvRU8ts5qvc3zgZEHAr1qBwPto505Z8hDRXkijjTm4jczyJIZZHKVtBri_02oT15y8qoSSvQ-W_BetnPZfd-Il4ukTlG4TlLSG6GNv6oiHJIV0CIhRF4ApZTZAEQli2dSxi_GV0EJ19HBmBqygLKaBT2A4TlaFz-9-_rEPd8wRyYLFksDUQ", "p": "8JNbSefEYtvmgHKpN5P1DDj3lZEzFrbjJjsPhL75vNm6Ddx0yojd-SYfb6CiKqxndxGuH-SmQ8d_uEx6J0rHtKktpb_4VMd40WvxFQ8u31NYBJEciBr-7ZWHnkoJ-igV7Bxg3_ZtOs5VpXBm85Udnmr654AD5vb9adWaESu_CAM", "q": "7e7HNQa5llBXfutYlSzRLHT5ZPr1XqRUiXYQKlwx1Nq6R3PMglCoNQiLhmseTN_Ch9Prte2ahd9VFHxwo2hZHEtn3-g1FCaBHpQlUnGAa_x27olhYKWJGfXs853xCMf4cqkLfOpInx9gvOPraT52-6uj9bAauctkIBiJnsfkA-s", "dp": "DhazG-rkx11VbGRKoKSbjzGu3iV4tnXTa6O9zupYOcUObk1g0ZOeXD7tTF494P3juUdhySBc1E9UnXhtFuv8MgpOUAykAGMGIk2N-su-1PlOiEXvQ9FA6Kz_Gjf_yZSbZA5tZfBKiU0YGu4wOUecSnC9bN1EXTxNrusBcMv9Df0", "dq": "CmP5Exm-FRBhIcvJTIpugBCDq6NB_-YRQweC4Taxfmgm5mPqNG6tSdObtD0NT7Id3qykiIddzibYolJk4N33tkKcwKx1VPHxhZJWpukKAK0_zF73f67688VHmcP1-Loy4V78f3IDxd8q7FTPvQLbU1ZFjL8qC58UOkqYB_UWwg0", "qi": "VflUA679TZ81Vp6fw9iY7Xy9w9bqEpMIpNPY9sHipoE7HZB-HBwPRuDFc-UuhxelN0Q83czCpfcB9P9zvMCkD8N1sJfbHQLxB72C0SrC3BaI0fOpb5rAfBcbYgrUV3ogPyIvfS1VpmY2KwnU1L0SViT4J1GqRxzNREqAGcw4EaY"};
export const RSA_PUBLIC_JWK = {"kty": "RSA", "n": "35jPtqsQfXKs8OMfeuMrYuVWRL0S2cFUOJEV0gmFVHGIfOpO8e_XovQBoRetdwIQ-ugWwgSC8uvxajffjJwL5SiS5Ngdbi1NWRyy7d1ORWglUL2wpw5PhvJfTx52HIo2b7J7jlkHZ6KEwToVrPFjqF6h7784hzx7uY-IWoU5k2HAN9snS_zj3ev_fYG1EalTOFALMh3Ys2WDBEzEIV24LfreTxzSWw4drh73UvV1VxalNae4gdrxB2unCfqM3ghe6gC3u53Xf7H3WksX0G8o2MUjr5esYFwN4D4vH-DXr_Drlu50p6cbato_Pn-k16Q8fCrk6CNhw_WTp6N93SBjwQ", "e": "AQAB"};
export const P256_PRIVATE_JWK = {"kty": "EC", "x": "ST6AzpSR23pow8eOtEom6uLQDS8NR57OIqdQngZMly0", "y": "C2-IgHyuoKK1vfUdNHRBBSm5a1MECkNeL-aDJu4ul_I", "crv": "P-256", "d": "9NS59zytp4LvAEP0uH1W5DAQ4q_R-rIKgWi39LJuTMQ"};
export const P256_PUBLIC_JWK = {"kty": "EC", "x": "ST6AzpSR23pow8eOtEom6uLQDS8NR57OIqdQngZMly0", "y": "C2-IgHyuoKK1vfUdNHRBBSm5a1MECkNeL-aDJu4ul_I", "crv": "P-256"};
export const P384_PRIVATE_JWK = {"kty": "EC", "x": "fo4MK7tpjnWVsL30pF4dO5_PF0N8kNYuOHDDHrIi5oFKqNRrzt1SLBY4uarejShF", "y": "HNakm86viwCIHZ7N9RuwGTuiZOHiGn07V_-sjL30vIUMLtLqFi6IXHvXFB2JCw-7", "crv": "P-384", "d": "nqJ9RE9mW4Th6FTiQlmO0DLZlKNbaJ798j1UDwcRre8LTvoKu8B1tG31tomm6xDV"};
export const P384_PUBLIC_JWK = {"kty": "EC", "x": "fo4MK7tpjnWVsL30pF4dO5_PF0N8kNYuOHDDHrIi5oFKqNRrzt1SLBY4uarejShF", "y": "HNakm86viwCIHZ7N9RuwGTuiZOHiGn07V_-sjL30vIUMLtLqFi6IXHvXFB2JCw-7", "crv": "P-384"};
export const P521_PRIVATE_JWK = {"kty": "EC", "x": "AHRGawvUCqWYbtdWjbZJCo-qmoOpw_63trEilvPFQpYuYJTh90dgWKDBopMxQBoeecXviVVhoZxgiRCbJ6g2TVRn", "y": "Ad5gUglpMYP-qxmcoHSd5CFzEa4XhuOEShF_DZv2HLGi_fnENB5MGqY20at3Rq02j1khqu85twjYqcDwBg7Rk0yl", "crv": "P-521", "d": "AaYJ00nbaABkVfC55UaEDFDRhICYUPxlHHK-wALvxXJBo4KhoZREdr57NOUk3PKsXBLu9YXAiIV0EYrONmn8rh-K"};
export const P521_PUBLIC_JWK = {"kty": "EC", "x": "AHRGawvUCqWYbtdWjbZJCo-qmoOpw_63trEilvPFQpYuYJTh90dgWKDBopMxQBoeecXviVVhoZxgiRCbJ6g2TVRn", "y": "Ad5gUglpMYP-qxmcoHSd5CFzEa4XhuOEShF_DZv2HLGi_fnENB5MGqY20at3Rq02j1khqu85twjYqcDwBg7Rk0yl", "crv": "P-521"};
export const ED25519_PRIVATE_JWK = {"crv": "Ed25519", "d": "MLrgZ09M5R2nCR6alcfiypdAzlAKICNqCzb42bRCiQo", "x": "h_A3LHwAAIs3IkUlCQ2jKy6xdq1noDXwDNMLIhnbaBU", "kty": "OKP"};
export const ED25519_PUBLIC_JWK = {"crv": "Ed25519", "x": "h_A3LHwAAIs3IkUlCQ2jKy6xdq1noDXwDNMLIhnbaBU", "kty": "OKP"};
export const X25519_PRIVATE_JWK = {"crv": "X25519", "d": "cH1sPFHhVD0jneqeL1zf6bZfVFqW_M1b-PFzOjAEfVM", "x": "hmxhU2OJD4WXZEsxXd2QDvDggfiILVVN2hmIj88AGCU", "kty": "OKP"};
export const X25519_PUBLIC_JWK = {"crv": "X25519", "x": "hmxhU2OJD4WXZEsxXd2QDvDggfiILVVN2hmIj88AGCU", "kty": "OKP"};
export const HS256_SECRET = new TextEncoder().encode("a-string-secret-at-least-256-bits-long");
export const A256_KEY = new Uint8Array(32).map((_, i) => i * 7 + 1);
export const A128_KEY = new Uint8Array(16).map((_, i) => 255 - i);
