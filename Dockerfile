# probe-rewriter image, built from source:
#   docker build -t probe-rewriter:0.1.0 .
# The image runs the admission webhook by default (serve); the offline CLI works too:
#   docker run --rm -v "$PWD:/work" probe-rewriter:0.1.0 rewrite -f /work/deploy.yaml

# Build stage: a pinned Maven + JDK 17 image. Tests run in CI, not here.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Runtime stage: a pinned JRE and nothing but the Quarkus fast-jar, run as a non-root user.
FROM eclipse-temurin:17.0.15_6-jre
ENV LANG=C.UTF-8 \
    JAVA_OPTS_APPEND="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
WORKDIR /deployments
COPY --from=build --chown=185:0 /src/target/quarkus-app/lib/ ./lib/
COPY --from=build --chown=185:0 /src/target/quarkus-app/*.jar ./
COPY --from=build --chown=185:0 /src/target/quarkus-app/app/ ./app/
COPY --from=build --chown=185:0 /src/target/quarkus-app/quarkus/ ./quarkus/
USER 185
# 8443: the webhook (HTTPS, POST /mutate). 9000: management (plain HTTP: /q/health/*, /q/metrics).
EXPOSE 8443 9000
# The README's command: java -jar quarkus-run.jar serve
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar \"$@\"", "probe-rewriter"]
CMD ["serve"]
