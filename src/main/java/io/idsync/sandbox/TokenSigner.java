package io.idsync.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.UUID;

/**
 * Signs the sandbox's access tokens as PingOne's authorization server does: RS256 JWTs whose key is published
 * at {@code /{envId}/as/jwks}, so a resource server (idsync's own API) can verify them as it would PingOne's.
 * One key per sandbox, made at start.
 */
final class TokenSigner {

    private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

    private final KeyPair keys;
    private final String keyId = UUID.randomUUID().toString();

    TokenSigner() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no RSA key for the sandbox's tokens: " + e.getMessage(), e);
        }
    }

    /** The compact JWT of these claims. */
    String sign(ObjectNode claims) {
        ObjectNode header = SandboxEnvironment.JSON.createObjectNode().put("alg", "RS256").put("typ", "JWT").put("kid", keyId);
        String signed = encode(header.toString()) + "." + encode(claims.toString());
        try {
            Signature signature = Signature.getInstance("SHA256withRSA");
            signature.initSign(keys.getPrivate());
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + URL.encodeToString(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the sandbox cannot sign a token: " + e.getMessage(), e);
        }
    }

    /** The JSON Web Key Set with the public key. */
    ObjectNode jwks() {
        RSAPublicKey key = (RSAPublicKey) keys.getPublic();
        ObjectNode set = SandboxEnvironment.JSON.createObjectNode();
        set.putArray("keys").addObject().put("kty", "RSA").put("kid", keyId).put("use", "sig").put("alg", "RS256")
                .put("n", URL.encodeToString(unsigned(key.getModulus().toByteArray())))
                .put("e", URL.encodeToString(unsigned(key.getPublicExponent().toByteArray())));
        return set;
    }

    private static String encode(String json) {
        return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A JWK's big integers have no sign byte. */
    private static byte[] unsigned(byte[] twosComplement) {
        if (twosComplement.length > 1 && twosComplement[0] == 0) {
            byte[] trimmed = new byte[twosComplement.length - 1];
            System.arraycopy(twosComplement, 1, trimmed, 0, trimmed.length);
            return trimmed;
        }
        return twosComplement;
    }
}
