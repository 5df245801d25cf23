package io.proberewriter.cluster;

/**
 * How many objects an informer asks for in one list request, as client-go's reflector does (500 per page). Without
 * a limit the first list of a kind is one response: the operator's cache of pods, 2,500 of the wire benchmark's
 * pod, came as 48 MB of JSON parsed into objects whole, managed fields and all, before the store could drop them,
 * and the operator's 307 MiB heap ran out (docs/benchmarks.md). Page by page, that peak is a page's worth.
 */
public final class ListPages {

    /** Objects per list request: a compile-time constant, for {@code @Informer(informerListLimit)} too. */
    public static final long SIZE = 500;

    private ListPages() {
    }
}
