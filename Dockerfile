# probe-rewriter images, built from source. Two targets:
#   docker build -t probe-rewriter:0.1.0 .                                   the webhook (the default: the last stage)
#   docker build --target prober -t probe-rewriter-prober:0.1.0 .           the prober alone, FROM scratch
# Both for several architectures at once (nodes of amd64 and arm64): docker buildx build --platform
# linux/amd64,linux/arm64 [--target prober] -t REGISTRY/NAME:0.1.0 --push .
# The webhook image runs the admission webhook by default (serve); the offline CLI works too:
#   docker run --rm -v "$PWD:/work" probe-rewriter:0.1.0 rewrite -f /work/deploy.yaml
# The prober image is what an init container copies the prober from (prober install DEST needs no shell), so that
# nodes pull a few MiB rather than the webhook's JVM image: docs/prober.md.

# Prober build stage: Go, standard library only (no module is fetched), static, stripped. It runs on the builder's
# own platform and compiles for the image's (TARGETARCH, set by BuildKit), so that one command makes the prober for
# every architecture of a cluster's nodes without emulating them:
#   docker buildx build --platform linux/amd64,linux/arm64 --target prober -t REGISTRY/probe-rewriter-prober:0.1.0 --push .
# An init container whose image has no build for its node's architecture keeps the pod from starting.
# Go 1.25, the release line the kubelet of Kubernetes 1.35 is built with (its HTTP client is what the prober stands in
# for), tracked to its latest patch: the prober's standard library goes into every rewritten pod, and image scanners
# flag a Go that no longer gets security fixes. The source needs no more than Go 1.19 (Debian's, used by CI).
FROM --platform=$BUILDPLATFORM golang:1.25 AS prober-build
ARG TARGETOS=linux
ARG TARGETARCH
WORKDIR /src
COPY src/main/go/prober/ ./
# The binary must run with Go 1.25's GODEBUG defaults, the kubelet's (its TLS and HTTP rules: godebug.go). Built by a
# Go 1.25 toolchain with godebug.go's directive, it records no DefaultGODEBUG at all; without the directive it would
# list Go 1.20's (tls3des=1, tlsrsakex=1, tlssha1=1, tlsmlkem=0, httplaxcontentlength=1, ...). When this image moves
# to a newer Go, the settings that Go changed since 1.25 appear here, kept at 1.25's: review them and this check.
RUN arch="${TARGETARCH:-$(go env GOARCH)}" \
 && CGO_ENABLED=0 GOOS="$TARGETOS" GOARCH="$arch" GOPROXY=off \
    go build -trimpath -ldflags='-s -w -X main.version=0.1.0' -o /out/prober . \
 && buildinfo="$(go version -m /out/prober)" \
 && case "$buildinfo" in "/out/prober: go1.25."*) ;; \
      *) echo "prober: expected a Go 1.25 build, got: $(echo "$buildinfo" | head -n 1)" >&2; exit 1 ;; esac \
 && if echo "$buildinfo" | grep DefaultGODEBUG; then \
      echo "prober: GODEBUG defaults other than Go 1.25's, the kubelet's (see above and godebug.go)" >&2; exit 1; fi \
 && if [ "$arch" = "$(go env GOHOSTARCH)" ]; then /out/prober version; fi

# The prober image: the binary and nothing else, run as a non-root user.
FROM scratch AS prober
COPY --from=prober-build /out/prober /prober
USER 65532:65532
ENTRYPOINT ["/prober"]
CMD ["version"]

# Build stage: a pinned Maven + JDK 17 image, on the builder's own platform (the fast-jar is the same for every
# architecture, BoringSSL's x86_64 and aarch64 libraries both in it). Tests run in CI, not here.
FROM --platform=$BUILDPLATFORM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Runtime stage (the default target, so it stays last): a pinned JRE and nothing but the Quarkus fast-jar, run as a
# non-root user. The Maven image has no Go, so this build skips the prober profile.
FROM eclipse-temurin:17.0.15_6-jre AS webhook
ENV LANG=C.UTF-8 \
    JAVA_OPTS_APPEND="-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError"
WORKDIR /deployments
COPY --from=build --chown=185:0 /src/target/quarkus-app/lib/ ./lib/
COPY --from=build --chown=185:0 /src/target/quarkus-app/*.jar ./
COPY --from=build --chown=185:0 /src/target/quarkus-app/app/ ./app/
COPY --from=build --chown=185:0 /src/target/quarkus-app/quarkus/ ./quarkus/
# The JVM runs the fast-jar's jars from a flat class path (src/main/sh/image-launch-args writes the argument file):
# the class-data archive below then serves nearly every class without opening its jar, where the fast-jar's own class
# loader reads each class from its jar first (docs/benchmarks.md, "A flat class path").
COPY src/main/sh/image-launch-args /deployments/bin/image-launch-args
RUN sh /deployments/bin/image-launch-args /deployments > /deployments/launch.args
# Class-data sharing: one training run serves an admission to itself over HTTPS (a throwaway certificate, loopback,
# no cluster) and exits, and the JVM writes the ~6,500 classes it loaded, parsed and verified, into an archive that
# every start maps instead (a third off start-up and a fifth off a CLI run: docs/benchmarks.md, "Class-data sharing").
# It runs here, not in the build stage, because only the JVM that made an archive can use it. The heap is capped as
# the Deployment caps it, so that compressed pointers, which the archive records, are the same at run time; a JVM
# whose options do not match ignores the archive and starts as before (-Xshare:off in JAVA_OPTS_APPEND turns it off).
RUN java -XX:MaxRAM=512m -XX:ActiveProcessorCount=1 $JAVA_OPTS_APPEND '-Xlog:cds*=error' -XX:ArchiveClassesAtExit=/deployments/app-cds.jsa @/deployments/launch.args class-data-training \
 && test -s /deployments/app-cds.jsa
USER 185
# 8443: the webhook (HTTPS, POST /mutate). 9000: management (plain HTTP: /q/health/*, /q/metrics).
EXPOSE 8443 9000
# The README's command (target/probe-rewriter serve, which runs java -jar quarkus-run.jar serve), from the flat class
# path and with the class archive above. Every 5 s the JVM hands back to the system the memory glibc keeps after the
# JIT compilers free it: a dozen MiB of an idle replica's resident memory (docs/benchmarks.md, "Native heap
# trimming"). The offline commands (rewrite, analyze) run with C1 alone, as the launcher script runs them
# (src/main/sh/probe-rewriter says why); the Deployment's JAVA_OPTS_APPEND gives serve C1 alone too, as its TLS is
# BoringSSL's, extracted to /tmp when it is loaded. JAVA_OPTS_APPEND comes after all three and can undo any of them.
ENTRYPOINT ["sh", "-c", "case \"$1\" in rewrite|analyze) compilers=-XX:TieredStopAtLevel=1 ;; *) compilers= ;; esac; exec java -XX:SharedArchiveFile=/deployments/app-cds.jsa -XX:TrimNativeHeapInterval=5000 $compilers $JAVA_OPTS_APPEND @/deployments/launch.args \"$@\"", "probe-rewriter"]
CMD ["serve"]
