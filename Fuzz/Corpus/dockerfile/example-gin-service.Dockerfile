# gin-service: a static Go binary on an empty base, run as a non-root user.
# `berth build` makes this image without a daemon and without this file; `berth build --driver
# buildah|podman|docker` runs this file with berth's tags, labels and build args (VERSION, VCS_REF,
# BUILD_DATE, SOURCE_DATE_EPOCH). Pin the builder by digest with `berth pin`; `berth lint` checks it.
FROM golang:1.19-bookworm AS build
WORKDIR /src
COPY go.mod go.sum* ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG VCS_REF=none
ARG BUILD_DATE=unknown
# The caches outlive the build (BuildKit, buildah and podman keep them), so a rebuild is incremental.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X example.com/gin-service/internal/version.Version=${VERSION} -X example.com/gin-service/internal/version.Commit=${VCS_REF} -X example.com/gin-service/internal/version.BuildDate=${BUILD_DATE}" \
      -o /out/gin-service .

FROM scratch
ARG VERSION=dev
ARG VCS_REF=none
ARG BUILD_DATE=unknown
LABEL org.opencontainers.image.version=$VERSION \
      org.opencontainers.image.revision=$VCS_REF \
      org.opencontainers.image.created=$BUILD_DATE
COPY --from=build /out/gin-service /app/gin-service
WORKDIR /app
ENV GIN_MODE=release ADDR=:8080
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/app/gin-service"]
