package io.proberewriter.engine;

/**
 * @param rejectsPlaintext whether the kubelet's plaintext request would be refused
 * @param rule             the rule that decided, in words ("port 8000 STRICT by PeerAuthentication ns/default")
 */
public record MtlsVerdict(boolean rejectsPlaintext, String rule) {

    public static MtlsVerdict rejects(String rule) {
        return new MtlsVerdict(true, rule);
    }

    public static MtlsVerdict accepts(String rule) {
        return new MtlsVerdict(false, rule);
    }
}
