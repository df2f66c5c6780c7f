package org.posthorn.proxymap;

/** The status codes of Postfix's proxymap protocol (proxy_proto.h). */
final class ProxyStatus {
    static final int OK = 0;
    static final int NOKEY = 1;
    static final int RETRY = 2;
    static final int BAD = 3;
    static final int DENY = 4;
    static final int CONFIG = 5;

    /** Postfix's DICT_FLAG_FOLD_FIX: the client folds fixed-string keys to lower case. */
    static final int FOLD_FIX = 1 << 14;

    private ProxyStatus() {
    }
}
