package io.proberewriter.engine;

/** Counts every port as under mTLS: the safe assumption when nothing better is known. */
public final class AssumeAllMtlsOracle implements MtlsOracle {

    @Override
    public MtlsVerdict check(ProbeTarget target) {
        return MtlsVerdict.rejects("port " + target.port() + " counts as under mTLS (resolver assume-all)");
    }
}
