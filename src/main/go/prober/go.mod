module probe-rewriter.io/prober

go 1.19
