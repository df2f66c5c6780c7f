package org.posthorn.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A key manager over one or more key chains (an RSA and an ECDSA one, say). JSSE asks for
 * a key type per signature algorithm in the peer's order of preference, so the chain used is
 * the first whose key suits the peer, as OpenSSL does with several certificates.
 */
public final class ChainKeyManager extends X509ExtendedKeyManager {
    private final List<KeyChain> chains;

    public ChainKeyManager(List<KeyChain> chains) {
        this.chains = List.copyOf(chains);
    }

    public List<KeyChain> chains() {
        return chains;
    }

    private String alias(int i) {
        return "chain" + i;
    }

    private KeyChain byAlias(String alias) {
        if (alias == null || !alias.startsWith("chain")) return null;
        try {
            int i = Integer.parseInt(alias.substring(5));
            return i >= 0 && i < chains.size() ? chains.get(i) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Whether a key fits JSSE's key type: RSA, RSASSA-PSS (an RSA key), EC, EdDSA, Ed25519, or EC_RSA style pairs. */
    static boolean fits(KeyChain chain, String keyType) {
        String alg = chain.keyType();
        String wanted = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
        return switch (wanted) {
            case "RSA", "RSASSA-PSS" -> alg.equals("RSA") || alg.equals(wanted);
            case "EdDSA" -> alg.equals("EdDSA") || alg.equals("Ed25519") || alg.equals("Ed448");
            default -> alg.equals(wanted);
        };
    }

    private String[] aliases(String keyType) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < chains.size(); i++) if (fits(chains.get(i), keyType)) out.add(alias(i));
        return out.isEmpty() ? null : out.toArray(String[]::new);
    }

    private String first(String... keyTypes) {
        if (keyTypes == null) return null;
        for (String type : keyTypes) {
            String[] a = aliases(type);
            if (a != null) return a[0];
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return aliases(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return first(keyType);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return first(keyType);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return aliases(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return first(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return first(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        KeyChain c = byAlias(alias);
        return c == null ? null : c.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        KeyChain c = byAlias(alias);
        return c == null ? null : c.key();
    }
}
