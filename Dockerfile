# probe-rewriter image, built from source:  docker build -t probe-rewriter .
# Build stage: a pinned Maven + JDK 17 image; tests run in CI, not here.
FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package -DskipTests

# Runtime stage: a pinned JRE, the Quarkus fast-jar layout, a non-root user.
FROM eclipse-temurin:17.0.15_6-jre
ENV LANG=C.UTF-8 \
    JAVA_OPTS_APPEND="-XX:+ExitOnOutOfMemoryError"
WORKDIR /deployments
COPY --from=build --chown=185:0 /src/target/quarkus-app/lib/ ./lib/
COPY --from=build --chown=185:0 /src/target/quarkus-app/*.jar ./
COPY --from=build --chown=185:0 /src/target/quarkus-app/app/ ./app/
COPY --from=build --chown=185:0 /src/target/quarkus-app/quarkus/ ./quarkus/
USER 185
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS_APPEND -jar /deployments/quarkus-run.jar \"$@\"", "probe-rewriter"]
CMD ["--help"]
